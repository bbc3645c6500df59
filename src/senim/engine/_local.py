"""The local engine: scan batches in this process, with helper processes for more cores.

Readers run in this process. With ``workers=N`` (N > 1), N processes scan: this one and
``N - 1`` helper processes, each with its own copy of the scanner. This process keeps each
helper supplied with up to two batches not yet finished (three until this process's own
first scan, which loads the detectors' data, is done) and scans the next one itself, so
one core is not spent only on reading and writing while two more processes each hold a
full scanner. Findings come back in input order, and the batches held (read ahead, sent,
scanned, not yet handed back) are bounded, so memory stays bounded however large the input
is. The input's last batches (a scan hands all its sources to one run) are shared out once
its end is in sight, so that this process and the helpers finish together: this process
takes the rows at the start and the helpers those after them, a batch on the boundary cut
in two, as many as each side can scan at the pace measured so far; once they have all gone
out, the helpers are told to exit after them. Batches travel through
threads of this process, so while helpers run this thread hands over the interpreter lock
more often.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Literal

import pyarrow as pa

from senim._arrow import compute
from senim.discovery._scanner import Scanner
from senim.engine._batch import RowCount, row_counts, scan_unit
from senim.engine._helpers import (
    AUTO_POOL_BYTES,
    cpu_count,
    early_for_auto,
    hidden,
    run,
    start_pool,
    take_early,
    unpack,
)

__all__ = ["AUTO_POOL_BYTES", "LocalEngine", "Workers", "lean_process", "skip_pandas_probe"]

Workers = int | Literal["auto"]

_AHEAD = 3
"""Units read ahead of the one handed out: once the input's end is among them, the rest is
shared out so that this process and the helpers finish together."""

_HELD = 2
"""Batches each helper holds (sent, not yet finished) while this process scans one."""

_GC_YOUNG = 10_000
"""Allocations between collections of young objects in scanning processes (Python: 700)."""
_SWITCH_INTERVAL = 0.0005
"""Seconds this thread may hold the interpreter lock while helpers run (Python's default: 5 ms)."""

Unit = tuple[pa.RecordBatch, str, int]
Result = tuple[pa.RecordBatch, list[RowCount]]
Packed = tuple[bytes, list[RowCount]]
"""A helper's result: its findings packed for the pipe (:func:`~senim.engine._helpers.pack`)."""


def skip_pandas_probe() -> None:
    """Answer pyarrow's "is pandas installed?" probe without importing pandas.

    pyarrow imports pandas (about 40 MB per process) the first time it converts a Python
    list, only to ask whether the list is a pandas object. A scan never hands pandas objects
    to pyarrow, so scanning processes answer the probe with pandas hidden; pandas stays
    importable afterwards and explicit conversions (``Table.from_pandas``) still work.
    Nothing happens when pandas is already imported.
    """
    if "pandas" in sys.modules:
        return
    with hidden("pandas"):
        pa.array([0])


def lean_process() -> None:
    """Set up a scanning process to hold as little memory as it can, and to spend little
    time in Python's cyclic garbage collector.

    pyarrow's pandas probe is answered without importing pandas (:func:`skip_pandas_probe`),
    and Arrow buffers come from the C allocator, which returns freed batches to the system;
    pyarrow's default mimalloc pool keeps them (about 50 MB over a scan, per process). An
    explicit ``ARROW_DEFAULT_MEMORY_POOL`` in the environment is respected.

    A scan allocates millions of short-lived objects and builds no reference cycles, yet
    at Python's default threshold (700 allocations) the collector runs over a thousand
    times per 100,000 documents, about a tenth of the scanning time. What the imports built
    is frozen (it lives as long as the process) and young objects are collected every
    :data:`_GC_YOUNG` allocations.
    """
    skip_pandas_probe()
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        pa.set_memory_pool(pa.system_memory_pool())
    gc.freeze()
    young, older, oldest = gc.get_threshold()
    gc.set_threshold(max(_GC_YOUNG, young), older, oldest)


class LocalEngine:
    """Runs :func:`~senim.engine.scan_unit` in this process and ``workers - 1`` helpers."""

    def __init__(self, *, scanner: Scanner, workers: Workers = 1, total_bytes: int = 0) -> None:
        if workers == "auto":
            # enough input for helpers to pay off, or the command found so and started them
            cores = cpu_count()
            enough = total_bytes >= AUTO_POOL_BYTES or early_for_auto()
            workers = cores if cores > 1 and enough else 1
        self.scanner = scanner
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._released: list[tuple[ProcessPoolExecutor, threading.Thread | None]] = []
        """Pools told to stop once their last batches are done, with the thread that
        collects their results (see :meth:`_release`)."""
        self._blob = pickle.dumps(scanner) if self.workers > 1 else b""

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # a scanner using a class defined in the main script needs the script in helpers
            main_script = b"__main__" in self._blob
            helpers = self.workers - 1
            self._pool = take_early(helpers, main_script=main_script) or start_pool(
                helpers, main_script=main_script
            )
        return self._pool

    def _local(self, unit: Unit, *, count: bool = True) -> Result:
        batch, source, offset = unit
        return scan_unit(self.scanner, batch, source=source, record_offset=offset, count=count)

    def run(self, units: Iterator[Unit]) -> Iterator[Result]:
        """Findings for each unit, in order. A dead helper raises ``BrokenProcessPool``."""
        if self.workers == 1:
            for unit in units:
                yield self._local(unit)
            return
        pool = self._get_pool()
        helpers = self.workers - 1
        # each entry: a helper's future, a result this process computed, or a unit scanned
        # in pieces
        pending: deque[_Entry] = deque()
        pace = _Pace()
        failure: BaseException | None = None
        units = iter(units)
        ahead: deque[Unit] = deque()
        ended = False

        def busy() -> int:
            return sum(1 for p in pending if isinstance(p, Future) and not p.done())

        def room() -> int:
            # this process's first scan loads the detectors' data (slower than the scans
            # after it): meanwhile each helper holds one batch more, not to run dry
            return (_HELD if pace.scans else _HELD + 1) * helpers

        def read_ahead(most: int = _AHEAD + 1) -> None:
            nonlocal failure, ended
            while not ended and len(ahead) < most:
                try:
                    ahead.append(next(units))
                except StopIteration:
                    ended = True
                except Exception as exc:  # a reader failed: finish what was read, then raise
                    failure = exc
                    ended = True

        # batches travel to and from helpers through threads of this process, which wait
        # for the interpreter lock while this thread scans: hand it over sooner
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, _SWITCH_INTERVAL))
        try:
            read_ahead(2)  # the helpers' first batch goes out at once (is it the last one?)
            while ahead:
                if ended:  # the rest of the input is here: share it out
                    tail = self._tail(pool, list(ahead), pace, helpers, len(pending))
                    pending.extend(tail)
                    ahead.clear()
                    break
                if busy() < room():
                    pending.append(pace.submit(pool, self._blob, ahead.popleft()))
                else:
                    pending.append(pace.local(self._local, ahead.popleft()))
                    # the helpers may have run dry meanwhile: supply them before handing
                    # results back (writing them takes a while)
                    while not ended and ahead and busy() < room():
                        pending.append(pace.submit(pool, self._blob, ahead.popleft()))
                # hand back what is done; if this process ran ahead of a slow helper, wait
                while pending and (_ready(pending[0]) or len(pending) > 2 * self.workers):
                    head = pending.popleft()
                    pace.handed_back(head)
                    result = _result(head)
                    began = time.perf_counter()
                    yield result
                    pace.taken(time.perf_counter() - began)
                read_ahead()
            if failure is None:
                self._release(pool)
            while pending:
                yield _result(pending.popleft())
        except BrokenProcessPool:
            self.reset()
            raise
        finally:
            sys.setswitchinterval(switch)
            for item in pending:
                for piece in item.pieces if isinstance(item, _Split) else [item]:
                    if isinstance(piece, Future):
                        piece.cancel()
        if failure is not None:
            raise failure

    def _tail(
        self,
        pool: ProcessPoolExecutor,
        tail: list[Unit],
        pace: _Pace,
        helpers: int,
        held: int,
    ) -> list[_Entry]:
        """Share the last units out so that this process and the helpers finish together.

        This process takes the rows at the start and the helpers those after them, as many
        as they can scan in the time their backlog leaves (from the pace of both sides so
        far, and the time this process spends handing back the ``held`` results and the
        tail's but the last, which comes from a helper); a unit on the boundary is cut in
        two. This process would otherwise sit idle while a helper works through the batches
        queued for it. With its rows before the helpers', this process hands back its own
        results while the helpers scan: only the helpers' last result is left to hand back
        when they are done.
        """
        rows = [unit[0].num_rows for unit in tail]
        here = pace.share_here(sum(rows), helpers, held + len(tail) - 1)
        sent: list[list[Future[Packed] | Unit]] = []
        start = 0
        for unit, n in zip(tail, rows, strict=True):
            batch, source, offset = unit
            k = min(max(here - start, 0), n)  # this unit's rows for this process
            start += n
            if k == n:
                sent.append([unit])
            elif k == 0:
                sent.append([pace.submit(pool, self._blob, unit)])
            else:
                first = (batch.slice(0, k), source, offset)
                rest = (batch.slice(k), source, offset + k)
                sent.append([first, pace.submit(pool, self._blob, rest, count=False)])
        out: list[_Entry] = []
        for unit, pieces in zip(tail, sent, strict=True):
            done = [
                pace.local(self._local, p, count=len(pieces) == 1) if isinstance(p, tuple) else p
                for p in pieces
            ]
            out.append(done[0] if len(done) == 1 else _Split(unit, done))
        return out

    def _release(self, pool: ProcessPoolExecutor) -> None:
        """Every batch of this run has gone out: the helpers exit once they have done
        theirs, while this process still hands back the last results, instead of after
        them (closing the pool at the end of a two-core scan of letters waited about 7 ms
        for its helper, now none). A later run of this engine starts a new pool."""
        # once shut down, the pool forgets the thread a later shutdown would wait for
        collector: threading.Thread | None = getattr(pool, "_executor_manager_thread", None)
        pool.shutdown(wait=False)
        self._released.append((pool, collector))
        if self._pool is pool:
            self._pool = None

    def _pools(self) -> list[tuple[ProcessPoolExecutor, threading.Thread | None]]:
        pools = [*self._released, *([(self._pool, None)] if self._pool is not None else [])]
        self._released, self._pool = [], None
        return pools

    def reset(self) -> None:
        for pool, _ in self._pools():
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        for pool, collector in self._pools():
            pool.shutdown(wait=True, cancel_futures=True)
            if collector is not None:
                collector.join()  # the helpers have exited

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Split:
    """A unit scanned in two pieces, the first by this process and the second by a helper:
    its findings in the order one scan of the whole unit gives (column by column, rows in
    order), and its row counts."""

    def __init__(self, unit: Unit, pieces: list[Future[Packed] | Result]) -> None:
        self.unit = unit
        self.pieces = pieces

    def done(self) -> bool:
        return all(_ready(p) for p in self.pieces)

    def result(self) -> Result:
        batch, source, _ = self.unit
        found = pa.concat_batches(
            [unpack(p.result()[0]) if isinstance(p, Future) else p[0] for p in self.pieces]
        )
        columns = found.column("column").to_pylist()
        if len(set(columns)) > 1:  # a table: column by column, as one scan of the unit
            where = {name: i for i, name in enumerate(batch.schema.names)}
            order = sorted(range(len(columns)), key=lambda i: where.get(columns[i], -1))
            compute()  # take needs it
            found = found.take(pa.array(order, pa.int64()))
        return found, row_counts(batch, source)


_Entry = Future[Packed] | Result | _Split


class _Pace:
    """How fast this process and the helpers scan (rows per second), from the batches
    done so far, and the rows sent to helpers and not yet back."""

    def __init__(self) -> None:
        self.scans = 0
        self.here_rows = 0
        self.here_s = 0.0
        self.sent: dict[Future[Packed], int] = {}
        """Rows of each helper batch not yet handed back (pruned by :meth:`handed_back`)."""
        self.first_back = self.last_back = 0.0
        self.rows_back = 0
        """Rows the helpers sent back after their first batch, between the two times."""
        self.handed = 0
        self.taking_s = 0.0
        """Results handed back, and the time their taker (writing them) held this thread."""

    def submit(
        self, pool: ProcessPoolExecutor, blob: bytes, unit: Unit, *, count: bool = True
    ) -> Future[Packed]:
        future = pool.submit(run, blob, *unit, count=count)
        rows = unit[0].num_rows
        self.sent[future] = rows
        future.add_done_callback(lambda _: self._back(rows))  # in the pool's thread
        return future

    def _back(self, rows: int) -> None:
        now = time.monotonic()
        if self.first_back:
            self.rows_back += rows
        else:
            self.first_back = now
        self.last_back = now

    def handed_back(self, item: _Entry) -> None:
        if isinstance(item, Future):
            self.sent.pop(item, None)

    def local(self, scan: Callable[..., Result], unit: Unit, *, count: bool = True) -> Result:
        began = time.perf_counter()
        result = scan(unit, count=count)
        self.scans += 1
        if self.scans > 1:  # the first batch pays for loading detector data: not counted
            self.here_s += time.perf_counter() - began
            self.here_rows += unit[0].num_rows
        return result

    def taken(self, seconds: float) -> None:
        self.handed += 1
        self.taking_s += seconds

    def share_here(self, rows: int, helpers: int, results: int) -> int:
        """Rows of the ``rows`` left that this process should scan itself, so that it ends
        when the helpers end what they hold and the rest; besides scanning, it still hands
        back ``results`` results."""
        first, last, back = self.first_back, self.last_back, self.rows_back
        here = self.here_rows / self.here_s if self.here_s else 0.0
        there = back / (last - first) if last > first else 0.0
        if not here or not there:  # no pace yet: every process alike
            here, there = 1.0, float(helpers)
        queued = sum(n for f, n in list(self.sent.items()) if not f.done())
        if last:  # the helpers went on since the last batch came back
            queued -= int(there * (time.monotonic() - last))
        taking = results * self.taking_s / self.handed if self.handed else 0.0
        # here: share / here + taking; there: (queued + rows - share) / there; both equal
        share = round(((max(queued, 0) + rows) / there - taking) / (1 / here + 1 / there))
        return min(max(share, 0), rows)


def _result(item: _Entry) -> Result:
    if isinstance(item, Future):
        packed, counts = item.result()
        return unpack(packed), counts
    return item if isinstance(item, tuple) else item.result()


def _ready(item: _Entry) -> bool:
    return not isinstance(item, Future | _Split) or item.done()

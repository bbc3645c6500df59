"""The local engine: scan batches in this process, with helper processes for more cores.

Readers run in this process. With ``workers=N`` (N > 1), N processes scan: this one and
``N - 1`` spawned helpers, each with its own copy of the scanner. This process keeps each
helper supplied with up to two batches not yet finished and scans the next one itself, so
one core is not spent only on reading and writing while two more processes each hold a
full scanner. Findings come back in input order, and the batches held (sent, scanned, not
yet handed back) are bounded, so memory stays bounded however large the input is. The last
batch of a run (a scan hands all its sources to one run) is always scanned here: this
process would otherwise only wait for the helpers to finish it. Batches travel through
threads of this process, so while helpers run this thread hands over the interpreter lock
more often.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Literal

import pyarrow as pa

from senim.discovery._scanner import Scanner
from senim.engine._batch import RowCount, scan_unit
from senim.engine._helpers import (
    AUTO_POOL_BYTES,
    cpu_count,
    hidden,
    run,
    start_pool,
    take_early,
)

__all__ = ["AUTO_POOL_BYTES", "LocalEngine", "Workers", "lean_process", "skip_pandas_probe"]

Workers = int | Literal["auto"]

_GC_YOUNG = 10_000
"""Allocations between collections of young objects in scanning processes (Python: 700)."""
_SWITCH_INTERVAL = 0.0005
"""Seconds this thread may hold the interpreter lock while helpers run (Python's default: 5 ms)."""

Unit = tuple[pa.RecordBatch, str, int]
Result = tuple[pa.RecordBatch, list[RowCount]]


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
            cores = cpu_count()
            workers = cores if cores > 1 and total_bytes >= AUTO_POOL_BYTES else 1
        self.scanner = scanner
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
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

    def _local(self, unit: Unit) -> Result:
        batch, source, offset = unit
        return scan_unit(self.scanner, batch, source=source, record_offset=offset)

    def run(self, units: Iterator[Unit]) -> Iterator[Result]:
        """Findings for each unit, in order. A dead helper raises ``BrokenProcessPool``."""
        if self.workers == 1:
            for unit in units:
                yield self._local(unit)
            return
        pool = self._get_pool()
        helpers = self.workers - 1
        # each entry: a helper's future, or a result this process computed
        pending: deque[Future[Result] | Result] = deque()
        failure: BaseException | None = None
        units = iter(units)

        def pull() -> Unit | None:
            nonlocal failure
            try:
                return next(units)
            except StopIteration:
                return None
            except Exception as exc:  # a reader failed: finish what was read, then raise
                failure = exc
                return None

        # batches travel to and from helpers through threads of this process, which wait
        # for the interpreter lock while this thread scans: hand it over sooner
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, _SWITCH_INTERVAL))
        try:
            following = pull()
            while following is not None:
                unit = following
                following = pull()  # one unit ahead: is this one the last?
                busy = sum(1 for p in pending if isinstance(p, Future) and not p.done())
                # the last unit is scanned here: this process would only wait for it
                if busy < 2 * helpers and following is not None:
                    pending.append(pool.submit(run, self._blob, *unit))
                else:
                    pending.append(self._local(unit))
                # hand back what is done; if this process ran ahead of a slow helper, wait
                while pending and (_ready(pending[0]) or len(pending) > 2 * self.workers):
                    head = pending.popleft()
                    yield head.result() if isinstance(head, Future) else head
            while pending:
                head = pending.popleft()
                yield head.result() if isinstance(head, Future) else head
        except BrokenProcessPool:
            self.reset()
            raise
        finally:
            sys.setswitchinterval(switch)
            for item in pending:
                if isinstance(item, Future):
                    item.cancel()
        if failure is not None:
            raise failure

    def reset(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _ready(item: Future[Result] | Result) -> bool:
    return not isinstance(item, Future) or item.done()

"""The local engine: scan batches in this process or in a pool of worker processes.

Readers run in the main process; batches go to ``workers`` processes (spawned, each with
its own copy of the scanner) and findings come back in order. At most two batches per
worker are in flight, so memory stays bounded however large the input is.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Literal

import pyarrow as pa

from senim.discovery._scanner import Scanner
from senim.engine._batch import RowCount, scan_unit

__all__ = ["AUTO_POOL_BYTES", "LocalEngine", "Workers"]

Workers = int | Literal["auto"]
AUTO_POOL_BYTES = 32 << 20
"""With ``workers="auto"``, inputs smaller than this are scanned in-process (no spawn cost)."""

Unit = tuple[pa.RecordBatch, str, int]
Result = tuple[pa.RecordBatch, list[RowCount]]

_worker_scanner: Scanner | None = None


def _init(blob: bytes) -> None:
    global _worker_scanner
    _worker_scanner = pickle.loads(blob)


def _run(batch: pa.RecordBatch, source: str, offset: int) -> Result:
    assert _worker_scanner is not None
    return scan_unit(_worker_scanner, batch, source=source, record_offset=offset)


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class LocalEngine:
    """Runs :func:`~senim.engine.scan_unit` serially or on a process pool."""

    def __init__(self, *, scanner: Scanner, workers: Workers = 1, total_bytes: int = 0) -> None:
        if workers == "auto":
            cores = cpu_count()
            workers = cores if cores > 1 and total_bytes >= AUTO_POOL_BYTES else 1
        self.scanner = scanner
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init,
                initargs=(pickle.dumps(self.scanner),),
            )
        return self._pool

    def run(self, units: Iterator[Unit]) -> Iterator[Result]:
        """Findings for each unit, in order. A dead worker raises ``BrokenProcessPool``."""
        if self.workers == 1:
            for batch, source, offset in units:
                yield scan_unit(self.scanner, batch, source=source, record_offset=offset)
            return
        pool = self._get_pool()
        pending: deque[Future[Result]] = deque()
        failure: BaseException | None = None
        units = iter(units)
        try:
            while True:
                try:
                    batch, source, offset = next(units)
                except StopIteration:
                    break
                except Exception as exc:  # a reader failed: finish what was read, then raise
                    failure = exc
                    break
                pending.append(pool.submit(_run, batch, source, offset))
                if len(pending) >= 2 * self.workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool:
            self.reset()
            raise
        finally:
            for fut in pending:
                fut.cancel()
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

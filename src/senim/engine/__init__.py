"""Where scans run: in this process, in a local process pool, or on Apache Spark.

Every engine runs the same batch function, :func:`scan_unit`, on Arrow record batches, so
they produce the same findings. Modules load on first use: the CLI starts helper processes
(:mod:`senim.engine._helpers`) before it loads the scanner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from senim._lazy import lazy_attributes as _lazy_attributes

_LAZY: dict[str, str] = {
    "FindingsSink": "senim.engine._sink",
    "LocalEngine": "senim.engine._local",
    "RowCount": "senim.engine._batch",
    "StreamedScanReport": "senim.engine._sink",
    "UnitStream": "senim.engine._stream",
    "Workers": "senim.engine._local",
    "lean_process": "senim.engine._local",
    "scan_unit": "senim.engine._batch",
    "split_counts": "senim.engine._stream",
    "split_findings": "senim.engine._stream",
}

__all__ = [
    "FindingsSink",
    "LocalEngine",
    "RowCount",
    "StreamedScanReport",
    "UnitStream",
    "Workers",
    "lean_process",
    "scan_unit",
    "split_counts",
    "split_findings",
]

__getattr__, __dir__ = _lazy_attributes(__name__, _LAZY, globals())

if TYPE_CHECKING:
    from senim.engine._batch import RowCount, scan_unit
    from senim.engine._local import LocalEngine, Workers, lean_process
    from senim.engine._sink import FindingsSink, StreamedScanReport
    from senim.engine._stream import UnitStream, split_counts, split_findings

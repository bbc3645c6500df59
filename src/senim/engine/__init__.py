"""Where scans run: in this process, in a local process pool, or on Apache Spark.

Every engine runs the same batch function, :func:`scan_unit`, on Arrow record batches, so
they produce the same findings.
"""

from senim.engine._batch import RowCount, scan_unit
from senim.engine._local import LocalEngine, Workers, lean_process
from senim.engine._sink import FindingsSink, StreamedScanReport

__all__ = [
    "FindingsSink",
    "LocalEngine",
    "RowCount",
    "StreamedScanReport",
    "Workers",
    "lean_process",
    "scan_unit",
]

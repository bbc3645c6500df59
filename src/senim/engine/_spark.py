"""The Spark engine: the same readers and the same batch function, on a Spark cluster.

The driver lists the inputs (local paths, ``file://``/``hdfs://``/``s3://`` URIs, or
``table:db.name`` for a metastore table, resolved to its files) and splits them into
*units*: one per file, and one per group of row groups for Parquet. Spark distributes the
units; ``mapInArrow`` opens each unit with senim's own readers on an executor and runs
:func:`~senim.engine.scan_unit` on every batch, so the findings are exactly those of the
local engine (for a Parquet file split into row-group ranges, their order may differ).
Findings, column row counts and problems come back as one Arrow stream.

pyspark is imported only here, and only for ``--engine spark``.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc

from senim._i18n import shown
from senim.discovery._api import _named
from senim.discovery._model import FINDINGS_SCHEMA
from senim.discovery._report import SourceResult, SourceStatus
from senim.discovery._scanner import Scanner
from senim.engine._batch import scan_unit
from senim.engine._sink import FindingsSink, StreamedScanReport
from senim.errors import InputError, UsageError
from senim.sources._base import Source, first_line, problems_of
from senim.sources._files import Skipped

__all__ = ["ROW_GROUPS_PER_UNIT", "scan_paths_spark"]

ROW_GROUPS_PER_UNIT = 4
"""Parquet row groups per Spark task (a big file is scanned by several executors)."""

_UNIT_SCHEMA = pa.schema(
    [
        ("unit", pa.int64()),
        # bytes: a file name that is not UTF-8 crosses the JVM intact (as text it came to
        # the executor with U+FFFD for its bytes, and the file was not found)
        ("path", pa.binary()),
        ("rg_start", pa.int64()),
        ("rg_end", pa.int64()),
    ]
)
_OUT_FIELDS = [
    pa.field("unit", pa.int64()),
    pa.field("seq", pa.int64()),
    pa.field("kind", pa.string()),
    *(pa.field(f.name, f.type) for f in FINDINGS_SCHEMA),
    pa.field("payload", pa.string()),
]
OUT_SCHEMA = pa.schema(_OUT_FIELDS)


@dataclass(frozen=True, slots=True)
class _Unit:
    unit: int
    path: str
    rg_start: int = -1
    rg_end: int = -1


@dataclass(frozen=True, slots=True)
class FsBlob:
    """A file behind a URI (``hdfs://``, ``s3://``, ``file://``), read with pyarrow.fs."""

    uri: str

    @property
    def name(self) -> str:
        return self.uri

    @property
    def filename(self) -> str:
        return self.uri.rstrip("/").rsplit("/", 1)[-1]

    @property
    def size(self) -> int:
        fs, path = _fs(self.uri)
        return int(fs.get_file_info(path).size or 0)

    @property
    def depth(self) -> int:
        return 0

    def open(self) -> IO[bytes]:
        fs, path = _fs(self.uri)
        return fs.open_input_file(path)  # type: ignore[no-any-return]

    def fingerprint(self) -> str | None:
        fs, path = _fs(self.uri)
        info = fs.get_file_info(path)
        return f"file:{info.size}:{info.mtime_ns}"


def _fs(uri: str) -> tuple[Any, str]:
    import pyarrow.fs as pafs

    fs, path = pafs.FileSystem.from_uri(uri)
    return fs, str(path)


def _is_uri(text: str) -> bool:
    return "://" in text and not text.startswith(("sqlite", "postgres", "mysql", "mariadb"))


def _open(path: str) -> Source | None:
    from senim.sources._blob import FileBlob
    from senim.sources._files import open_blob

    blob = FsBlob(path) if _is_uri(path) else FileBlob(Path(path))
    return open_blob(blob, in_folder=True)


def _list(spark: Any, raw: str) -> Iterator[str | InputError | Skipped]:
    """Files under one input (a path, a URI or ``table:name``), in a stable order (a local
    folder's special files and links to folders named as skipped, :func:`_folder_files`)."""
    if raw.startswith("table:"):
        try:
            files = spark.table(raw[len("table:") :]).inputFiles()
        except Exception as exc:
            yield InputError("engine.spark_failed", reason=first_line(exc))
            return
        yield from sorted(files)
        return
    if _is_uri(raw):
        import pyarrow.fs as pafs

        fs, root = _fs(raw)
        info = fs.get_file_info(root)
        scheme = raw.split("://", 1)[0]
        if info.type == pafs.FileType.NotFound:
            yield InputError("error.path_not_found", path=raw)
        elif info.type == pafs.FileType.Directory:
            entries = fs.get_file_info(pafs.FileSelector(root, recursive=True))
            for entry in sorted(entries, key=lambda e: e.path):
                parts = entry.path.split("/")
                if entry.type == pafs.FileType.File and not any(
                    p.startswith((".", "_")) for p in parts[len(root.split("/")) :]
                ):
                    yield f"{scheme}://{entry.path}" if scheme != "file" else f"file://{entry.path}"
        else:
            yield raw
        return
    path = Path(raw)
    if not path.exists():
        yield InputError("error.path_not_found", path=raw)
    elif path.is_dir():
        from senim.sources._files import _folder_files

        yield from _folder_files(path)
    else:
        yield raw


def _not_scanned(
    report: StreamedScanReport,
    name: str,
    *,
    problem: InputError | None = None,
    skipped: str | None = None,
) -> None:
    """List a source that was not scanned: failed with ``problem``, or ``skipped`` (why)."""
    if problem is not None:
        report.problems.append(problem)
    status: SourceStatus = "failed" if problem is not None else "skipped"
    report.sources.append(
        SourceResult(
            name=name, kind="-", format="-", status=status, problem=problem, skipped=skipped
        )
    )


def _units(
    report: StreamedScanReport, spark: Any, paths: Sequence[str]
) -> list[tuple[_Unit, Source, SourceResult]]:
    import pyarrow.parquet as pq

    from senim.sources._parquet import ParquetFileSource

    units: list[tuple[_Unit, Source, SourceResult]] = []
    for raw in paths:
        for item in _list(spark, raw):
            if isinstance(item, Skipped):
                _not_scanned(report, item.name, skipped=item.reason)
                continue
            if isinstance(item, InputError):
                _not_scanned(report, _named(item) or raw, problem=item)
                continue
            try:
                source = _open(item)
            except InputError as exc:
                _not_scanned(report, shown(item), problem=exc)
                continue
            if source is None:
                _not_scanned(report, shown(item), skipped="source.skipped_binary")
                continue
            # listed in the order of the input, as the local engine lists its sources
            result = SourceResult(
                name=source.name, kind=source.kind, format=source.format, size=source.size
            )
            report.sources.append(result)
            groups = 0
            if isinstance(source, ParquetFileSource) and source.size:
                try:
                    handle = source.blob.open()
                    with handle:
                        groups = pq.ParquetFile(handle).num_row_groups
                except Exception:
                    groups = 0  # the executor will report the damage
            if groups > ROW_GROUPS_PER_UNIT:
                for start in range(0, groups, ROW_GROUPS_PER_UNIT):
                    end = min(groups, start + ROW_GROUPS_PER_UNIT)
                    units.append((_Unit(len(units), item, start, end), source, result))
            else:
                units.append((_Unit(len(units), item), source, result))
    return units


def _scan_units(scanner_blob: bytes) -> Any:
    """The ``mapInArrow`` function (a closure over the pickled scanner)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from senim.sources._parquet import ParquetFileSource

        scanner: Scanner = pickle.loads(scanner_blob)
        for units in batches:
            for row in units.to_pylist():
                unit, path = int(row["unit"]), os.fsdecode(row["path"])
                seq = 0
                records = 0
                problems: list[InputError] = []
                try:
                    source = _open(path)
                    if source is None:
                        continue
                    if row["rg_start"] >= 0 and isinstance(source, ParquetFileSource):
                        source = ParquetFileSource(
                            source.blob, row_groups=(int(row["rg_start"]), int(row["rg_end"]))
                        )
                    for batch in source.batches(None):
                        found, counts = scan_unit(
                            scanner, batch, source=source.name, record_offset=records
                        )
                        records += batch.num_rows
                        yield _findings_out(unit, seq, found)
                        seq += 1
                        if counts:
                            yield _payload_out(unit, seq, "rows", counts)
                            seq += 1
                    problems.extend(problems_of(source))
                except InputError as exc:
                    problems.append(exc)
                except Exception as exc:
                    problems.append(
                        InputError("source.parse_failed", source=path, reason=first_line(exc))
                    )
                for problem in problems:
                    yield _payload_out(
                        unit, seq, "problem", {"key": problem.key, "params": problem.params}
                    )
                    seq += 1
                yield _payload_out(unit, seq, "records", records)

    return run


def _findings_out(unit: int, seq: int, found: pa.RecordBatch) -> pa.RecordBatch:
    n = found.num_rows
    columns = [
        pa.array([unit] * n, pa.int64()),
        pa.array([seq] * n, pa.int64()),
        pa.array(["finding"] * n, pa.string()),
        *found.columns,
        pa.nulls(n, pa.string()),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=OUT_SCHEMA)


def _payload_out(unit: int, seq: int, kind: str, payload: object) -> pa.RecordBatch:
    row: dict[str, Any] = {f.name: None for f in OUT_SCHEMA}
    row.update(unit=unit, seq=seq, kind=kind, payload=json.dumps(payload, default=str))
    return pa.RecordBatch.from_pylist([row], schema=OUT_SCHEMA)


_LOG_CONFIG = Path(__file__).with_name("spark-log4j2.properties")
"""Logging of a local Spark session senim starts (errors only, on stderr)."""


def _session(master: str | None) -> Any:
    try:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UsageError("engine.spark_missing") from exc
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.appName("senim-scan")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    chosen = master or os.environ.get("SPARK_MASTER")
    if chosen is None and not SparkConf().contains("spark.master"):  # not under spark-submit
        chosen = "local[*]"
    if chosen is not None:
        builder = builder.master(chosen)
        if chosen.startswith("local"):  # a local master talks to itself over loopback only
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            builder = builder.config("spark.driver.host", "127.0.0.1").config(
                "spark.driver.bindAddress", "127.0.0.1"
            )
            if not SparkConf().contains("spark.driver.extraJavaOptions"):
                # Spark's own notices would surround senim's messages: errors only
                builder = builder.config(
                    "spark.driver.extraJavaOptions",
                    f"-Dlog4j2.configurationFile={_LOG_CONFIG.as_uri()}",
                )
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "PySpark does not yet", FutureWarning)
            session = builder.getOrCreate()
    except Exception as exc:  # no Java, bad master URL ...
        raise InputError("engine.spark_failed", reason=first_line(exc)) from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


def scan_paths_spark(
    paths: Sequence[str | Path],
    *,
    scanner: Scanner | None = None,
    master: str | None = None,
    spark: Any = None,
    output_dir: str | None = None,
) -> StreamedScanReport:
    """Scan files, folders, URIs and ``table:`` inputs on Spark; same report as locally.

    ``output_dir`` (a path or URI the driver can read, e.g. ``hdfs://tmp/senim``) is where
    executors write the findings; by default a temporary folder (fine for local masters).
    """
    from senim.sources._sql import is_database_url

    texts = [str(p) for p in paths]
    if any(is_database_url(t) for t in texts):
        raise UsageError("engine.spark_inputs")
    scanner = scanner or Scanner()
    session = spark if spark is not None else _session(master)
    report = StreamedScanReport()
    import time

    started = time.perf_counter()
    listed = _units(report, session, texts)
    units = [(unit, source) for unit, source, _ in listed]
    result_of = {unit.unit: result for unit, _, result in listed}  # a file's units share it
    sink = FindingsSink()
    if units:
        with warnings.catch_warnings():
            # pyspark 4.x warns about pandas 3 even though this path never touches pandas
            warnings.filterwarnings("ignore", "PySpark does not yet", FutureWarning)
            with _result_dir(output_dir) as where:
                fragments = _run(session, units, scanner, where)
                for unit_ids, fragment in fragments:
                    for unit_id in unit_ids:
                        result = result_of[unit_id]
                        for batch in fragment.to_batches(
                            filter=(pc.field("unit") == unit_id), use_threads=False
                        ):
                            _route(batch, result, sink, report)
        for unit, _, result in listed:
            if unit.rg_start <= 0 and result.problem is not None:  # once per file
                result.status = "partial" if result.records else "failed"
    report.findings = sink.table()
    report.columns = sink.columns(scanner)
    report.counts = dict(sink.counts)
    report.duration_s = time.perf_counter() - started
    return report


def _empty() -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist([], schema=FINDINGS_SCHEMA)


def _route(
    batch: pa.RecordBatch, result: SourceResult, sink: FindingsSink, report: StreamedScanReport
) -> None:
    """One batch of the Spark output: findings into the sink, the rest into the report."""
    kinds = batch.column("kind")
    is_finding = pc.equal(kinds, "finding")
    found = batch.filter(is_finding)
    if found.num_rows:
        findings = pa.Table.from_batches([found]).select(FINDINGS_SCHEMA.names)
        for part in findings.cast(FINDINGS_SCHEMA).to_batches():
            sink.add(part, [])
        result.findings += found.num_rows
    other = batch.filter(pc.invert(is_finding))
    for kind, payload_text in zip(
        other.column("kind").to_pylist(), other.column("payload").to_pylist(), strict=True
    ):
        payload = json.loads(payload_text)
        if kind == "rows":
            sink.add(_empty(), [(str(a), str(b), int(c)) for a, b, c in payload])
        elif kind == "records":
            result.records += int(payload)
        elif kind == "problem":
            problem = InputError(payload["key"], **payload["params"])
            report.problems.append(problem)
            result.problem = result.problem or problem


@contextlib.contextmanager
def _result_dir(output_dir: str | None) -> Iterator[str]:
    """Where executors write the findings (a temp folder for local masters)."""
    if output_dir is not None:
        yield output_dir
        return
    with tempfile.TemporaryDirectory(prefix="senim-spark-") as tmp:
        yield str(Path(tmp) / "findings")


def _run(
    session: Any, units: list[tuple[_Unit, Source]], scanner: Scanner, where: str
) -> list[tuple[list[int], Any]]:
    """Run the scan; return the written fragments with the units each holds, in unit order.

    Findings go to Parquet at ``where`` (not through the driver's memory); each unit's rows
    sit in one file, in the order they were produced.
    """
    import pyarrow.dataset as ds
    from pyspark.sql.pandas.types import from_arrow_schema

    rows = [
        {"unit": u.unit, "path": os.fsencode(u.path), "rg_start": u.rg_start, "rg_end": u.rg_end}
        for u, _ in units
    ]
    frame = session.createDataFrame(rows, schema=from_arrow_schema(_UNIT_SCHEMA))
    frame = frame.repartition(len(units), "unit")
    out = frame.mapInArrow(_scan_units(pickle.dumps(scanner)), from_arrow_schema(OUT_SCHEMA))
    target = where if _is_uri(where) else Path(where).resolve().as_uri()
    try:
        out.write.mode("overwrite").parquet(target)
    except Exception as exc:
        raise InputError("engine.spark_failed", reason=first_line(exc)) from exc
    fs, root = _fs(target)
    dataset = ds.dataset(root, format="parquet", filesystem=fs, schema=OUT_SCHEMA)
    placed: list[tuple[int, list[int], Any]] = []
    for fragment in dataset.get_fragments():
        held = fragment.to_table(columns=["unit"], filter=pc.field("kind") == "records").column(
            "unit"
        )
        ids = sorted(set(held.to_pylist()))
        if ids:
            placed.append((ids[0], ids, fragment))
    placed.sort(key=lambda p: p[0])
    if len(placed) > 1:  # units spread over files: visit them in unit order
        by_unit = {u: frag for _, ids, frag in placed for u in ids}
        return [([u], by_unit[u]) for u in sorted(by_unit)]
    return [(ids, frag) for _, ids, frag in placed]

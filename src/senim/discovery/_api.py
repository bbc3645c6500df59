"""Library entry points: scan a string, a table, files and folders, or databases."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from senim.discovery._model import Finding
from senim.discovery._report import ScanReport, SourceResult
from senim.discovery._scanner import Scanner
from senim.errors import InputError, SenimError
from senim.sources import Skipped, Source, SourceKind, iter_sources
from senim.sources._archive import DEFAULT_LIMITS, ArchiveLimits
from senim.sources._base import MAX_CACHED_FINDINGS, fingerprint_of, first_line, problems_of
from senim.sources._sql import is_database_url, iter_database_sources

__all__ = [
    "scan_database",
    "scan_paths",
    "scan_sources",
    "scan_table",
    "scan_text",
    "to_arrow",
]

if TYPE_CHECKING:  # no import cycle at run time
    from senim.engine import Workers
    from senim.sources._state import ScanState


log = logging.getLogger("senim.scan")


@cache
def _default_scanner() -> Scanner:
    return Scanner()


def scan_text(text: str, *, scanner: Scanner | None = None) -> list[Finding]:
    """Findings in ``text`` with the default detectors.

    >>> [(f.entity, f.start, f.end) for f in scan_text("ЖСН: 061211600012")]
    [('KZ_IIN', 5, 17)]
    """
    return (scanner or _default_scanner()).scan_text(text)


def to_arrow(table: Any) -> pa.Table:
    """Accept a pyarrow Table/RecordBatch, a polars DataFrame or a pandas DataFrame."""
    if isinstance(table, pa.Table):
        return table
    if isinstance(table, pa.RecordBatch):
        return pa.Table.from_batches([table])
    module = type(table).__module__.split(".")[0]
    if module == "polars":
        converted = table.to_arrow()
        assert isinstance(converted, pa.Table)
        return converted
    if module == "pandas":
        return pa.Table.from_pandas(table, preserve_index=False)
    raise InputError("scan.unsupported_table", kind=type(table).__name__)


class _TableSource:
    kind: SourceKind = "table"
    format = "table"
    size = 0

    def __init__(self, table: pa.Table, name: str) -> None:
        self.table = table
        self.name = name

    def batches(self, progress: Callable[[int], None] | None = None) -> Iterator[pa.RecordBatch]:
        yield from self.table.to_batches()


def scan_table(
    table: Any, *, source: str = "<table>", scanner: Scanner | None = None
) -> ScanReport:
    """Scan an Arrow/polars/pandas table; the report has findings and column summaries."""
    return scan_sources([_TableSource(to_arrow(table), source)], scanner=scanner)


class _OutputFailed(Exception):
    """Carries an error of the findings output past the per-source error handling."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _failed(report: ScanReport, problem: InputError) -> None:
    report.problems.append(problem)
    report.sources.append(
        SourceResult(
            name=str(problem.params.get("path") or problem.params.get("source", "?")),
            kind="-",
            format="-",
            status="failed",
            problem=problem,
        )
    )


def scan_paths(
    paths: Sequence[str | Path],
    *,
    scanner: Scanner | None = None,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    sample: int | None = None,
    workers: Workers = 1,
    state: ScanState | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    keep_findings: bool = True,
    on_findings: Callable[[pa.RecordBatch], None] | None = None,
) -> ScanReport:
    """Scan files, folders and database URLs (``"-"``: standard input). Unreadable inputs
    become problems.

    ``include``/``exclude`` (glob patterns on ``schema.table`` or ``table``) and ``sample``
    (rows per table) apply to databases; ``workers`` runs the scan on a local process pool
    (``"auto"``: all cores for large inputs); ``state`` makes the scan incremental.
    """
    report = _new_report()
    sources: list[Source] = []
    for raw in paths:
        text = str(raw)
        if is_database_url(text):
            items: Iterable[Any] = iter_database_sources(
                text, include=include, exclude=exclude, sample=sample
            )
        else:
            items = iter_sources([raw], limits=limits)
        for item in items:
            if isinstance(item, InputError):
                _failed(report, item)
            elif isinstance(item, Skipped):
                report.sources.append(
                    SourceResult(name=item.name, kind="-", format="-", status="skipped")
                )
            else:
                sources.append(item)
    total = sum(s.size for s in sources)
    if on_total is not None:
        on_total(total)
    return scan_sources(
        sources,
        scanner=scanner,
        report=report,
        on_progress=on_progress,
        workers=workers,
        total_bytes=total,
        state=state,
        keep_findings=keep_findings,
        on_findings=on_findings,
    )


def scan_database(
    url: str,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    sample: int | None = None,
    scanner: Scanner | None = None,
    state: ScanState | None = None,
) -> ScanReport:
    """Scan every table of a database (``sqlite:///``, ``postgresql://``, ``mysql://``)."""
    return scan_paths(
        [url], include=include, exclude=exclude, sample=sample, scanner=scanner, state=state
    )


def _new_report() -> ScanReport:
    from senim.engine import StreamedScanReport

    return StreamedScanReport()


def scan_sources(
    sources: Iterable[Source],
    *,
    scanner: Scanner | None = None,
    report: ScanReport | None = None,
    on_progress: Callable[[int], None] | None = None,
    workers: Workers = 1,
    total_bytes: int = 0,
    state: ScanState | None = None,
    keep_findings: bool = True,
    on_findings: Callable[[pa.RecordBatch], None] | None = None,
) -> ScanReport:
    """Scan already-opened sources into one report (the loop every surface uses)."""
    from concurrent.futures.process import BrokenProcessPool

    from senim.engine import FindingsSink, LocalEngine, StreamedScanReport

    scanner = scanner or _default_scanner()
    report = report if report is not None else _new_report()
    started = time.perf_counter()
    sink = FindingsSink(keep=keep_findings, on_batch=on_findings)
    if report.findings.num_rows:
        for batch in report.findings.to_batches():
            sink.add(batch, [])
    reused = 0
    with LocalEngine(scanner=scanner, workers=workers, total_bytes=total_bytes) as engine:
        for source in sources:
            result = SourceResult(
                name=source.name, kind=source.kind, format=source.format, size=source.size
            )
            report.sources.append(result)
            fingerprint = fingerprint_of(source) if state is not None else None
            cached = state.lookup(source.name, fingerprint) if state is not None else None
            if cached is not None:
                for batch in cached.findings.to_batches():
                    sink.add(batch, [])
                    result.findings += batch.num_rows
                sink.add(pa.RecordBatch.from_pylist([]), cached.row_counts)
                result.records = cached.records
                if on_progress is not None:
                    on_progress(source.size)
                reused += 1
                continue
            remember = state is not None and fingerprint is not None
            kept: list[pa.RecordBatch] = []
            counts_seen: list[tuple[str, str, int]] = []
            records = 0

            def units(src: Source = source) -> Iterator[tuple[pa.RecordBatch, str, int]]:
                nonlocal records
                for batch in src.batches(on_progress):
                    yield batch, src.name, records
                    records += batch.num_rows

            try:
                for found, counts in engine.run(units()):
                    try:
                        sink.add(found, counts)
                    except Exception as exc:  # the output failed, not this source
                        raise _OutputFailed(exc) from exc
                    result.findings += found.num_rows
                    if remember:
                        kept.append(found)
                        counts_seen.extend(counts)
                        if sum(b.num_rows for b in kept) > MAX_CACHED_FINDINGS:
                            remember, kept, counts_seen = False, [], []
            except _OutputFailed as exc:
                raise exc.error from None
            except SenimError as exc:
                result.status = "partial" if records else "failed"
                result.problem = exc
                report.problems.append(exc)
            except BrokenProcessPool as exc:
                problem = InputError("source.worker_failed", source=source.name, reason=str(exc))
                result.status = "partial" if records else "failed"
                result.problem = problem
                report.problems.append(problem)
            except Exception as exc:  # a reader library failed in a way it does not document
                if _debug():
                    raise
                log.debug("reading %s failed", source.name, exc_info=True)
                problem = InputError(
                    "source.parse_failed", source=source.name, reason=first_line(exc)
                )
                result.status = "partial" if records else "failed"
                result.problem = problem
                report.problems.append(problem)
            result.records = records
            extra = problems_of(source)
            if extra:
                report.problems.extend(extra)
                if result.status == "ok":
                    result.status = "partial"
                    result.problem = extra[0]
            if remember and result.status == "ok" and state is not None:
                state.remember(
                    source=source.name,
                    fingerprint=fingerprint,
                    kind=source.kind,
                    format=source.format,
                    records=records,
                    findings=kept,
                    row_counts=_merge(counts_seen),
                )
    report.findings = sink.table()
    report.columns = sink.columns(scanner)
    if isinstance(report, StreamedScanReport):
        report.counts = dict(sink.counts)
        report.reused += reused
    report.duration_s += time.perf_counter() - started
    return report


def _debug() -> bool:
    return os.environ.get("SENIM_DEBUG", "") not in ("", "0")


def _merge(counts: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    merged: dict[tuple[str, str], int] = {}
    for source, column, n in counts:
        merged[(source, column)] = merged.get((source, column), 0) + n
    return [(s, c, n) for (s, c), n in merged.items()]

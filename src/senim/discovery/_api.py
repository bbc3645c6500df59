"""Library entry points: scan a string, a table, or paths."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from senim.discovery._model import FINDINGS_SCHEMA, Finding
from senim.discovery._report import ScanReport, SourceResult, summarise_columns
from senim.discovery._scanner import RESERVED, Scanner, _as_text, _ColumnContext
from senim.errors import InputError, SenimError
from senim.sources import Skipped, Source, SourceKind, iter_sources

__all__ = ["scan_paths", "scan_sources", "scan_table", "scan_text", "to_arrow"]


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


def scan_paths(
    paths: Sequence[str | Path],
    *,
    scanner: Scanner | None = None,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ScanReport:
    """Scan files and folders. Unreadable inputs become problems; the rest is scanned."""
    items = list(iter_sources(list(paths)))
    report = ScanReport()
    sources: list[Source] = []
    for item in items:
        if isinstance(item, InputError):
            report.problems.append(item)
            report.sources.append(
                SourceResult(
                    name=str(item.params.get("path") or item.params.get("source", "?")),
                    kind="-",
                    format="-",
                    status="failed",
                    problem=item,
                )
            )
        elif isinstance(item, Skipped):
            report.sources.append(
                SourceResult(name=item.name, kind="-", format="-", status="skipped")
            )
        else:
            sources.append(item)
    if on_total is not None:
        on_total(sum(s.size for s in sources))
    return scan_sources(sources, scanner=scanner, report=report, on_progress=on_progress)


def scan_sources(
    sources: Iterable[Source],
    *,
    scanner: Scanner | None = None,
    report: ScanReport | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ScanReport:
    """Scan already-opened sources into one report (the loop every surface uses)."""
    scanner = scanner or _default_scanner()
    report = report if report is not None else ScanReport()
    started = time.perf_counter()
    parts: list[pa.RecordBatch] = (
        [report.findings.combine_chunks().to_batches()[0]] if report.findings.num_rows else []
    )
    rows: dict[tuple[str, str], int] = {}
    hints: dict[tuple[str, str], tuple[str, ...]] = {}
    for source in sources:
        result = SourceResult(
            name=source.name, kind=source.kind, format=source.format, size=source.size
        )
        report.sources.append(result)
        offset = 0
        try:
            for batch in source.batches(on_progress):
                found = scanner.scan_batch(batch, source=source.name, record_offset=offset)
                if found.num_rows:
                    parts.append(found)
                    result.findings += found.num_rows
                offset += batch.num_rows
                if source.kind == "table":
                    _count_rows(batch, source.name, rows, hints, scanner)
        except SenimError as exc:
            result.status = "partial" if offset else "failed"
            result.problem = exc
            report.problems.append(exc)
        result.records = offset
    report.findings = (
        pa.Table.from_batches(parts, schema=FINDINGS_SCHEMA)
        if parts
        else FINDINGS_SCHEMA.empty_table()
    )
    report.columns = summarise_columns(report.findings, rows, hints)
    report.duration_s += time.perf_counter() - started
    return report


def _count_rows(
    batch: pa.RecordBatch,
    source: str,
    rows: dict[tuple[str, str], int],
    hints: dict[tuple[str, str], tuple[str, ...]],
    scanner: Scanner,
) -> None:
    for name in batch.schema.names:
        if name in RESERVED:
            continue
        key = (source, name)
        if key not in hints:
            ctx = _ColumnContext(name)
            hints[key] = tuple(
                sorted({d.entity for d in scanner.detectors if ctx.hint(d) is not None})
            )
        series = _as_text(batch.column(batch.schema.names.index(name)))
        if series is None:
            rows.setdefault(key, 0)
            continue
        non_empty = series.len() - series.null_count() - int((series == "").sum() or 0)
        rows[key] = rows.get(key, 0) + non_empty

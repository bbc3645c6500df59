"""Render a :class:`~senim.discovery.ScanReport` as JSON, JSON Lines, a console table or HTML."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa

from senim._arrow import polars_frame
from senim._i18n import message, resolve_lang, shown
from senim.discovery._model import findings_from_batch
from senim.discovery._report import ColumnSummary, ScanReport
from senim.report._charts import BarChart, bar_chart_svg
from senim.report._html import render_html

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "FORMATS",
    "iter_jsonl",
    "jsonl_bytes",
    "print_table",
    "render_html_report",
    "render_json",
]

FORMATS = ("table", "json", "jsonl", "html")
HTML_FINDINGS_LIMIT = 500
_JSONL_CHUNK = 8192


def entity_label(entity: str, lang: str | None) -> str:
    label = message(f"entity.{entity}", lang)
    return entity if label == f"entity.{entity}" else label


def iter_jsonl(report: ScanReport) -> Iterator[str]:
    """One JSON object per finding: the ARCHITECTURE.md contract (+ preview, digest, why)."""
    return jsonl_lines(report.findings)


def jsonl_lines(findings: pa.Table | pa.RecordBatch) -> Iterator[str]:
    """JSON Lines straight from a findings table or batch (``FINDINGS_SCHEMA``).

    Encoded in polars, a chunk at a time, with no per-finding Python objects: the plain
    fields are one JSON object, ``key`` is added only when set, and the stored explanation,
    already JSON, is spliced in as it is.
    """
    for chunk in _jsonl_chunks(findings):
        yield from chunk["line"].to_list()


def jsonl_bytes(findings: pa.Table | pa.RecordBatch) -> Iterator[memoryview]:
    """:func:`jsonl_lines` as UTF-8, a chunk of lines at a time, each line ended by ``\\n``.

    Arrow keeps a string column's values back to back in one buffer, so once each line ends
    with its newline the chunk is that buffer: no Python string per line, no copy.
    """
    for chunk in _jsonl_chunks(findings):
        lines = chunk.select(pl.col("line") + "\n")["line"].to_arrow(
            compat_level=pl.CompatLevel.oldest()  # large_string, as _utf8 reads it
        )
        for part in lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]:
            yield _utf8(part)


def _utf8(array: pa.Array) -> memoryview:
    """The UTF-8 bytes of a string array's values, back to back (no nulls)."""
    if array.type != pa.large_string():
        array = array.cast(pa.large_string())
    assert array.null_count == 0
    if len(array) == 0:
        return memoryview(b"")
    _, offsets_buffer, data = array.buffers()
    offsets = pa.Array.from_buffers(
        pa.int64(), len(array) + 1, [None, offsets_buffer], offset=array.offset
    )
    return memoryview(data)[offsets[0].as_py() : offsets[-1].as_py()]


def _jsonl_chunks(findings: pa.Table | pa.RecordBatch) -> Iterator[pl.DataFrame]:
    if findings.num_rows == 0:
        return
    names = findings.schema.names
    plain = [n for n in names if n not in ("explanation", "key")]
    parts: list[pl.Expr] = [pl.struct(plain).struct.json_encode().str.strip_suffix("}")]
    if "key" in names:
        key = pl.struct("key").struct.json_encode()  # {"key":"..."}
        parts.append(
            pl.when(pl.col("key").is_null())
            .then(pl.lit(""))
            .otherwise(pl.lit(",") + key.str.slice(1, key.str.len_chars() - 2))
        )
    if "explanation" in names:
        parts.append(
            pl.when(pl.col("explanation").is_null())
            .then(pl.lit(""))
            .otherwise(pl.lit(',"explanation":') + pl.col("explanation"))
        )
    parts.append(pl.lit("}"))
    line = pl.concat_str(parts).alias("line")
    for lo in range(0, findings.num_rows, _JSONL_CHUNK):  # bounded memory per chunk
        chunk = polars_frame(findings.slice(lo, _JSONL_CHUNK))
        yield chunk.select(line)


def _column_dict(c: ColumnSummary) -> dict[str, Any]:
    return {
        "source": c.source,
        "column": c.column,
        "rows": c.rows,
        "verdict": c.verdict,
        "name_suggests": list(c.name_suggests),
        "entities": [
            {
                "entity": e.entity,
                "rows": e.rows,
                "share": round(e.share, 4),
                "mean_score": e.mean_score,
                "max_score": e.max_score,
            }
            for e in c.entities
        ],
    }


def to_dict(report: ScanReport, lang: str | None = None) -> dict[str, Any]:
    return {
        "summary": {
            "sources": len(report.sources),
            "records": sum(s.records for s in report.sources),
            "findings": report.findings.num_rows,
            "entities": report.entity_counts,
            "partial": report.partial,
            "duration_s": round(report.duration_s, 3),
        },
        "sources": [
            {
                "source": s.name,
                "kind": s.kind,
                "format": s.format,
                "bytes": s.size,
                "records": s.records,
                "findings": s.findings,
                "status": s.status,
                "problem": s.reason(lang),
            }
            for s in report.sources
        ],
        "columns": [_column_dict(c) for c in report.columns],
        "problems": [p.message(lang) for p in report.problems],
        "findings": [f.to_dict() for f in report.finding_list()],
    }


def render_json(report: ScanReport, lang: str | None = None) -> str:
    return json.dumps(to_dict(report, lang), ensure_ascii=False, indent=2)


def print_table(report: ScanReport, console: Console, lang: str | None = None) -> None:
    """A compact console view: entities, columns, then problems."""
    # imported here: the other formats never need rich
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    def t(key: str, **kw: object) -> str:
        return message(key, lang, **kw)

    counts = report.entity_counts
    if not counts:
        console.print(t("report.scan.none"))
    else:
        table = Table(title=t("report.scan.entities"), title_justify="left")
        table.add_column(t("report.scan.entity"))
        table.add_column(t("report.scan.count"), justify="right")
        for entity, count in counts.items():
            table.add_row(f"{entity} — {entity_label(entity, lang)}", str(count))
        console.print(table)
    interesting = [c for c in report.columns if c.entities or c.name_suggests]
    if interesting:
        table = Table(title=t("report.scan.columns"), title_justify="left")
        for key in ("source", "column", "rows", "entity", "share", "confidence", "name_suggests"):
            table.add_column(t(f"report.scan.{key}"))
        for c in interesting:
            top = c.entities[0] if c.entities else None
            table.add_row(
                Text(shown(c.source)),  # names from the data: never read as markup
                Text(shown(c.column)),
                str(c.rows),
                top.entity if top else "—",
                f"{100 * top.share:.1f}%" if top else "—",
                f"{top.mean_score:.2f}" if top else "—",
                ", ".join(c.name_suggests) or "—",
            )
        console.print(table)
    for s in report.sources:
        if s.problem is not None:
            problem = escape(s.problem.message(lang))  # it names files: never read as markup
            console.print(f"[red]{message('error.prefix', lang)}:[/] {problem}")
    console.print(
        f"{len(report.sources)} {t('report.scan.total_sources')}, "
        f"{sum(s.records for s in report.sources)} {t('report.scan.total_records')}, "
        f"{report.findings.num_rows} {t('report.scan.total_findings')}. "
        + t("report.scan.duration", seconds=f"{report.duration_s:.2f}")
    )


def render_html_report(report: ScanReport, lang: str | None = None) -> str:
    """A self-contained HTML report (inline CSS and SVG) a DPO can send on."""
    code = resolve_lang(lang)
    counts = report.entity_counts
    chart = ""
    if counts:
        chart = bar_chart_svg(
            BarChart(
                labels=[entity_label(e, code) for e in counts],
                values=[float(v) for v in counts.values()],
                value_format="{:.0f}",
            )
        )
    per_source: dict[str, dict[str, int]] = {}
    if report.findings.num_rows:
        frame = polars_frame(report.findings.select(["source", "entity"]))
        by_source = (
            frame.group_by("source", "entity")
            .len()
            .sort(["source", "len", "entity"], descending=[False, True, False])
        )
        for src, ent, n in by_source.iter_rows():
            per_source.setdefault(src, {})[ent] = n
    findings = findings_from_batch(report.findings.slice(0, HTML_FINDINGS_LIMIT))
    return render_html(
        "scan.html.j2",
        {
            "report": report,
            "counts": counts,
            "chart": chart,
            "per_source": per_source,
            "columns": [c for c in report.columns if c.entities or c.name_suggests],
            "findings": findings,
            "total_findings": report.findings.num_rows,
            "records": sum(s.records for s in report.sources),
            "entity_label": lambda e: entity_label(e, code),
        },
        lang=code,
    )

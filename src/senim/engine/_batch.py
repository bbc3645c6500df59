"""The one batch function every engine runs: findings plus non-empty row counts per column."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
import pyarrow as pa

from senim._arrow import polars_series
from senim.discovery._protect import mask_preview
from senim.discovery._scanner import RESERVED, Scanner, _as_text
from senim.sources._base import KEY_COL, OFFSET_COL, RECORD_COL, SOURCE_COL

__all__ = ["RowCount", "scan_unit"]

RowCount = tuple[str, str, int]
"""(source, column, non-empty rows) for one batch: the denominators of column summaries."""


def scan_unit(
    scanner: Scanner,
    batch: pa.RecordBatch,
    *,
    source: str,
    record_offset: int = 0,
    count: bool = True,
) -> tuple[pa.RecordBatch, list[RowCount]]:
    """Scan one batch: findings (``FINDINGS_SCHEMA``) and row counts per (source, column)
    (none without ``count``: a piece of a unit, counted whole by its engine).

    Database rows carry their primary key in ``_senim_key``; it is attached to each finding
    as ``key``, with any personal value inside it masked (a table keyed by IIN).
    """
    keys: list[str | None] | None = None
    if KEY_COL in batch.schema.names:
        idx = batch.schema.get_field_index(KEY_COL)
        keys = batch.column(idx).to_pylist()
        batch = batch.remove_column(idx)
    found = scanner.scan_batch(batch, source=source, record_offset=record_offset)
    if keys is not None and found.num_rows:
        if RECORD_COL in batch.schema.names:
            records: Iterable[int] = batch.column(RECORD_COL).to_pylist()
        else:
            records = range(record_offset, record_offset + batch.num_rows)
        by_record = dict(zip(records, keys, strict=True))
        memo: dict[str, str] = {}
        shown = [
            _protect_key(scanner, by_record.get(r), memo)
            for r in found.column("record").to_pylist()
        ]
        found = found.set_column(
            found.schema.get_field_index("key"),
            found.schema.field("key"),
            pa.array(shown, pa.string()),
        )
    return found, row_counts(batch, source) if count else []


def _protect_key(scanner: Scanner, key: str | None, memo: dict[str, str]) -> str | None:
    if key is None:
        return None
    if key not in memo:
        masked = key
        for f in sorted(scanner.scan_text(key), key=lambda f: -f.start):
            masked = masked[: f.start] + mask_preview(key[f.start : f.end]) + masked[f.end :]
        memo[key] = masked
    return memo[key]


def row_counts(batch: pa.RecordBatch, source: str) -> list[RowCount]:
    """Non-empty scannable values per (source, column); nothing for text batches."""
    names = batch.schema.names
    if OFFSET_COL in names:
        return []
    per_row_source = batch.column(names.index(SOURCE_COL)) if SOURCE_COL in names else None
    out: list[RowCount] = []
    for i, name in enumerate(names):
        if name in RESERVED or name == KEY_COL:
            continue
        series = _as_text(batch.column(i))
        if per_row_source is None:
            if series is None:
                out.append((source, name, 0))
                continue
            non_empty = series.len() - series.null_count() - int((series == "").sum() or 0)
            out.append((source, name, int(non_empty)))
            continue
        src = polars_series(per_row_source, "s")
        if series is None:
            out.extend((s, name, 0) for s in src.unique(maintain_order=True).to_list())
            continue
        frame = pl.DataFrame({"s": src, "v": series})
        grouped = frame.group_by("s", maintain_order=True).agg(
            (pl.col("v").is_not_null() & (pl.col("v") != "")).sum().alias("n")
        )
        out.extend((s, name, int(n)) for s, n in grouped.iter_rows())
    return out

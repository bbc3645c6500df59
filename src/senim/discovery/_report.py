"""Scan results: findings as Arrow, per-source status, per-column summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl
import pyarrow as pa

from senim._arrow import polars_series
from senim._i18n import message
from senim.discovery._model import FINDINGS_SCHEMA, Finding, findings_from_batch
from senim.errors import SenimError

__all__ = ["ColumnSummary", "EntityShare", "ScanReport", "SourceResult"]

SourceStatus = Literal["ok", "partial", "failed", "skipped"]

COLUMN_MAJORITY = 0.5
"""Share of a column's non-empty rows above which an entity characterises the column."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EntityShare:
    """One entity in one column: how many rows hold it and how sure senim is."""

    entity: str
    rows: int
    share: float
    mean_score: float
    max_score: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnSummary:
    """What a table column holds, at a glance."""

    source: str
    column: str
    rows: int
    entities: tuple[EntityShare, ...]
    name_suggests: tuple[str, ...]

    @property
    def verdict(self) -> str | None:
        """The entity that characterises the column (majority of rows), if any."""
        best = max(self.entities, key=lambda e: e.share, default=None)
        if best is not None and best.share >= COLUMN_MAJORITY:
            return best.entity
        return None

    @property
    def name_mismatch(self) -> bool:
        """The name suggests personal data but no value confirmed it (or the reverse)."""
        found = {e.entity for e in self.entities}
        return bool(self.name_suggests) and not (found & set(self.name_suggests))


@dataclass(slots=True, kw_only=True)
class SourceResult:
    name: str
    kind: str
    format: str
    size: int = 0
    records: int = 0
    findings: int = 0
    status: SourceStatus = "ok"
    problem: SenimError | None = None
    skipped: str | None = None
    """Why a folder's file was left out (a message key), when ``status`` is ``"skipped"``."""

    def reason(self, lang: str | None = None) -> str | None:
        """Why the source was not (wholly) scanned: its problem, or why a folder left it out."""
        if self.problem is not None:
            return self.problem.message(lang)
        return message(self.skipped, lang) if self.skipped else None


@dataclass(slots=True, kw_only=True)
class ScanReport:
    """Everything one scan found. Holds no raw personal value."""

    sources: list[SourceResult] = field(default_factory=list)
    findings: pa.Table = field(default_factory=FINDINGS_SCHEMA.empty_table)
    columns: list[ColumnSummary] = field(default_factory=list)
    problems: list[SenimError] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def partial(self) -> bool:
        return bool(self.problems)

    @property
    def entity_counts(self) -> dict[str, int]:
        if self.findings.num_rows == 0:
            return {}
        counts = dict(polars_series(self.findings.column("entity")).value_counts().iter_rows())
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def finding_list(self) -> list[Finding]:
        return findings_from_batch(self.findings)

    def has_entities(self, entities: set[str]) -> bool:
        return bool(entities & set(self.entity_counts))


def summarise_columns(
    findings: pa.Table,
    rows: dict[tuple[str, str], int],
    hints: dict[tuple[str, str], tuple[str, ...]],
) -> list[ColumnSummary]:
    """Per (source, column): entities with row shares and scores, and the name's hint."""
    stats: dict[tuple[str, str], list[EntityShare]] = {}
    if findings.num_rows:
        frame = pl.from_arrow(findings)
        assert isinstance(frame, pl.DataFrame)
        grouped = (
            frame.filter(pl.col("column").is_not_null())
            .group_by("source", "column", "entity")
            .agg(
                pl.col("record").n_unique().alias("rows"),
                pl.col("score").mean().alias("mean_score"),
                pl.col("score").max().alias("max_score"),
            )
            .sort("source", "column", "rows", descending=[False, False, True])
        )
        for rec in grouped.iter_rows(named=True):
            key = (rec["source"], rec["column"])
            total = max(rows.get(key, 0), 1)
            stats.setdefault(key, []).append(
                EntityShare(
                    entity=rec["entity"],
                    rows=rec["rows"],
                    share=min(1.0, rec["rows"] / total),
                    mean_score=round(rec["mean_score"], 4),
                    max_score=round(rec["max_score"], 4),
                )
            )
    return [
        ColumnSummary(
            source=source,
            column=column,
            rows=count,
            entities=tuple(stats.get((source, column), ())),
            name_suggests=hints.get((source, column), ()),
        )
        for (source, column), count in rows.items()
    ]

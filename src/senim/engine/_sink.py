"""Where findings go while a scan runs: memory first, a spill file past a threshold.

Scanning a 400 MB export can produce millions of findings; holding them as Python objects
would make memory grow with the input. The sink keeps Arrow batches, writes them to an
uncompressed Arrow IPC file once they pass :data:`SPILL_ROWS`, and hands the report a
memory-mapped table. Entity counts and column summaries are aggregated batch by batch, so
they never need the whole table.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
import pyarrow as pa

from senim._arrow import polars_frame, polars_series
from senim.discovery._model import FINDINGS_SCHEMA
from senim.discovery._report import ColumnSummary, EntityShare, ScanReport
from senim.discovery._scanner import Scanner, _ColumnContext
from senim.engine._batch import RowCount

__all__ = ["SPILL_ROWS", "FindingsSink", "StreamedScanReport"]

SPILL_ROWS = 50_000


@dataclass(slots=True, kw_only=True)
class StreamedScanReport(ScanReport):
    """A :class:`ScanReport` whose counts were aggregated while scanning."""

    counts: dict[str, int] = field(default_factory=dict)
    reused: int = 0
    """Sources taken unchanged from the previous scan (``--incremental``)."""

    @property
    def entity_counts(self) -> dict[str, int]:
        return dict(sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass(slots=True)
class _EntityAgg:
    rows: int = 0
    n: int = 0
    total: float = 0.0
    best: float = 0.0


class FindingsSink:
    """Collects findings batches and aggregates what the report summarises."""

    def __init__(
        self,
        *,
        keep: bool = True,
        on_batch: Callable[[pa.RecordBatch], None] | None = None,
        spill_rows: int = SPILL_ROWS,
        spill_dir: str | None = None,
    ) -> None:
        self.keep = keep
        self.on_batch = on_batch
        self.spill_rows = spill_rows
        self.spill_dir = spill_dir
        self.counts: Counter[str] = Counter()
        self.rows: dict[tuple[str, str], int] = {}
        self.entities: dict[tuple[str, str, str], _EntityAgg] = {}
        self._batches: list[pa.RecordBatch] = []
        self._held = 0
        self._writer: pa.ipc.RecordBatchFileWriter | None = None
        self._path: str | None = None
        self.total = 0

    # ---- input ---------------------------------------------------------------------------
    def add(self, findings: pa.RecordBatch, counts: list[RowCount]) -> None:
        for source, column, n in counts:
            key = (source, column)
            self.rows[key] = self.rows.get(key, 0) + n
        if not findings.num_rows:
            return
        self.total += findings.num_rows
        for entity, n in polars_series(findings.column("entity")).value_counts().iter_rows():
            self.counts[entity] += n
        if findings.column("column").null_count < findings.num_rows:  # not only text
            self._summarise(findings)
        if self.on_batch is not None:
            self.on_batch(findings)
        if self.keep:
            self._hold(findings)

    def _summarise(self, findings: pa.RecordBatch) -> None:
        """Add a batch's table findings to the per-column summaries."""
        frame = polars_frame(findings.select(["source", "column", "entity", "record", "score"]))
        grouped = (
            frame.filter(pl.col("column").is_not_null())
            .group_by("source", "column", "entity")
            .agg(
                pl.col("record").n_unique().alias("rows"),
                pl.len().alias("n"),
                pl.col("score").sum().alias("total"),
                pl.col("score").max().alias("best"),
            )
        )
        for source, column, entity, rows, n, total, best in grouped.iter_rows():
            agg = self.entities.setdefault((source, column, entity), _EntityAgg())
            agg.rows += rows
            agg.n += n
            agg.total += total
            agg.best = max(agg.best, best)

    def _hold(self, batch: pa.RecordBatch) -> None:
        if self._writer is not None:
            self._writer.write_batch(batch)
            return
        self._batches.append(batch)
        self._held += batch.num_rows
        if self._held >= self.spill_rows:
            fd, self._path = tempfile.mkstemp(
                prefix="senim-findings-", suffix=".arrow", dir=self.spill_dir
            )
            os.close(fd)
            self._writer = pa.ipc.new_file(self._path, FINDINGS_SCHEMA)
            for held in self._batches:
                self._writer.write_batch(held)
            self._batches = []

    # ---- output --------------------------------------------------------------------------
    def table(self) -> pa.Table:
        """All findings kept, in scan order (memory-mapped when they were spilled)."""
        if self._writer is None:
            if not self._batches:
                return FINDINGS_SCHEMA.empty_table()
            return pa.Table.from_batches(self._batches, schema=FINDINGS_SCHEMA)
        self._writer.close()
        assert self._path is not None
        source = pa.memory_map(self._path)
        table = pa.ipc.open_file(source).read_all()
        os.unlink(self._path)  # the mapping keeps the data until the table is dropped
        return table

    def columns(self, scanner: Scanner) -> list[ColumnSummary]:
        """Per (source, column): entities with row shares and scores, and the name's hint."""
        hints: dict[str, tuple[str, ...]] = {}
        per: dict[tuple[str, str], list[EntityShare]] = {}
        for (source, column, entity), agg in self.entities.items():
            total = max(self.rows.get((source, column), 0), 1)
            per.setdefault((source, column), []).append(
                EntityShare(
                    entity=entity,
                    rows=agg.rows,
                    share=min(1.0, agg.rows / total),
                    mean_score=round(agg.total / max(agg.n, 1), 4),
                    max_score=round(agg.best, 4),
                )
            )
        out = []
        for (source, column), count in self.rows.items():
            if column not in hints:
                ctx = _ColumnContext(column)
                hints[column] = tuple(
                    sorted({d.entity for d in scanner.detectors if ctx.hint(d) is not None})
                )
            entities = sorted(per.get((source, column), []), key=lambda e: (-e.rows, e.entity))
            out.append(
                ColumnSummary(
                    source=source,
                    column=column,
                    rows=count,
                    entities=tuple(entities),
                    name_suggests=hints[column],
                )
            )
        return out

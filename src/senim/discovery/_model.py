"""Findings and their explanations: what senim found, where, how sure, and why."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyarrow as pa

__all__ = ["FINDINGS_SCHEMA", "Adjustment", "Explanation", "Finding"]


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One change to a finding's score, with the reason (``context``, ``checksum`` ...)."""

    reason: str
    delta: float
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Explanation:
    """How a finding was produced: detector and version, pattern, base score, adjustments."""

    detector: str
    version: str
    pattern: str
    base_score: float
    adjustments: tuple[Adjustment, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "detector": self.detector,
            "version": self.version,
            "pattern": self.pattern,
            "base_score": self.base_score,
            "adjustments": [
                {"reason": a.reason, "delta": a.delta, "detail": a.detail} for a in self.adjustments
            ],
        }

    def to_json(self) -> str:
        """Compact JSON; explanations repeat a lot, so each distinct one is encoded once."""
        return _explanation_json(self)

    @classmethod
    def from_json(cls, text: str) -> Explanation:
        data = json.loads(text)
        adjustments = tuple(Adjustment(**a) for a in data.pop("adjustments", []))
        return cls(adjustments=adjustments, **data)


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """A personal-data finding. Never holds the raw value: only offsets, preview and hash.

    ``start``/``end`` are character offsets into the scanned value (the whole text of a plain
    text file, or the cell of a table). ``record`` is the row (or JSONL line) index, ``column``
    the field, both ``None`` for plain text.
    """

    entity: str
    start: int
    end: int
    score: float
    detector: str
    source: str = ""
    record: int | None = None
    column: str | None = None
    preview: str = ""
    digest: str = ""
    explanation: Explanation | None = field(default=None, compare=False)
    key: str | None = None
    """Primary key of a database row (``id=42``), personal values in it masked."""

    def to_dict(self, *, explain: bool = True) -> dict[str, Any]:
        """The JSONL contract of ARCHITECTURE.md plus ``preview``, ``digest``, ``explanation``."""
        data: dict[str, Any] = {
            "source": self.source,
            "record": self.record,
            "column": self.column,
            "start": self.start,
            "end": self.end,
            "entity": self.entity,
            "score": round(self.score, 4),
            "detector": self.detector,
            "preview": self.preview,
            "digest": self.digest,
        }
        if self.key is not None:
            data["key"] = self.key
        if explain and self.explanation is not None:
            data["explanation"] = self.explanation.to_dict()
        return data


@lru_cache(maxsize=4096)
def _explanation_json(e: Explanation) -> str:
    return json.dumps(e.to_dict(), ensure_ascii=False, separators=(",", ":"))


FINDINGS_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("record", pa.int64()),
        pa.field("column", pa.string()),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("entity", pa.string(), nullable=False),
        pa.field("score", pa.float64(), nullable=False),
        pa.field("detector", pa.string(), nullable=False),
        pa.field("preview", pa.string(), nullable=False),
        pa.field("digest", pa.string(), nullable=False),
        pa.field("explanation", pa.string()),
        pa.field("key", pa.string()),
    ]
)
"""Arrow schema of a findings batch (``scan_batch`` output; the Spark ``mapInArrow`` schema)."""


def findings_to_batch(findings: list[Finding]) -> pa.RecordBatch:
    columns: dict[str, list[Any]] = {name: [] for name in FINDINGS_SCHEMA.names}
    for f in findings:
        columns["source"].append(f.source)
        columns["record"].append(f.record)
        columns["column"].append(f.column)
        columns["start"].append(f.start)
        columns["end"].append(f.end)
        columns["entity"].append(f.entity)
        columns["score"].append(f.score)
        columns["detector"].append(f.detector)
        columns["preview"].append(f.preview)
        columns["digest"].append(f.digest)
        columns["explanation"].append(f.explanation.to_json() if f.explanation else None)
        columns["key"].append(f.key)
    return pa.RecordBatch.from_pydict(columns, schema=FINDINGS_SCHEMA)


def findings_from_batch(batch: pa.RecordBatch | pa.Table) -> list[Finding]:
    rows = batch.to_pylist()
    out = []
    for row in rows:
        expl = row.pop("explanation")
        out.append(Finding(explanation=Explanation.from_json(expl) if expl else None, **row))
    return out

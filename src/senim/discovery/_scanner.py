"""The scanning engine: one batch function, used for text, tables, files and Spark.

:meth:`Scanner.scan_batch` takes an Arrow record batch and returns a findings batch
(:data:`~senim.discovery._model.FINDINGS_SCHEMA`). Patterns first run over whole columns in
polars (Rust regex) to pick candidate rows; only those rows are matched in Python, where
candidates are validated (checksums), scored with context words and explained. Repeated
values in a column are analysed once.

Reserved input columns (added by readers and by the Spark engine) carry provenance:
``_senim_source`` (source name per row), ``_senim_record`` (record index per row) and
``_senim_offset`` (character offset of a text chunk inside its file; marks text sources).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pyarrow as pa

from senim.discovery._context import words
from senim.discovery._detector import CONTEXT_BOOST, Detector
from senim.discovery._model import (
    FINDINGS_SCHEMA,
    Adjustment,
    Explanation,
    Finding,
    findings_from_batch,
    findings_to_batch,
)
from senim.discovery._protect import KeyedHasher, mask_preview
from senim.discovery._registry import DetectorRegistry
from senim.discovery.detectors.person import PersonDetector

__all__ = ["OFFSET_COL", "RECORD_COL", "RESERVED", "SOURCE_COL", "Scanner"]

SOURCE_COL = "_senim_source"
RECORD_COL = "_senim_record"
OFFSET_COL = "_senim_offset"
RESERVED = frozenset({SOURCE_COL, RECORD_COL, OFFSET_COL})

_WORDS_BEFORE = 6
_WORDS_AFTER = 3
_CHARS_BEFORE = 80
_CHARS_AFTER = 40
_CAMEL = re.compile(r"(?<=[a-zа-я])(?=[A-ZА-Я])")


def column_words(name: str) -> list[str]:
    """Words of a column name: ``clientPhone_2`` -> ``["client", "phone", "2"]``."""
    return words(_CAMEL.sub(" ", name).replace("_", " ").replace(".", " "))


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    score: float
    detector: Detector
    explanation: Explanation


@dataclass(slots=True)
class _ColumnContext:
    """Per (column, detector): does the column name act as context for the detector?"""

    name: str | None
    cache: dict[str, str | None] = field(default_factory=dict)

    def hint(self, detector: Detector) -> str | None:
        """Does the column name suggest this detector's entity (column hints only)?"""
        if self.name is None:
            return None
        return detector.column_matcher.find(column_words(self.name)) or _match_hint(
            self.name, detector.column_hints
        )

    def term(self, detector: Detector) -> str | None:
        if self.name is None:
            return None
        if detector.name not in self.cache:
            tokens = column_words(self.name)
            hit = detector.context_matcher.find(tokens)
            if hit is None:
                hit = detector.column_matcher.find(tokens)
                if hit is None and detector.column_hints:
                    hit = _match_hint(self.name, detector.column_hints)
            self.cache[detector.name] = hit
        return self.cache[detector.name]


def _match_hint(column: str, hints: Sequence[str]) -> str | None:
    """Glob-like column hints: ``phone*`` (prefix), ``*_ip`` (suffix), exact otherwise."""
    low = column.casefold()
    for hint in hints:
        h = hint.casefold()
        if h.startswith("*") and low.endswith(h[1:]):
            return hint
        if h.endswith("*") and low.startswith(h[:-1]):
            return hint
        if low == h:
            return hint
    return None


class Scanner:
    """Finds personal data in text and Arrow batches with a set of detectors.

    >>> from senim import Scanner
    >>> [f.entity for f in Scanner().scan_text("ИИН 900101300007")]
    ['KZ_IIN']
    """

    def __init__(
        self,
        *,
        registry: DetectorRegistry | None = None,
        entities: Iterable[str] | None = None,
        min_score: float = 0.4,
        ner: bool = False,
        hasher: KeyedHasher | None = None,
    ) -> None:
        self.registry = registry if registry is not None else DetectorRegistry.default()
        detectors = self.registry.select(list(entities) if entities is not None else None)
        if ner:
            detectors = [PersonDetector(ner=True) if d.name == "person" else d for d in detectors]
        self.detectors: tuple[Detector, ...] = tuple(detectors)
        self.min_score = min_score
        self.ner = ner
        self.hasher = hasher if hasher is not None else KeyedHasher()
        self._prefilters = [(d, d.prefilter()) for d in self.detectors]

    # ---- text ---------------------------------------------------------------------------
    def scan_text(
        self,
        text: str,
        *,
        source: str = "<text>",
        record: int | None = None,
        column: str | None = None,
    ) -> list[Finding]:
        """Findings in one string (offsets are characters into ``text``)."""
        hits = self._analyse(text, self.detectors, _ColumnContext(column))
        return [self._finding(h, text, source, record, column) for h in hits]

    # ---- batches ------------------------------------------------------------------------
    def scan_batch(
        self,
        batch: pa.RecordBatch | pa.Table,
        *,
        source: str = "<table>",
        record_offset: int = 0,
        columns: Sequence[str] | None = None,
    ) -> pa.RecordBatch:
        """Findings in every text-like column of ``batch`` (see module doc for reserved columns).

        Records are numbered from ``record_offset`` unless the batch carries ``_senim_record``.
        """
        if isinstance(batch, pa.Table):
            parts = [
                self.scan_batch(
                    b, source=source, record_offset=record_offset + off, columns=columns
                )
                for b, off in _with_offsets(batch.to_batches())
            ]
            return _concat(parts)
        names = batch.schema.names
        sources = _column_or(batch, SOURCE_COL)
        records = _column_or(batch, RECORD_COL)
        offsets = _column_or(batch, OFFSET_COL)
        is_text = offsets is not None
        findings: list[Finding] = []
        for name in columns if columns is not None else names:
            if name in RESERVED:
                continue
            values = _as_text(batch.column(names.index(name)))
            if values is None:
                continue
            ctx = _ColumnContext(None if is_text else name)
            memo: dict[str, list[_Hit]] = {}
            for row, text, dets in self._candidate_rows(values):
                hits = memo.get(text)
                if hits is None:
                    hits = memo[text] = self._analyse(text, dets, ctx)
                if not hits:
                    continue
                src = sources[row] if sources is not None else source
                base = offsets[row] if offsets is not None else 0
                record: int | None
                if is_text:
                    record = None
                elif records is not None:
                    record = records[row]
                else:
                    record = record_offset + row
                col = None if is_text else name
                for hit in hits:
                    findings.append(self._finding(hit, text, src, record, col, base))
        return findings_to_batch(findings)

    def scan_batch_findings(self, batch: pa.RecordBatch, **kwargs: Any) -> list[Finding]:
        """:meth:`scan_batch`, as :class:`Finding` objects."""
        return findings_from_batch(self.scan_batch(batch, **kwargs))

    # ---- internals ----------------------------------------------------------------------
    def _candidate_rows(self, values: pl.Series) -> Iterable[tuple[int, str, tuple[Detector, ...]]]:
        """Rows worth matching, with the detectors whose column pre-filter they passed."""
        if values.len() == 0:
            return
        frame = pl.DataFrame({"v": values})
        exprs = []
        for i, (_det, rx) in enumerate(self._prefilters):
            expr = pl.col("v").str.contains(rx) if rx is not None else pl.col("v").is_not_null()
            exprs.append(expr.fill_null(False).alias(f"d{i}"))
        flags = frame.select(exprs)
        any_hit = flags.select(pl.any_horizontal(pl.all()).alias("any"))["any"]
        idx = any_hit.arg_true().to_list()
        if not idx:
            return
        sub = flags[idx].to_numpy()
        texts = values.gather(idx).to_list()
        detectors = [d for d, _ in self._prefilters]
        for j, row in enumerate(idx):
            text = texts[j]
            if text is None:
                continue
            yield row, text, tuple(d for k, d in enumerate(detectors) if sub[j, k])

    def _analyse(self, text: str, detectors: Sequence[Detector], ctx: _ColumnContext) -> list[_Hit]:
        hits: list[_Hit] = []
        tokens_cache: dict[tuple[int, int], list[str]] = {}
        for det in detectors:
            col_term = ctx.term(det)
            for cand in det.candidates(text):
                value = text[cand.start : cand.end]
                score = cand.score
                adjustments: list[Adjustment] = []
                verdict = det.validate(value)
                if verdict is False or det.invalidate(value):
                    continue
                if verdict is True and det.validated_score > score:
                    adjustments.append(
                        Adjustment("validated", round(det.validated_score - score, 4))
                    )
                    score = det.validated_score
                term = col_term
                where = "column"
                if term is None and det.context_matcher:
                    key = (cand.start, cand.end)
                    if key not in tokens_cache:
                        tokens_cache[key] = _window(text, cand.start, cand.end)
                    term = det.context_matcher.find(tokens_cache[key])
                    where = "text"
                if term is not None:
                    boost = min(1.0, score + CONTEXT_BOOST) - score
                    adjustments.append(Adjustment("context", round(boost, 4), f"{where}:{term}"))
                    score += boost
                elif det.context_required:
                    continue
                if score < self.min_score:
                    continue
                hits.append(
                    _Hit(
                        cand.start,
                        cand.end,
                        score,
                        det,
                        Explanation(
                            detector=det.name,
                            version=det.version,
                            pattern=cand.pattern,
                            base_score=cand.score,
                            adjustments=tuple(adjustments),
                        ),
                    )
                )
        return _resolve_overlaps(hits)

    def _finding(
        self,
        hit: _Hit,
        text: str,
        source: str,
        record: int | None,
        column: str | None,
        base: int = 0,
    ) -> Finding:
        value = text[hit.start : hit.end]
        return Finding(
            entity=hit.detector.entity,
            start=hit.start + base,
            end=hit.end + base,
            score=round(hit.score, 4),
            detector=hit.detector.name,
            source=source,
            record=record,
            column=column,
            preview=mask_preview(value),
            digest=self.hasher.digest(hit.detector.entity, value),
            explanation=hit.explanation,
        )


def _with_offsets(batches: list[pa.RecordBatch]) -> Iterable[tuple[pa.RecordBatch, int]]:
    offset = 0
    for b in batches:
        yield b, offset
        offset += b.num_rows


def _concat(parts: list[pa.RecordBatch]) -> pa.RecordBatch:
    if not parts:
        return findings_to_batch([])
    if len(parts) == 1:
        return parts[0]
    return pa.Table.from_batches(parts, schema=FINDINGS_SCHEMA).combine_chunks().to_batches()[0]


def _window(text: str, start: int, end: int) -> list[str]:
    before = words(text[max(0, start - _CHARS_BEFORE) : start])[-_WORDS_BEFORE:]
    after = words(text[end : end + _CHARS_AFTER])[:_WORDS_AFTER]
    return before + after


def _resolve_overlaps(hits: list[_Hit]) -> list[_Hit]:
    """Keep the best of overlapping hits (higher score, then longer span, then earlier)."""
    if len(hits) < 2:
        return hits
    ranked = sorted(hits, key=lambda h: (-h.score, -(h.end - h.start), h.start))
    kept: list[_Hit] = []
    for hit in ranked:
        if all(hit.end <= k.start or k.end <= hit.start for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: (h.start, h.end))


def _column_or(batch: pa.RecordBatch, name: str) -> list[Any] | None:
    if name not in batch.schema.names:
        return None
    values: list[Any] = batch.column(batch.schema.names.index(name)).to_pylist()
    return values


def _as_text(array: pa.Array) -> pl.Series | None:
    """The column as a polars string Series, or ``None`` for types that cannot hold PD text.

    Strings are scanned as they are; integers, dates and timestamps are scanned in their
    canonical text form (an IIN stored as a number, a birth date column); floats, booleans
    and binary data are not.
    """
    t = array.type
    if pa.types.is_dictionary(t):
        array = array.cast(t.value_type)
        t = array.type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        series = pl.Series(array)
        return series.cast(pl.String)
    if pa.types.is_integer(t) or pa.types.is_temporal(t):
        return pl.Series(array).cast(pl.String)
    return None

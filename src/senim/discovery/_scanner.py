"""The scanning engine: one batch function, used for text, tables, files and Spark.

:meth:`Scanner.scan_batch` takes an Arrow record batch and returns a findings batch
(:data:`~senim.discovery._model.FINDINGS_SCHEMA`). Each pattern extracts its matches from a
whole column at once in polars (Rust regex), rows without any of a context-only detector's
words left out; matches are located and their boundaries checked, each distinct bounded
match is validated once (checksums), and the valid ones are scored by the context words
near them and explained. :meth:`Scanner.scan_text` applies the same rule to one string (a
property test keeps the two paths in agreement); a column of a few short values
(:data:`_FEW_CHARS` characters) takes that per-string path too, where polars' fixed cost
per pass would outweigh the work.

Reserved input columns (added by readers and by the Spark engine) carry provenance:
``_senim_source`` (source name per row), ``_senim_record`` (record index per row) and
``_senim_offset`` (character offset of a text chunk inside its file; marks text sources).

The per-candidate and per-finding steps that are the same for every detector (locating,
boundaries, context windows and words, scoring, the findings batch's columns) have compiled
twins in ``_kernel.pyx``, used when the install built it (:mod:`senim.discovery._native`);
the Python functions here named ``*_py`` are their references.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from operator import attrgetter
from typing import Any, Final, Generic, NamedTuple, TypeVar

import polars as pl
import pyarrow as pa

from senim._arrow import compute, polars_series
from senim._collector import collector_paused
from senim.discovery._context import fold, words
from senim.discovery._detector import CONTEXT_BOOST, Candidate, Detector
from senim.discovery._model import (
    FINDINGS_SCHEMA,
    Adjustment,
    Explanation,
    Finding,
    findings_from_batch,
    findings_to_batch,
)
from senim.discovery._native import kernel
from senim.discovery._protect import KeyedHasher, mask_preview
from senim.discovery._registry import DetectorRegistry
from senim.discovery.detectors.person import PersonDetector

__all__ = ["OFFSET_COL", "RECORD_COL", "RESERVED", "SOURCE_COL", "Scanner"]

SOURCE_COL = "_senim_source"
RECORD_COL = "_senim_record"
OFFSET_COL = "_senim_offset"
RESERVED = frozenset({SOURCE_COL, RECORD_COL, OFFSET_COL})

_CHARS_BEFORE = 60
_SLICE_ROWS = 16384
_CHARS_AFTER = 40
_MEMO_SIZE = 8192
_DISTINCT_SHARE = 0.75
"""Findings of a batch whose (entity, value) pairs are more distinct than this share are
masked and hashed one by one, without the memo: a miss costs about a fifth of what a hit
saves, and text (85% distinct in the speed benchmark) gains nothing from it."""
_UNITS_SIZE = 1 << 16
"""At most this many units (runs of capitalised words) whose candidates are remembered per
detector: letters and tables repeat the same names, places and headings (in the speed
benchmark's letters, 29,022 distinct units of 486,989), and analysing a unit costs far more
than a look-up."""
_MEMOS = ("_memo", "_near", "_columns", "_shown", "_units")
"""The scanner's memos: never pickled (helpers start their own)."""
_CELL_CHARS = 64
"""Columns whose values average at most this many characters are treated as table cells."""
_PRESENT_HEAD = 256
"""Rows of a column of cells tested first for the regexes present (see :meth:`Scanner._present`)."""
_PRESENT_MIXED = 0.5
"""Share of the regexes found in the head of a column of cells from which the rest of it
is not tested (see :meth:`Scanner._present`)."""
_ENGINE: Final = "in-memory"
"""The polars engine that runs the extractions. polars 2 defaults to its streaming engine,
whose per-query set-up and threads of its own (each with its own cache of compiled regexes)
cost a batch of letters about a tenth more CPU than the in-memory engine's, for the same
matches."""
_STACKED_VALUES = 1 << 16
"""At most this many values of columns scanned together (see :meth:`Scanner._scan_columns`)."""
_FEW_CHARS = 1024
"""Columns (or stacks of columns) of at most this many characters in all are scanned value
by value on the per-string path (:meth:`Scanner.scan_text`'s): below it, polars' fixed cost
per pass outweighs the work."""
_UNSEEN: Any = object()
_K = TypeVar("_K")
_V = TypeVar("_V")
_CAMEL = re.compile(r"(?<=[a-zа-я])(?=[A-ZА-Я])")


def column_words(name: str) -> list[str]:
    """Words of a column name: ``clientPhone_2`` -> ``["client", "phone", "2"]``."""
    return words(_CAMEL.sub(" ", name).replace("_", " ").replace(".", " "))


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    score: float
    detector: Detector
    pattern: str
    base: float
    adjustments: tuple[tuple[str, float, str], ...]
    value: str | None = None
    """The value when it differs from the span's text (zeros an integer column dropped)."""

    @property
    def explanation(self) -> Explanation:
        return _explanation(
            self.detector.name, self.detector.version, self.pattern, self.base, self.adjustments
        )

    def explanation_json(self) -> str:
        """Explanations repeat a lot: each distinct one is built and encoded once."""
        det = self.detector
        key = (det.name, det.version, self.pattern, self.base, self.adjustments)
        found = _EXPLANATION_JSON.get(key)
        if found is None:
            found = _remember(_EXPLANATION_JSON, key, _explanation(*key).to_json())
        return found


_EXPLANATION_JSON: dict[tuple[str, str, str, float, tuple[tuple[str, float, str], ...]], str] = {}


@lru_cache(maxsize=8192)
def _explanation(
    detector: str,
    version: str,
    pattern: str,
    base: float,
    adjustments: tuple[tuple[str, float, str], ...],
) -> Explanation:
    return Explanation(
        detector=detector,
        version=version,
        pattern=pattern,
        base_score=base,
        adjustments=tuple(Adjustment(*a) for a in adjustments),
    )


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

    def negative(self, detector: Detector) -> bool:
        """Does the column name say the values are something else (``version`` for IPs)?"""
        if self.name is None or not detector.negative_matcher:
            return False
        key = "!" + detector.name
        if key not in self.cache:
            self.cache[key] = detector.negative_matcher.find(column_words(self.name))
        return self.cache[key] is not None

    def term(self, detector: Detector) -> str | None:
        """The context word the column name supplies (a context term or a column hint)."""
        if self.name is None:
            return None
        if detector.name not in self.cache:
            found = detector.context_matcher.find(column_words(self.name))
            self.cache[detector.name] = found or self.hint(detector)
        return self.cache[detector.name]


class _Planned(NamedTuple):
    """A column of a batch to scan: its name, values as text, what its name says."""

    name: str
    values: pl.Series
    ctx: _ColumnContext
    integers: bool


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
        self._memo: dict[str, dict[str, Any]] = {}
        """Verdicts per detector of recent distinct values (columns repeat IINs, phones...)."""
        self._units: dict[str, dict[str, list[Candidate]]] = {}
        """Candidates of recent distinct units, per detector with its own candidate logic."""
        self._near: _Thrifty[tuple[str, str, str, _Near | None], tuple[bool, str | None]]
        self._near = _Thrifty()
        self._columns: dict[str | None, _ColumnContext] = {}
        self._shown: dict[str, dict[str, tuple[str, str]]] = {}
        """Masked preview and digest of recent distinct values, per entity: a table repeats
        a client's name or IIN on many rows (one memo each, so unique phone numbers do not
        push out repeated names)."""

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in _MEMOS}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for memo in _MEMOS:
            setattr(self, memo, {})
        self._near = _Thrifty()

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
        hits = self._analyse(text, self.detectors, self._column(column))
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
        Python's cyclic garbage collector is paused meanwhile
        (:func:`~senim._collector.collector_paused`).
        """
        with collector_paused():
            return self._scan_batch(batch, source, record_offset, columns)

    def _scan_batch(
        self,
        batch: pa.RecordBatch | pa.Table,
        source: str,
        record_offset: int,
        columns: Sequence[str] | None,
    ) -> pa.RecordBatch:
        if isinstance(batch, pa.RecordBatch) and batch.num_rows > _SLICE_ROWS:
            # bounded working memory: polars intermediates grow with the rows in flight
            parts = [
                self._scan_batch(batch.slice(lo, _SLICE_ROWS), source, record_offset + lo, columns)
                for lo in range(0, batch.num_rows, _SLICE_ROWS)
            ]
            return _concat(parts)
        if isinstance(batch, pa.Table):
            parts = [
                self._scan_batch(b, source, record_offset + off, columns)
                for b, off in _with_offsets(batch.to_batches())
            ]
            return _concat(parts)
        names = batch.schema.names
        sources = _column_or(batch, SOURCE_COL)
        records = _column_or(batch, RECORD_COL)
        offsets = _column_or(batch, OFFSET_COL)
        is_text = offsets is not None
        out = _Columns(self)
        plan: list[_Planned] = []
        for name in columns if columns is not None else names:
            if name in RESERVED:
                continue
            array = batch.column(names.index(name))
            values = _as_text(array)
            if values is None:
                continue
            ctx = self._column(None if is_text else name)
            plan.append(_Planned(name, values, ctx, pa.types.is_integer(array.type)))
        add = out.rows.append
        for (name, *_), (texts, found) in zip(plan, self._scan_columns(plan), strict=True):
            col = None if is_text else name
            for row, hits in sorted(found.items()):
                text = texts[row]
                assert text is not None
                src = sources[row] if sources is not None else source
                base = offsets[row] if offsets is not None else 0
                record: int | None
                if is_text:
                    record = None
                elif records is not None:
                    record = records[row]
                else:
                    record = record_offset + row
                for hit in _resolve_overlaps(hits):
                    add((hit, text, src, record, col, base))
        return out.batch()

    def scan_batch_findings(self, batch: pa.RecordBatch, **kwargs: Any) -> list[Finding]:
        """:meth:`scan_batch`, as :class:`Finding` objects."""
        return findings_from_batch(self.scan_batch(batch, **kwargs))

    # ---- internals ----------------------------------------------------------------------
    def _scan_columns(
        self, plan: list[_Planned]
    ) -> list[tuple[list[str | None], dict[int, list[_Hit]]]]:
        """Each planned column's values and hits per row, columns that the same rule applies
        to scanned together.

        Columns whose names say the same to every detector (the same context word, or
        none, the same exclusions), of the same kind (integers or not; cells or free text)
        are stacked into one column of at most :data:`_STACKED_VALUES` values, so that a
        wide export costs a few polars passes per batch rather than a few per column; hits
        are then split back by column.
        """
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i, item in enumerate(plan):
            mean = item.values.str.len_chars().mean()
            cells = isinstance(mean, float) and mean <= _CELL_CHARS
            groups.setdefault((self._says(item.ctx), item.integers, cells), []).append(i)
        results: list[tuple[list[str | None], dict[int, list[_Hit]]]] = [([], {})] * len(plan)
        for (_, integers, cells), members in groups.items():
            rows = max(1, max(plan[i].values.len() for i in members))
            per_stack = max(1, _STACKED_VALUES // rows)
            for lo in range(0, len(members), per_stack):
                stack = members[lo : lo + per_stack]
                values = (
                    plan[stack[0]].values
                    if len(stack) == 1
                    else pl.concat([plan[i].values.alias("v") for i in stack])
                )
                texts: list[str | None] = values.to_list()
                found = self._scan_column(values, texts, plan[stack[0]].ctx, integers, cells)
                starts = [0]
                for i in stack:
                    starts.append(starts[-1] + plan[i].values.len())
                split: list[dict[int, list[_Hit]]] = [{} for _ in stack]
                for row, hits in found.items():
                    k = bisect_right(starts, row) - 1
                    split[k][row - starts[k]] = hits
                for k, i in enumerate(stack):
                    results[i] = (texts[starts[k] : starts[k + 1]], split[k])
        return results

    def _says(self, ctx: _ColumnContext) -> tuple[tuple[str | None, bool], ...]:
        """What a column's name says to each detector (context word, exclusion)."""
        return tuple((ctx.term(det), ctx.negative(det)) for det in self.detectors)

    def _scan_column(
        self,
        values: pl.Series,
        texts: list[str | None],
        ctx: _ColumnContext,
        integers: bool = False,
        cells: bool = False,
    ) -> dict[int, list[_Hit]]:
        """Candidates of every detector over a whole column, validated per distinct value.

        Regular-expression detectors extract matches with polars (Rust regex) for all rows
        at once (for detectors that need a context word, only from rows holding one, see
        :attr:`Detector.context_gate`); the matches are located and their boundaries
        checked, each distinct bounded match is validated once, and the valid ones are
        scored by their context. In a column of ``integers``, shorter whole numbers are also
        zero-filled for detectors of fixed-length identifiers (:attr:`Detector.integer_digits`).
        Detectors with their own candidate logic (PERSON) declare
        ``unit_regex``: the units (runs of capitalised words) are extracted the same way,
        each distinct unit is analysed once, and only rows holding a name are located.
        In a column of table ``cells`` (short values) the regexes present anywhere are found
        first, and only those are extracted (:meth:`_present`).
        """
        hits: dict[int, list[_Hit]] = {}
        if values.len() == 0 or values.null_count() == values.len():
            return hits
        if _few_chars(texts):
            # a few short values (a small table, a short file): polars' fixed cost per
            # pass would outweigh the work, so each value takes the per-string path
            return self._few_hits(texts, ctx, integers)
        frame = pl.DataFrame({"v": values}).with_row_index("row")
        present = self._present(frame) if cells else None
        # context-required detectors look only at rows holding one of their context words
        gates = {
            det.name: None if ctx.term(det) is not None else det.context_gate
            for det in self.detectors
        }
        wanted = {
            (rx, gates[det.name]): None
            for det in self.detectors
            if not ctx.negative(det)
            for rx in _extraction_regexes(det)
            if present is None or rx in present
        }
        extracted = _extract(frame, list(wanted), self._shortcuts, self._fast_units)
        for det in self.detectors:
            if ctx.negative(det):
                continue
            col_term = ctx.term(det)
            gate = gates[det.name]
            seen: set[tuple[int, int, int]] = set()
            if det.extracts_by_pattern():
                memo = self._memo.setdefault(det.name, {})
                judge = self._judge(det)
                several = len(det.patterns) > 1  # spans repeat only across patterns
                bounded: dict[str, tuple[_Matches, list[int]]] = {}
                for pattern in det.patterns:
                    found = extracted.get((pattern.rust(), gate))
                    if found is not None:
                        if not found.starts:
                            found.locate(texts)
                        bounded[pattern.name] = (found, found.bounded(det, texts))
                row_spans = _row_spans(bounded.values()) if det.context_nearest else None
                for pattern in det.patterns:
                    if pattern.name not in bounded:
                        continue
                    found, kept = bounded[pattern.name]
                    verdicts = (
                        dict.fromkeys(found.values[i] for i in kept)
                        if judge is None
                        else _verdicts(found.values, kept, memo, judge)
                    )
                    if not verdicts:
                        continue
                    _score_matches(
                        self,
                        det,
                        pattern.name,
                        pattern.score,
                        found,
                        kept,
                        verdicts,
                        texts,
                        col_term,
                        row_spans,
                        seen if several else None,
                        hits,
                    )
                if integers and det.integer_digits:
                    self._zero_filled(det, frame, memo, col_term, hits)
                continue
            unit = det.unit_regex()
            if unit is not None:
                units = extracted.get((unit, gate))
                if units is None:
                    continue
                per_unit: dict[str, list[Candidate]] = {}
                known = self._units.setdefault(det.name, {})
                for value in dict.fromkeys(units.values):
                    cands = known.get(value)
                    if cands is None:
                        cands = _remember(known, value, list(det.candidates(value)), _UNITS_SIZE)
                    if cands:
                        per_unit[value] = cands
                if not per_unit:
                    continue
                # only rows holding a name need positions
                boundary = det.boundary if type(det)._bounded is Detector._bounded else None
                located = _units_located(units.rows, units.values, texts, per_unit, det, boundary)
                for row, found_here in located.items():
                    text = texts[row]
                    assert text is not None
                    _row_hits(self, det, text, found_here, col_term, hits.setdefault(row, []))
                continue
            rx = det.prefilter()
            mask = frame["v"].str.contains(rx) if rx is not None else frame["v"].is_not_null()
            if gate is not None:
                mask &= frame["v"].str.contains(gate)
            for row in mask.fill_null(False).arg_true().to_list():
                text = texts[row]
                assert text is not None
                bounded_cands = _bounded_candidates(det, text)
                _row_hits(self, det, text, bounded_cands, col_term, hits.setdefault(row, []))
        return {row: found for row, found in hits.items() if found}

    def _zero_filled(
        self,
        det: Detector,
        frame: pl.DataFrame,
        memo: dict[str, Any],
        col_term: str | None,
        hits: dict[int, list[_Hit]],
    ) -> None:
        """Integers that lost the leading zeros of ``det``'s fixed-length identifier, in
        column ``v`` of ``frame`` (see :meth:`_zero_filled_hit`)."""
        width = det.integer_digits
        assert width is not None
        length = pl.col("v").str.len_chars()
        short = frame.filter(
            length.is_between(width - det.integer_zeros, width - 1)
            & pl.col("v").str.contains(r"^\d+$")
        )
        for row, text in zip(short["row"].to_list(), short["v"].to_list(), strict=True):
            found = hits.setdefault(row, [])
            hit = self._zero_filled_hit(det, text, memo, col_term, found)
            if hit is not None:
                found.append(hit)

    def _zero_filled_hit(
        self,
        det: Detector,
        text: str,
        memo: dict[str, Any],
        col_term: str | None,
        found: Sequence[_Hit],
    ) -> _Hit | None:
        """The hit of an integer (``text``: its digits, fewer than ``det``'s fixed length)
        that lost the leading zeros of ``det``'s identifier, unless ``det`` already found it
        whole (``found``: the value's hits so far).

        ``10203500001`` in an integer column is the IIN ``010203500001``: the zero-filled
        value is validated and reported with the column value's span; its preview and
        digest are those of the identifier, so it matches the same IIN written as text.
        """
        width = det.integer_digits
        assert width is not None
        value = text.zfill(width)
        pattern = next((p for p, rx in det._compiled if rx.fullmatch(value)), None)
        if pattern is None or any(
            h.detector is det and (h.start, h.end) == (0, len(text)) for h in found
        ):
            return None
        verdict = memo.get(value, _UNSEEN)
        if verdict is _UNSEEN:
            verdict = _remember(memo, value, self._verdict(det, value))
        if verdict is False:
            return None
        hit = self._score(det, text, 0, len(text), pattern.name, pattern.score, verdict, col_term)
        if hit is not None:
            zeros = ("leading_zeros", 0.0, f"integer column: {width - len(text)} restored")
            hit.adjustments = (*hit.adjustments, zeros)
            hit.value = value
        return hit

    def _few_hits(
        self, texts: list[str | None], ctx: _ColumnContext, integers: bool
    ) -> dict[int, list[_Hit]]:
        """:meth:`_scan_column` for a few short values: each on the per-string path, with
        the hits in the order the polars path gives them (detector by detector, each
        detector's zero-filled integer after its own hits)."""
        hits: dict[int, list[_Hit]] = {}
        fill = {
            det.name
            for det in self.detectors
            if integers
            and det.integer_digits
            and det.extracts_by_pattern()
            and not ctx.negative(det)
        }
        for row, text in enumerate(texts):
            if not text:
                continue
            if not fill:
                found = self._text_hits(text, self.detectors, ctx)
            else:
                found = []
                for det in self.detectors:
                    found += self._text_hits(text, (det,), ctx)
                    width = det.integer_digits
                    if (
                        det.name in fill
                        and width is not None
                        and width - det.integer_zeros <= len(text) < width
                        and text.isascii()
                        and text.isdigit()
                    ):
                        memo = self._memo.setdefault(det.name, {})
                        hit = self._zero_filled_hit(det, text, memo, ctx.term(det), found)
                        if hit is not None:
                            found.append(hit)
            if found:
                hits[row] = found
        return hits

    def _present(self, frame: pl.DataFrame) -> set[str]:
        """The extraction regexes that match somewhere in column ``v``: one or two polars passes.

        Used for columns of short values (table cells): most hold one kind of value, so
        most patterns match nowhere, and testing them all at once (in parallel, no captures)
        spares an extraction each. Free text holds every kind, so there it would only add.

        The first :data:`_PRESENT_HEAD` rows are tested first, and only the regexes absent
        from them on the other rows: a column of one kind pays little for the head. When the
        head already holds at least :data:`_PRESENT_MIXED` of the regexes (short documents,
        messages: most kinds of value within a few rows), every regex is extracted and the
        rest is not tested: testing a regex on the rest costs about what extracting it does,
        and only rules out the few still absent.
        """
        present: set[str] = set()
        rest = self._regexes
        for part in (frame.head(_PRESENT_HEAD), frame.slice(_PRESENT_HEAD)):
            if not rest or not part.height:
                continue
            if present and len(present) >= _PRESENT_MIXED * len(self._regexes):
                return set(self._regexes)
            found = part.select(_expression("any", rx) for rx in rest).row(0)
            present.update(rx for rx, hit in zip(rest, found, strict=True) if hit)
            rest = tuple(rx for rx in rest if rx not in present)
        return present

    @cached_property
    def _regexes(self) -> tuple[str, ...]:
        return tuple({rx: None for det in self.detectors for rx in _extraction_regexes(det)})

    @cached_property
    def _shortcuts(self) -> dict[str, _Shortcut]:
        """For extraction regexes that have one, the words a row must hold to be searched
        with the regex itself, and the regex for the other rows (``None``: no match there):
        a pattern's :attr:`~Pattern.requires`."""
        found: dict[str, _Shortcut] = {}
        for det in self.detectors:
            if det.extracts_by_pattern():
                for p in det.patterns:
                    if p.requires:
                        found.setdefault(p.rust(), (p.requires, None))
        return found

    @cached_property
    def _fast_units(self) -> dict[str, _Fast]:
        """For unit regexes that have one, the faster regex and the words that send a row
        back to the unit regex (:meth:`~Detector.unit_fast`)."""
        found: dict[str, _Fast] = {}
        for det in self.detectors:
            if det.extracts_by_pattern():
                continue
            unit, fast = det.unit_regex(), det.unit_fast()
            if unit is not None and fast is not None:
                found.setdefault(unit, fast)
        return found

    def _column(self, name: str | None) -> _ColumnContext:
        """What the column name says to each detector, worked out once per name."""
        found = self._columns.get(name)
        if found is None:
            found = _remember(self._columns, name, _ColumnContext(name))
        return found

    def _verdict(self, det: Detector, value: str) -> bool | None:
        verdict = det.validate(value)
        if verdict is False or det.invalidate(value):
            return False
        return verdict

    def _judge(self, det: Detector) -> Callable[[str], bool | None] | None:
        """:meth:`_verdict` for ``det``, as few calls as it takes: its own ``validate``
        when it keeps :meth:`Detector.invalidate` (which prunes nothing), and ``None``
        when it keeps :meth:`Detector.validate` too (every verdict is ``None``: nothing
        to call). The column path judges about 20 distinct candidates per letter; going
        through ``_verdict`` cost each two Python calls more."""
        kind = type(det)
        if kind.invalidate is not Detector.invalidate:
            return partial(self._verdict, det)
        if kind.validate is not Detector.validate:
            return det.validate
        return None

    def _candidate_hit(
        self,
        det: Detector,
        text: str,
        start: int,
        end: int,
        cand: Candidate,
        col_term: str | None,
        spans: Sequence[tuple[int, int]] | None = None,
    ) -> _Hit | None:
        value = text[start:end]
        verdict = self._verdict(det, value)
        if verdict is False:
            return None
        return self._score(
            det, text, start, end, cand.pattern, cand.score, verdict, col_term, spans
        )

    def _score(
        self,
        det: Detector,
        text: str,
        start: int,
        end: int,
        pattern: str,
        base: float,
        verdict: bool | None,
        col_term: str | None,
        spans: Sequence[tuple[int, int]] | None = None,
    ) -> _Hit | None:
        """Validation, negative and positive context, threshold: the one scoring rule.

        ``spans``: for a :attr:`~Detector.context_nearest` detector, its bounded candidates
        in ``text`` (the candidate's own span among them). The compiled kernel runs the same
        rule (``_kernel._Rule.score``, with :meth:`_nearby`'s memo): a change here is a
        change there too, which tests/discovery/test_native.py's whole-scan test checks."""
        score = base
        adjustments: tuple[tuple[str, float, str], ...] = ()
        if verdict is True and det.validated_score > score:
            adjustments = _validated(det.validated_score, score)
            score = det.validated_score
        if det.has_context and (start or end != len(text)):
            negative, near = self._nearby(det, text, start, end, spans)
        else:  # no context words, or nothing around the value (a table cell)
            negative, near = False, None
        if negative:
            return None
        term, where = col_term, "column"
        if term is None and near is not None:
            term, where = near, "text"
        if term is not None:
            boosted, score = _context_boost(score, where, term)
            adjustments = (*adjustments, boosted)
        elif det.context_required:
            return None
        if score < self.min_score:
            return None
        return _Hit(start, end, score, det, pattern, base, adjustments)

    def _nearby(
        self,
        det: Detector,
        text: str,
        start: int,
        end: int,
        spans: Sequence[tuple[int, int]] | None = None,
    ) -> tuple[bool, str | None]:
        """Negative context near the span, and the first context word near it.

        Both depend only on the characters within reach of the window (one more on each
        side decides whether an edge word was cut), and for a
        :attr:`~Detector.context_nearest` detector on where its nearest other candidates
        lie, so the answer is remembered per detector and neighbourhood: table cells and
        templated letters repeat them.
        """
        near = _neighbours(spans, start, end) if spans and det.context_nearest else None
        memo = self._near
        if memo.paused:
            memo.paused -= 1
            return _context_near(det, text, start, end, near)
        key = (
            det.name,
            text[max(0, start - _CHARS_BEFORE - 1) : start],
            text[end : end + _CHARS_AFTER + 1],
            near,
        )
        found = memo.get(key)
        if found is None:
            found = memo.put(key, _context_near(det, text, start, end, near))
        return found

    def _analyse(self, text: str, detectors: Sequence[Detector], ctx: _ColumnContext) -> list[_Hit]:
        """The per-string path (``scan_text``): same candidates and the same scoring rule."""
        return _resolve_overlaps(self._text_hits(text, detectors, ctx))

    def _text_hits(
        self, text: str, detectors: Sequence[Detector], ctx: _ColumnContext
    ) -> list[_Hit]:
        """Every detector's hits in one string, overlaps not yet resolved."""
        hits: list[_Hit] = []
        for det in detectors:
            if ctx.negative(det):
                continue
            _row_hits(self, det, text, _bounded_candidates(det, text), ctx.term(det), hits)
        return hits

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


class _Columns:
    """Findings gathered as plain tuples (:data:`_Row`, in :attr:`rows`), turned into columns
    once per batch.

    No per-finding objects on the batch path: previews, digests and explanations are
    computed column by column when the batch is built.
    """

    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner
        self.rows: list[_Row] = []

    def batch(self) -> pa.RecordBatch:
        cols = _finding_columns(self.rows)
        cols["preview"], cols["digest"] = self._protected(cols["entity"], cols.pop("value"))
        cols["key"] = [None] * len(self.rows)  # set by senim.engine for database rows
        return pa.RecordBatch.from_pydict(
            {name: cols[name] for name in FINDINGS_SCHEMA.names}, schema=FINDINGS_SCHEMA
        )

    def _protected(self, entities: list[str], values: list[str]) -> tuple[list[str], list[str]]:
        """Masked previews and keyed digests of the values.

        When the batch repeats values (a table: a client's name or IIN on many rows), each
        distinct one is computed once and remembered across batches, per entity, so unique
        phone numbers do not push out repeated names; when it hardly does (free text), the
        memo would only cost, so every value is computed.
        """
        hasher = self.scanner.hasher
        digest = hasher.digest
        many = _DISTINCT_SHARE * len(values)
        # distinct values alone decide it when they are many (pairs are at least as many)
        if len(set(values)) > many or len(set(zip(entities, values, strict=True))) > many:
            return list(map(mask_preview, values)), hasher.digests(entities, values)
        pairs = zip(entities, values, strict=True)
        memos = self.scanner._shown
        previews: list[str] = []
        digests: list[str] = []
        for entity, value in pairs:
            memo = memos.get(entity)
            if memo is None:
                memo = memos[entity] = {}
            found = memo.get(value)
            if found is None:
                found = _remember(memo, value, (mask_preview(value), digest(entity, value)))
            previews.append(found[0])
            digests.append(found[1])
        return previews, digests


_Row = tuple[_Hit, str, str, int | None, str | None, int]
"""A finding of a batch as :class:`_Columns` gathers it: hit, text, source, record, column,
offset of the text in its source."""


def _finding_columns_py(rows: list[_Row]) -> dict[str, list[Any]]:
    """The findings batch's columns that come from the hits alone, and each finding's
    ``value`` (for its preview and digest). The reference of ``_kernel.finding_columns``."""
    cols: dict[str, list[Any]] = {
        name: []
        for name in (
            "source", "record", "column", "start", "end", "entity", "score", "detector",
            "explanation", "value",
        )
    }  # fmt: skip
    for hit, text, source, record, column, base in rows:
        cols["source"].append(source)
        cols["record"].append(record)
        cols["column"].append(column)
        cols["start"].append(hit.start + base)
        cols["end"].append(hit.end + base)
        cols["entity"].append(hit.detector.entity)
        cols["score"].append(round(hit.score, 4))
        cols["detector"].append(hit.detector.name)
        cols["explanation"].append(hit.explanation_json())
        cols["value"].append(text[hit.start : hit.end] if hit.value is None else hit.value)
    return cols


_finding_columns: Callable[[list[_Row]], dict[str, list[Any]]] = (
    kernel.finding_columns if kernel is not None else _finding_columns_py
)


def _few_chars(texts: list[str | None]) -> bool:
    """Do ``texts`` hold at most :data:`_FEW_CHARS` characters in all?"""
    if len(texts) > _FEW_CHARS:
        return False
    total = 0
    for text in texts:
        if text is not None:
            total += len(text)
            if total > _FEW_CHARS:
                return False
    return True


def _extraction_regexes(det: Detector) -> tuple[str, ...]:
    """The Rust regexes whose matches the batch path extracts for ``det`` (maybe none)."""
    if det.extracts_by_pattern():
        return tuple(p.rust() for p in det.patterns)
    unit = det.unit_regex()
    return (unit,) if unit is not None else ()


def _remember(cache: dict[Any, Any], key: Any, value: _V, size: int | None = None) -> _V:
    """Store ``value`` in a bounded memo of ``size`` entries (default :data:`_MEMO_SIZE`;
    emptied when full: recent values matter most)."""
    if len(cache) >= (_MEMO_SIZE if size is None else size):
        cache.clear()
    cache[key] = value
    return value


_Key = tuple[str, str | None]
"""An extraction: (regex, gate), the gate a regex the row must also match (or ``None``)."""


@dataclass(slots=True)
class _Matches:
    """Every match of one extraction in a column: row and value, and once located, the
    character span (start ``-1``: not located)."""

    rows: list[int]
    values: list[str]
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def locate(self, texts: list[str | None], only: set[int] | None = None) -> _Matches:
        """Find the positions (of the matches in rows ``only``, or all). Matches come in text
        order per row and never overlap: each is the first occurrence of its value after
        the end of the previous match of its row, so every match of a row is located."""
        self.starts, self.ends = _locate(self.rows, self.values, texts, only)
        return self

    def bounded(self, det: Detector, texts: list[str | None]) -> list[int]:
        """Indices of the matches whose span respects ``det``'s boundary rule."""
        if type(det)._bounded is Detector._bounded:  # the rule is det.boundary alone
            return _bounded(self.rows, self.starts, self.ends, texts, det.boundary)
        bounded = det._bounded
        spans = zip(self.rows, self.starts, self.ends, strict=True)
        return [
            i
            for i, (row, start, end) in enumerate(spans)
            if start >= 0 and bounded(texts[row] or "", start, end)
        ]


def _score_matches_py(
    scanner: Scanner,
    det: Detector,
    pattern: str,
    base: float,
    found: _Matches,
    kept: list[int],
    verdicts: dict[str, bool | None],
    texts: list[str | None],
    col_term: str | None,
    row_spans: dict[int, list[tuple[int, int]]] | None,
    seen: set[tuple[int, int, int]] | None,
    hits: dict[int, list[_Hit]],
) -> None:
    """Score one pattern's bounded matches (indices ``kept`` of ``found``) whose values
    ``verdicts`` holds (the valid ones), adding the hits to ``hits`` per row.

    ``seen``: spans already taken by the detector's other patterns (``None``: it has one
    pattern); ``row_spans``: a :attr:`~Detector.context_nearest` detector's bounded spans
    per row. The rule is :meth:`Scanner._score`'s; this is the reference of the compiled
    ``_kernel.score_matches``, which runs the same steps (the memo of neighbourhoods
    included) without a Python call per match.
    """
    for i in kept:
        verdict = verdicts.get(found.values[i], False)
        if verdict is False:
            continue
        row, start, end = found.rows[i], found.starts[i], found.ends[i]
        if seen is not None:
            if (row, start, end) in seen:
                continue
            seen.add((row, start, end))
        text = texts[row]
        assert text is not None
        hit = scanner._score(
            det,
            text,
            start,
            end,
            pattern,
            base,
            verdict,
            col_term,
            row_spans.get(row) if row_spans is not None else None,
        )
        if hit is not None:
            hits.setdefault(row, []).append(hit)


def _row_hits_py(
    scanner: Scanner,
    det: Detector,
    text: str,
    cands: list[tuple[int, int, Candidate]],
    col_term: str | None,
    out: list[_Hit],
) -> None:
    """The hits among one text's bounded candidates of ``det`` (start, end, candidate),
    appended to ``out``. The reference of the compiled ``_kernel.score_candidates``."""
    spans = [(start, end) for start, end, _ in cands] if det.context_nearest else None
    for start, end, cand in cands:
        hit = scanner._candidate_hit(det, text, start, end, cand, col_term, spans)
        if hit is not None:
            out.append(hit)


def _locate_py(
    rows: list[int], values: list[str], texts: list[str | None], only: set[int] | None
) -> tuple[list[int], list[int]]:
    """Character spans (starts and ends) of matches given as rows and values in text order
    (see :meth:`_Matches.locate`); a match of a row outside ``only`` gets start ``-1``.
    The reference of the compiled ``_kernel.locate``."""
    starts: list[int] = []
    ends: list[int] = []
    last: dict[int, int] = {}  # where the next search starts, per row left
    current, text, at = -1, "", 0  # the row of the previous match (matches come by row)
    for row, value in zip(rows, values, strict=True):
        if only is not None and row not in only:
            starts.append(-1)
            ends.append(len(value) - 1)
            continue
        if row != current:
            last[current] = at
            current, text, at = row, texts[row] or "", last.get(row, 0)
        pos = text.find(value, at)
        starts.append(pos)
        ends.append(pos + len(value))
        if pos >= 0:
            at = pos + len(value)
    return starts, ends


def _bounded_py(
    rows: list[int], starts: list[int], ends: list[int], texts: list[str | None], boundary: str
) -> list[int]:
    """Indices of the located spans (start ``-1``: not located) whose neighbouring
    characters respect a :attr:`Detector.boundary` rule, as :meth:`Detector._bounded`
    checks it. The reference of the compiled ``_kernel.bounded``."""
    out: list[int] = []
    for i, (row, start, end) in enumerate(zip(rows, starts, ends, strict=True)):
        if start < 0:
            continue
        if boundary != "none":
            text = texts[row] or ""
            before = text[start - 1] if start > 0 else " "
            after = text[end] if end < len(text) else " "
            if boundary == "alnum":
                if before.isalnum() or after.isalnum():
                    continue
            elif boundary == "digit":
                if before.isdigit() or after.isdigit():
                    continue
            elif before.isalnum() or after.isalnum() or before == "_" or after == "_":
                continue
        out.append(i)
    return out


def _verdicts_py(
    values: list[str], kept: list[int], memo: dict[str, Any], judge: Callable[[str], Any]
) -> dict[str, bool | None]:
    """The verdicts of the distinct values ``values[i]`` for ``i`` in ``kept`` that are not
    rejected (``False``), in their first order: from ``memo``, else ``judge(value)``, then
    remembered (:func:`_remember`). The reference of ``_kernel.verdicts``."""
    verdicts: dict[str, bool | None] = {}
    for value in dict.fromkeys(values[i] for i in kept):
        verdict = memo.get(value, _UNSEEN)
        if verdict is _UNSEEN:
            verdict = _remember(memo, value, judge(value))
        if verdict is not False:
            verdicts[value] = verdict
    return verdicts


def _units_located_py(
    rows: list[int],
    values: list[str],
    texts: list[str | None],
    per_unit: dict[str, list[Candidate]],
    det: Detector,
    boundary: str | None,
) -> dict[int, list[tuple[int, int, Candidate]]]:
    """The candidates of a column's units placed in their rows, per row: (start, end,
    candidate) of each that respects ``det``'s boundary rule.

    ``rows`` and ``values``: every unit extracted (in text order per row, as
    :meth:`_Matches.locate` needs them); ``per_unit``: the candidates of each distinct
    unit holding a name (units without one are absent). Only rows holding a name are
    located. ``boundary``: ``det.boundary`` when it is the whole rule (checked here), else
    ``None`` (``det._bounded`` is asked). The reference of ``_kernel.units_located``.
    """
    named = {r for r, v in zip(rows, values, strict=True) if v in per_unit}
    starts, _ = _locate_py(rows, values, texts, named)
    located: dict[int, list[tuple[int, int, Candidate]]] = {}
    for i, value in enumerate(values):
        cands = per_unit.get(value)
        if cands is None or starts[i] < 0:
            continue
        row, at = rows[i], starts[i]
        text = texts[row]
        assert text is not None
        for cand in cands:
            start, end = at + cand.start, at + cand.end
            if boundary is not None:
                if not _bounded_py([0], [start], [end], [text], boundary):
                    continue
            elif not det._bounded(text, start, end):
                continue
            located.setdefault(row, []).append((start, end, cand))
    return located


_locate: Callable[..., tuple[list[int], list[int]]] = (
    kernel.locate if kernel is not None else _locate_py
)
_bounded: Callable[..., list[int]] = kernel.bounded if kernel is not None else _bounded_py
_units_located: Callable[..., dict[int, list[tuple[int, int, Candidate]]]] = (
    kernel.units_located if kernel is not None else _units_located_py
)


def _verdicts_kernel(
    values: list[str], kept: list[int], memo: dict[str, Any], judge: Callable[[str], Any]
) -> dict[str, bool | None]:
    assert kernel is not None
    found: dict[str, bool | None] = kernel.verdicts(values, kept, memo, judge, _MEMO_SIZE, _UNSEEN)
    return found


_verdicts: Callable[..., dict[str, bool | None]] = (
    _verdicts_kernel if kernel is not None else _verdicts_py
)


_Shortcut = tuple[tuple[str, ...], str | None]
_Fast = tuple[str, tuple[str, ...]]
"""A unit regex's faster regex, and the words a match may not end with (Detector.unit_fast)."""


def _extract(
    frame: pl.DataFrame,
    keys: Sequence[_Key],
    shortcuts: Mapping[str, _Shortcut] | None = None,
    fast: Mapping[str, _Fast] | None = None,
) -> dict[_Key, _Matches]:
    """Every match of each regex in column ``v`` (rows and values, not located), per key.

    All regexes run in one polars call (in parallel); keys that match nowhere are absent.
    Each distinct gate is searched for once. A regex with a shortcut (words, other regex;
    see :attr:`Scanner._shortcuts`) runs only on the rows holding one of the words (one
    Aho-Corasick pass), the other regex on the rest, and the parts are put back in row order.
    A regex with a faster one (:attr:`Scanner._fast_units`) is replaced by it, and run
    itself only on the rows where a match of the faster one ends with a suspect word
    (:func:`_refined`).
    """
    shortcuts = shortcuts or {}
    fast = fast or {}
    tests: dict[str | tuple[str, ...], None] = {}  # gate regexes and words, each tested once
    for rx, gate in keys:
        for test in (gate, shortcuts[rx][0] if rx in shortcuts else None):
            if test is not None:
                tests[test] = None
    if tests:
        frame = frame.with_columns(_expression("test", test) for test in tests)
    lazy = frame.lazy()
    plans: list[list[pl.LazyFrame]] = []  # per key: its queries, put together afterwards
    for rx, gate in keys:
        rows = lazy.filter(_expression("passed", gate)) if gate is not None else lazy
        if rx in fast:
            plans.append([_matches_of(rows, fast[rx][0])])
            continue
        if rx not in shortcuts:
            plans.append([_matches_of(rows, rx)])
            continue
        words, otherwise = shortcuts[rx]
        plan = [_matches_of(rows.filter(_expression("passed", words)), rx)]
        if otherwise is not None:
            plan.append(_matches_of(rows.filter(_expression("failed", words)), otherwise))
        plans.append(plan)
    collected = iter(pl.collect_all([q for plan in plans for q in plan], engine=_ENGINE))
    out: dict[_Key, _Matches] = {}
    for key, plan in zip(keys, plans, strict=True):
        parts = [next(collected) for _ in plan]
        found = parts[0] if len(parts) == 1 else pl.concat(parts).sort("row", maintain_order=True)
        if not found.height:
            continue
        matches = _Matches(found["row"].to_list(), found["m"].to_list())
        if key[0] in fast:
            matches = _refined(lazy, key[0], fast[key[0]][1], found, matches)
            if not matches.rows:
                continue
        out[key] = matches
    return out


def _refined(
    lazy: pl.LazyFrame, rx: str, words: tuple[str, ...], found: pl.DataFrame, matches: _Matches
) -> _Matches:
    """``matches`` of a faster regex put right: the rows where one of them ends with one
    of ``words``, not right after a letter or digit (see :meth:`Detector.unit_fast`),
    searched again with ``rx`` itself, their matches in place of the faster regex's, in
    row order."""
    bad = {v for v in dict.fromkeys(matches.values) if _ends_with_word(v, words)}
    if not bad:
        return matches
    suspect = sorted({row for row, v in zip(matches.rows, matches.values, strict=True) if v in bad})
    again = _matches_of(lazy.filter(pl.col("row").is_in(suspect)), rx).collect(engine=_ENGINE)
    kept = found.filter(~pl.col("row").is_in(suspect))
    joined = pl.concat([kept, again]).sort("row", maintain_order=True)
    return _Matches(joined["row"].to_list(), joined["m"].to_list())


def _ends_with_word(value: str, words: tuple[str, ...]) -> bool:
    """Does ``value`` end with one of ``words``, as the whole value or not right after a
    letter or digit?"""
    return value.endswith(words) and any(
        value.endswith(w) and (len(value) == len(w) or not value[-len(w) - 1].isalnum())
        for w in words
    )


def _matches_of(rows: pl.LazyFrame, rx: str) -> pl.LazyFrame:
    """Row and value of every match of ``rx`` in column ``v`` of ``rows``, in text order."""
    return (
        rows.select("row", _expression("extract", rx))
        .filter(_expression("matched", None))
        .explode("m")
    )


_Test = str | tuple[str, ...] | None


@lru_cache(maxsize=1024)
def _expression(kind: str, arg: _Test) -> pl.Expr:
    """The polars expression of ``kind`` for a regex or a tuple of words (``arg``), built
    once per process: building an expression in Python costs about as much as running it
    on a batch of a few rows, and a batch runs dozens of them.

    ``any``: does ``arg`` match in some row of column ``v`` (named after the regex);
    ``extract``: its matches in each row, as ``m``; ``matched``: rows with a match in ``m``;
    ``test``: per row, does the regex match or does a word occur (``arg`` a tuple of words),
    as a column of its own; ``passed`` / ``failed``: that column, or its negation.
    """
    v = pl.col("v")
    if kind == "any":
        assert isinstance(arg, str)
        return v.str.contains(arg).any().alias(arg)
    if kind == "extract":
        assert isinstance(arg, str)
        return v.str.extract_all(arg).alias("m")
    if kind == "matched":
        return pl.col("m").list.len() > 0
    if kind == "test":
        test = v.str.contains(arg) if isinstance(arg, str) else v.str.contains_any(list(arg or ()))
        return test.alias(_test_column(arg))
    if kind == "passed":
        return pl.col(_test_column(arg))
    if kind == "failed":
        return ~pl.col(_test_column(arg))
    raise ValueError(kind)  # pragma: no cover - a programming error


def _test_column(test: _Test) -> str:
    """The column that holds the answers of one test (see :func:`_expression`): named after
    the test itself, so two tests never share one."""
    return f"_t:{test!r}"


def _with_offsets(batches: list[pa.RecordBatch]) -> Iterable[tuple[pa.RecordBatch, int]]:
    offset = 0
    for b in batches:
        yield b, offset
        offset += b.num_rows


def _concat(parts: list[pa.RecordBatch]) -> pa.RecordBatch:
    """One findings batch from several (empty parts dropped; never an empty list)."""
    parts = [p for p in parts if p.num_rows]
    if not parts:
        return findings_to_batch([])
    if len(parts) == 1:
        return parts[0]
    return pa.concat_batches(parts)


_SENTENCE_END = re.compile(r"[.!?;…]\s+(?=[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])|\n")


_LAST_SENTENCE_END = re.compile(r"(?s).*(?:[.!?;…]\s+(?=[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])|\n)")


def _context_near(
    det: Detector, text: str, start: int, end: int, near: _Near | None
) -> tuple[bool, str | None]:
    """:meth:`Scanner._nearby`, worked out: negative context near the span, and the first
    context word near it (``near``: see :data:`_Near`)."""
    if near is not None:  # other candidates of a context_nearest detector
        return _nearest_context(det, *_window(text, start, end), near)
    return _near_words(text, start, end, *_searches(det))


def _near_words_py(
    text: str, start: int, end: int, negative: _Search | None, context: _Search | None
) -> tuple[bool, str | None]:
    """Negative context (``negative``: its search) in the window around ``text[start:end]``,
    and the first context word in it (``context``: its search), both searched in
    :func:`fold`-ed text. The reference of the compiled ``_kernel.near_words``."""
    before, after = _window(text, start, end)
    before, after = fold(before), fold(after)
    if negative is not None and (negative(before) or negative(after)):
        return True, None
    m = (context(before) or context(after)) if context is not None else None
    return False, m.group(0) if m else None


class _Thrifty(Generic[_K, _V]):
    """A bounded memo that stops being consulted while it hardly ever answers.

    Neighbourhoods repeat in table columns of templated text, and hardly ever in free
    text (0.3% of them in the speed benchmark's letters), where building the key costs
    more than the look-up could save. After every :data:`_PROBE` look-ups the memo checks
    its share of hits; below :data:`_PAYS` it is cleared and left alone for the next
    :data:`_PAUSE` calls (:attr:`paused` counts them down; the caller computes meanwhile),
    then tried again. What it answers never depends on whether it is used.
    """

    __slots__ = ("cache", "hits", "looked", "paused")

    def __init__(self) -> None:
        self.cache: dict[_K, _V] = {}
        self.looked = 0
        self.hits = 0
        self.paused = 0

    def get(self, key: _K) -> _V | None:
        found = self.cache.get(key)
        self.looked += 1
        if found is not None:
            self.hits += 1
        if self.looked >= _PROBE:
            if self.hits < _PAYS * self.looked:
                self.cache.clear()
                self.paused = _PAUSE
            self.looked = self.hits = 0
        return found

    def put(self, key: _K, value: _V) -> _V:
        """Remember ``value`` (unless the look-up that missed it paused the memo)."""
        return value if self.paused else _remember(self.cache, key, value)


_PROBE = 4096
_PAYS = 0.05
_PAUSE = 65536


def _window_py(text: str, start: int, end: int) -> tuple[str, str]:
    """Text around a candidate within its sentence: up to 60 characters before, 40 after.

    A word cut by the window's edge is dropped, so its tail or head never reads as a
    context word ("v" of "ivanov", "тел" of "телевизор"). The reference of the compiled
    ``_kernel.window`` (see :mod:`senim.discovery._native`), which :data:`_window` is when
    the install built it.
    """
    lo = max(0, start - _CHARS_BEFORE)
    before = text[lo:start]
    if lo > 0 and text[lo - 1].isalnum():
        cut_word = _WORD_RUN.match(before)
        if cut_word is not None:
            before = before[cut_word.end() :]
    cut = _LAST_SENTENCE_END.match(before)
    if cut is not None:
        before = before[cut.end() :]
    hi = end + _CHARS_AFTER
    after = text[end:hi]
    if hi < len(text) and text[hi].isalnum():
        # the word at the end, found from the end (a regex anchored at the end would try
        # every position of the window)
        cut_word = _WORD_RUN.match(after[::-1])
        if cut_word is not None:
            after = after[: len(after) - cut_word.end()]
    stop = _SENTENCE_END.search(after)
    if stop is not None:
        after = after[: stop.start()]
    return before, after


_WORD_RUN = re.compile(r"\w+")
_window: Callable[[str, int, int], tuple[str, str]] = (
    kernel.window if kernel is not None else _window_py
)


@lru_cache(maxsize=64)
def _validated(validated: float, base: float) -> tuple[tuple[str, float, str], ...]:
    """The adjustment a validated candidate gets (one tuple per detector and base score)."""
    return (("validated", round(validated - base, 4), ""),)


@lru_cache(maxsize=256)
def _context_boost(score: float, where: str, term: str) -> tuple[tuple[str, float, str], float]:
    """The context adjustment for a context ``term`` found in the ``where`` (column or
    text), and the score it raises ``score`` to (one per score, place and term)."""
    boost = min(1.0, score + CONTEXT_BOOST) - score
    return ("context", round(boost, 4), f"{where}:{term}"), score + boost


_Search = Callable[[str], "re.Match[str] | None"]
_near_words: Callable[[str, int, int, _Search | None, _Search | None], tuple[bool, str | None]] = (
    kernel.near_words if kernel is not None else _near_words_py
)


@lru_cache(maxsize=256)
def _searches(det: Detector) -> tuple[_Search | None, _Search | None]:
    """The regex searches for ``det``'s negative and positive context words (``None``: no
    words), as :meth:`ContextMatcher.search` runs them: on :func:`fold`-ed text."""
    negative, context = det.negative_matcher.pattern, det.context_matcher.pattern
    return (
        negative.search if negative is not None else None,
        context.search if context is not None else None,
    )


_score_matches: Callable[..., None] = _score_matches_py
_row_hits: Callable[..., None] = _row_hits_py
if kernel is not None:
    kernel.bind_scoring(_Hit, _validated, _context_boost, _searches, _CHARS_BEFORE, _CHARS_AFTER)
    _score_matches = kernel.score_matches
    _row_hits = kernel.score_candidates


_Near = tuple[tuple[int, int] | None, tuple[int, int] | None]
"""A candidate's nearest other candidates of its detector, before and after it, as
distances from it: (from its start back to their start and end) and (from its end on to
their start and end)."""


def _row_spans(
    bounded: Iterable[tuple[_Matches, list[int]]],
) -> dict[int, list[tuple[int, int]]]:
    """The bounded matches of a detector's patterns, as spans per row."""
    out: dict[int, list[tuple[int, int]]] = {}
    for found, kept in bounded:
        for i in kept:
            out.setdefault(found.rows[i], []).append((found.starts[i], found.ends[i]))
    return out


def _bounded_candidates(det: Detector, text: str) -> list[tuple[int, int, Candidate]]:
    """``det``'s candidates in ``text`` that respect its boundary rule."""
    return [(c.start, c.end, c) for c in det.candidates(text) if det._bounded(text, c.start, c.end)]


def _neighbours(spans: Sequence[tuple[int, int]], start: int, end: int) -> _Near | None:
    """The nearest spans ending before ``start`` and starting after ``end`` (see
    :data:`_Near`); spans overlapping the candidate are neither."""
    before: tuple[int, int] | None = None
    after: tuple[int, int] | None = None
    for s, e in spans:
        if e <= start and (before is None or e > start - before[1]):
            before = (start - s, start - e)
        elif s >= end and (after is None or s < end + after[0]):
            after = (s - end, e - end)
    return None if before is None and after is None else (before, after)


def _nearest_context(
    det: Detector, before: str, after: str, near: _Near | None
) -> tuple[bool, str | None]:
    """:meth:`Scanner._nearby` for a :attr:`~Detector.context_nearest` detector: words
    between the candidate and another of its candidates inside the window count only when
    they stand nearer to this one (a tie goes to the candidate that follows the word)."""
    lo: int | None = None
    hi: int | None = None
    if near is not None:
        prev, following = near
        if prev is not None and prev[0] <= len(before):  # wholly inside the window
            lo = len(before) - prev[1]
        if following is not None and following[1] <= len(after):
            hi = following[0]
    gap_before = fold(before[lo:] if lo is not None else before)
    gap_after = fold(after[:hi] if hi is not None else after)
    size_before, size_after = len(gap_before), len(gap_after)

    def first(rx: re.Pattern[str] | None) -> str | None:
        if rx is None:
            return None
        for m in rx.finditer(gap_before):
            if lo is None or m.start() >= size_before - m.end():
                return m.group(0)
        for m in rx.finditer(gap_after):
            if hi is None or m.start() < size_after - m.end():
                return m.group(0)
            break  # the words after it stand nearer still to the other candidate
        return None

    if first(det.negative_matcher.pattern) is not None:
        return True, None
    return False, first(det.context_matcher.pattern)


_SPAN = attrgetter("start", "end")


def _resolve_overlaps(hits: list[_Hit]) -> list[_Hit]:
    """Keep the best of overlapping hits (higher score, then longer span, then earlier).

    Hits are taken best first and kept when they overlap none kept so far. A hit's fate
    depends only on the hits it overlaps, so the rule runs on each cluster of hits linked
    by overlaps on its own (a large cell with tens of thousands of findings stays linear).
    """
    if len(hits) < 2:
        return hits
    ordered = sorted(hits, key=_SPAN)
    kept: list[_Hit] = []
    cluster = [ordered[0]]
    reach = ordered[0].end
    for hit in ordered[1:]:
        if hit.start < reach:
            cluster.append(hit)
            reach = max(reach, hit.end)
            continue
        kept += _best_first(cluster) if len(cluster) > 1 else cluster
        cluster = [hit]
        reach = hit.end
    kept += _best_first(cluster) if len(cluster) > 1 else cluster
    return kept


def _best_first(hits: list[_Hit]) -> list[_Hit]:
    """:func:`_resolve_overlaps` on one cluster: the kept spans never overlap, so sorted by
    start they are sorted by end too, and only the kept span starting last before a hit's
    end can overlap it (one bisection per hit)."""
    ranked = sorted(hits, key=lambda h: (-h.score, -(h.end - h.start), h.start))
    starts: list[int] = []
    kept: list[_Hit] = []
    for hit in ranked:
        i = bisect_left(starts, hit.end)
        if i and kept[i - 1].end > hit.start:
            continue
        starts.insert(i, hit.start)
        kept.insert(i, hit)
    return kept


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
        compute()  # cast needs it
        array = array.cast(t.value_type)
        t = array.type
    text = pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)
    if text or pa.types.is_integer(t) or pa.types.is_temporal(t):
        return polars_series(array).cast(pl.String)
    return None

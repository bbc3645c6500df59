"""The detector contract: mostly data (patterns, context words in kk/ru/en), plus hooks.

A detector declares class constants and may override :meth:`Detector.validate` (a checksum:
Luhn, mod-97, the IIN two-pass mod-11...) and :meth:`Detector.invalidate` (pruning). The base
class owns matching, boundaries, context scoring and explanations, so every detector scores
and explains itself the same way. Detectors that are not regular expressions (``PERSON``)
override :meth:`Detector.candidates`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar, Literal

from senim.discovery._context import ContextMatcher

__all__ = ["Candidate", "Detector", "Pattern"]

Boundary = Literal["alnum", "digit", "word", "none"]

VALIDATED_SCORE = 0.9
"""Score of a candidate whose checksum or structure validated (before context)."""
CONTEXT_BOOST = 0.35
"""Score added when a context word (kk/ru/en) stands near the candidate (as in Presidio)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Pattern:
    """A named regular expression with its base score.

    ``regex`` must work in both Python ``re`` and Rust ``regex`` (no look-around, no
    back-references), because the same pattern pre-filters whole Arrow columns in polars.
    Boundaries are enforced in code (see ``Detector.boundary``).
    """

    name: str
    regex: str
    score: float
    ignore_case: bool = False
    requires: tuple[str, ...] = ()
    """Words (literal, case as written) of which every match of ``regex`` contains one: a
    part no match can do without, such as a Kazakh street word. In a column, rows holding
    none of them are not searched: one search for a few words (Aho-Corasick) costs far less
    than a regex that starts with a class and meets its street word only at the end."""

    def __post_init__(self) -> None:
        if self.requires and self.ignore_case:
            raise ValueError(
                f"{self.name}: required words are matched as written, not ignoring case"
            )

    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.regex, re.IGNORECASE if self.ignore_case else 0)

    def rust(self) -> str:
        return f"(?i){self.regex}" if self.ignore_case else self.regex


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span a detector proposes, before validation and context scoring."""

    start: int
    end: int
    pattern: str
    score: float


class Detector:
    """Base of every detector. Subclasses set the class constants; hooks are optional."""

    name: ClassVar[str]
    """Stable identifier, e.g. ``kz_iin``; reported in each finding."""
    entity: ClassVar[str]
    """Entity reported, upper snake case (``KZ_IIN``, ``EMAIL``)."""
    version: ClassVar[str] = "1"
    country: ClassVar[str | None] = None
    description: ClassVar[str] = ""
    patterns: ClassVar[tuple[Pattern, ...]] = ()
    context: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    """Context words per language (``kk``, ``ru``, ``en``); a trailing ``*`` matches word stems."""
    negative_context: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    """Words that, near a candidate, show it is something else (``version`` before an
    IPv4-shaped string, ``order`` before a card-shaped number); such candidates are dropped."""
    context_required: ClassVar[bool] = False
    """Report only when a context word stands near the candidate (or names the column)."""
    context_nearest: ClassVar[bool] = False
    """A context word speaks only for the nearest candidate: between a candidate and
    another match of this detector's patterns, a word counts for the one it stands nearer
    to (a tie: for the one that follows it). In "born 21.09.1952, hired 01.11.2018" the
    birth word is the first date's only; "hired 01.11.2018, born 21.09.1952" gives the
    second; "born 21.09.1952, spouse born 02.02.1954" gives both. The other matches are
    the detector's bounded candidates in the same text that lie within the window."""
    boundary: ClassVar[Boundary] = "alnum"
    """What may not touch the match: letters/digits (``alnum``), digits, word chars, nothing."""
    column_hints: ClassVar[tuple[str, ...]] = ()
    """Column-name words (kk/ru/en, stems with ``*``) that suggest this entity."""
    validated_score: ClassVar[float] = VALIDATED_SCORE
    """Score a candidate reaches when :meth:`validate` returns ``True``."""
    prefilter_regex: ClassVar[str | None] = None
    """Rust regex run on whole columns before Python matching; default: the patterns."""
    integer_digits: ClassVar[int | None] = None
    """Fixed length of an all-digit identifier that may start with zeros. An integer
    column holding it has dropped them (IIN ``010203500001`` stored as ``10203500001``):
    shorter whole numbers of such a column are zero-filled to this length and validated."""
    integer_zeros: ClassVar[int] = 0
    """How many leading zeros such an identifier can have (IIN and BIN: three, ``000101``)."""

    # --- hooks -----------------------------------------------------------------------------
    def validate(self, value: str) -> bool | None:
        """Checksum/structure check: ``True`` valid, ``False`` reject, ``None`` unknown."""
        return None

    def invalidate(self, value: str) -> bool:
        """Return ``True`` to prune a candidate that is certainly not this entity."""
        return False

    # --- machinery ---------------------------------------------------------------------------
    @cached_property
    def _compiled(self) -> tuple[tuple[Pattern, re.Pattern[str]], ...]:
        return tuple((p, p.compiled()) for p in self.patterns)

    @cached_property
    def context_matcher(self) -> ContextMatcher:
        return ContextMatcher(self.context)

    @cached_property
    def negative_matcher(self) -> ContextMatcher:
        return ContextMatcher(self.negative_context)

    @cached_property
    def column_matcher(self) -> ContextMatcher:
        return ContextMatcher({"any": self.column_hints})

    @cached_property
    def has_context(self) -> bool:
        """Does text near a candidate matter (context or negative context words)?"""
        return bool(self.context_matcher) or bool(self.negative_matcher)

    @cached_property
    def context_gate(self) -> str | None:
        """For :attr:`context_required` detectors, a Rust regex matching every text that holds
        one of the context words (``None``: no gate). Rows it does not match cannot give a
        finding unless the column name supplies the context, so their candidates are never
        validated or located."""
        if not self.context_required:
            return None
        return self.context_matcher.rust_gate()

    def prefilter(self) -> str | None:
        """Rust regex selecting rows worth a closer look (``None``: every row)."""
        if self.prefilter_regex is not None:
            return self.prefilter_regex
        if not self.patterns:
            return None
        return "|".join(f"(?:{p.rust()})" for p in self.patterns)

    def extracts_by_pattern(self) -> bool:
        """True when candidates are plain pattern matches (the vectorised path applies)."""
        return type(self).candidates is Detector.candidates and bool(self.patterns)

    def unit_regex(self) -> str | None:
        """For detectors with their own :meth:`candidates`: a Rust regex for self-contained
        units of text (e.g. runs of capitalised words) whose candidates do not depend on
        anything outside the unit; ``None`` means candidates need the whole text."""
        return None

    def unit_fast(self) -> tuple[str, tuple[str, ...]] | None:
        """``(regex, words)``: a Rust regex faster than :meth:`unit_regex` that has exactly
        its matches in every text where none of its own matches ends with one of ``words``
        (case as written) right after a character that is not a letter or digit, or is that
        word alone. In a column every row is searched with it, and only the rows where one
        of its matches ends so are searched again with the unit regex itself (``None``:
        every row is searched with the unit regex)."""
        return None

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Spans matching a pattern and respecting the boundary rule."""
        seen: set[tuple[int, int]] = set()
        for pattern, rx in self._compiled:
            for m in rx.finditer(text):
                start, end = m.span()
                if start == end or (start, end) in seen:
                    continue
                if not self._bounded(text, start, end):
                    continue
                seen.add((start, end))
                yield Candidate(start, end, pattern.name, pattern.score)

    def _bounded(self, text: str, start: int, end: int) -> bool:
        """Does the span respect :attr:`boundary` (the characters just outside it)?"""
        boundary = self.boundary
        if boundary == "none":
            return True
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        if boundary == "alnum":
            return not (before.isalnum() or after.isalnum())
        if boundary == "digit":
            return not (before.isdigit() or after.isdigit())
        return not (before.isalnum() or after.isalnum() or before == "_" or after == "_")

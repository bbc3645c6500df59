"""Whole-word context matching in kk/ru/en.

Context words are matched against the words near a candidate, never as substrings of other
words: ``ИИН`` matches "ИИН:" and "(ИИН)" but not "ИИНФО". A trailing ``*`` makes a stem:
``телефон*`` matches "телефон", "телефона", "телефоны". Multi-word phrases ("дата рождения")
match consecutive words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import polars as pl

__all__ = ["ContextMatcher", "fold", "words"]

_WORD = re.compile(r"\w+", re.UNICODE)

_GATE_BETWEEN = "[^0-9_a-zа-яёәғқңөұүһі]+"
r"""Between the words of a term in :meth:`ContextMatcher.rust_gate`: every character but
ASCII digits, ``_`` and the Latin and Kazakh Cyrillic letters (in either case, the gate being
``(?i)``), so every character Python's ``\W`` matches, and a few letters more. Rust
compiles this in a fraction of a millisecond, against several for "not a letter, digit or
``_``" (``[^\p{L}\p{Nd}_]``, the whole of Unicode's letters); a text only passes a gate
more often where a letter of another script stands between a term's words."""


def fold(text: str) -> str:
    """``text`` case-folded for matching context words: :meth:`str.casefold`, with the
    Turkic dotted and dotless I (``İ``, ``ı``) as ``i``, so "EMAİL" (upper-cased on a Turkish
    or Latin-Kazakh keyboard layout) is "email", as ``re.IGNORECASE`` has it."""
    folded = text.casefold()
    if "ı" in folded or "\u0307" in folded:
        folded = folded.replace("i\u0307", "i").replace("ı", "i")
    return folded


def words(text: str) -> list[str]:
    """Case-folded words of ``text`` (Unicode letters and digits, Kazakh letters included)."""
    return [fold(w) for w in _WORD.findall(text)]


@dataclass(frozen=True, slots=True)
class _Term:
    parts: tuple[str, ...]
    stem: bool
    text: str


class ContextMatcher:
    """Finds context terms among words (set look-ups; stems checked with one C call)."""

    def __init__(self, by_lang: Mapping[str, Iterable[str]]) -> None:
        terms: list[_Term] = []
        for entries in by_lang.values():
            for raw in entries:
                stem = raw.endswith("*")
                parts = tuple(words(raw.rstrip("*")))
                if parts:
                    terms.append(_Term(parts, stem, raw))
        self._terms = tuple(terms)
        self._single = {t.parts[0]: t.text for t in terms if len(t.parts) == 1 and not t.stem}
        stems = [t for t in terms if len(t.parts) == 1 and t.stem]
        self._stem_prefixes = tuple(t.parts[0] for t in stems)
        self._stems = tuple(stems)
        self._phrases: dict[str, tuple[_Term, ...]] = {}
        for t in terms:
            if len(t.parts) > 1:
                self._phrases[t.parts[0]] = (*self._phrases.get(t.parts[0], ()), t)

    def __bool__(self) -> bool:
        return bool(self._terms)

    def find(self, tokens: list[str]) -> str | None:
        """The first context term present in ``tokens`` (already lower-cased), or ``None``."""
        if not self._terms:
            return None
        single, prefixes, phrases = self._single, self._stem_prefixes, self._phrases
        for i, tok in enumerate(tokens):
            hit = single.get(tok)
            if hit is not None:
                return hit
            if prefixes and tok.startswith(prefixes):
                for term in self._stems:
                    if tok.startswith(term.parts[0]):
                        return term.text
            for term in phrases.get(tok, ()):
                n = len(term.parts)
                window = tokens[i : i + n]
                if len(window) < n or window[1:-1] != list(term.parts[1:-1]):
                    continue
                last = window[-1]
                if last.startswith(term.parts[-1]) if term.stem else last == term.parts[-1]:
                    return term.text
        return None

    def find_in(self, text: str) -> str | None:
        return self.find(words(text))

    @property
    def pattern(self) -> re.Pattern[str] | None:
        """The compiled regex :meth:`search` runs, on :func:`fold`-ed text (``None``: no terms)."""
        return self._regex

    @cached_property
    def _regex(self) -> re.Pattern[str] | None:
        # Terms are already case-folded, and so is the text searched: no IGNORECASE, so the
        # alternatives start with plain literals and the regex engine skips every position
        # whose character starts no term. The word boundary before a term is checked after
        # its first character (``(?<!\w.)``), which keeps that literal first.
        alternatives = []
        for term in sorted(self._terms, key=lambda t: -len(t.text)):
            first = term.parts[0]
            body = re.escape(first[0]) + r"(?<!\w.)" + re.escape(first[1:])
            body += "".join(r"\W+" + re.escape(part) for part in term.parts[1:])
            alternatives.append(body + (r"\w*" if term.stem else r"(?!\w)"))
        if not alternatives:
            return None
        return re.compile("|".join(alternatives))

    def rust_gate(self) -> str | None:
        """A Rust regex that matches every text in which :meth:`search` could find a term.

        Terms without their word boundaries (a superset, as Rust regex has no look-around):
        a text it does not match holds no context word anywhere, so a column's rows can be
        ruled out in one polars pass before any candidate reaches Python. (Rust's ``(?i)``
        folds case letter by letter; :func:`fold` also expands a few letters such as ``ß``
        into two, which no kk/ru/en term holds, and reads ``İ`` and ``ı`` as ``i``, which
        the gate allows for.)
        """
        if not self._terms:
            return None

        def body(part: str) -> str:  # an "i" of a term may be a Turkic İ or ı (see fold)
            return pl.escape_regex(part).replace("i", "[iİı]")

        bodies = {_GATE_BETWEEN.join(body(part) for part in t.parts) for t in self._terms}
        return "(?i)(?:" + "|".join(sorted(bodies)) + ")"

    def search(self, text: str) -> str | None:
        """The first context term in free ``text`` (whole words; one regex search)."""
        rx = self._regex
        if rx is None:
            return None
        m = rx.search(fold(text))
        return m.group(0) if m else None

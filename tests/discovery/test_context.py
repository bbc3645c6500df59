from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from senim.discovery._context import ContextMatcher, fold, words
from senim.discovery._registry import DetectorRegistry
from senim.discovery._scanner import column_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ИИН:", "иин"),
        ("(жсн)", "жсн"),
        ("иинфо", None),
        ("телефона клиента", "телефон*"),
        ("Дата рождения", "дата рождения"),
        ("дата рожденияx", None),
        ("Туған күні", "туған күні"),
    ],
)
def test_whole_word_and_stems(text: str, expected: str | None) -> None:
    matcher = ContextMatcher(
        {"ru": ("иин", "телефон*", "дата рождения"), "kk": ("жсн", "туған күні")}
    )
    assert matcher.find_in(text) == expected


def test_words_keep_kazakh_letters() -> None:
    assert words("Әбіш ҰЛЫ, қызы-ңөүһі") == ["әбіш", "ұлы", "қызы", "ңөүһі"]


def test_column_words() -> None:
    assert column_words("clientPhone_2") == ["client", "phone", "2"]
    assert column_words("client.iin") == ["client", "iin"]


def test_window_drops_words_cut_by_its_edges() -> None:
    from senim.discovery._scanner import _window

    text = "email ivanov@mail.kz IBAN KZ86125KZT5004100100 IP 95.56.1.2 and a long tail телевизор"
    start = text.index("95.56")
    before, after = _window(text, start, start + len("95.56.1.2"))
    assert not before.startswith("v@")
    assert before.endswith("IP ")
    long = "x" * 50 + " телевизор"
    _, after = _window("1.2.3.4 " + long, 0, 7)
    assert "тел" not in after


_TERMS = sorted(
    {
        part
        for det in DetectorRegistry.default()
        for terms in (*det.context.values(), *det.negative_context.values())
        for term in terms
        for part in term.rstrip("*").split()
    }
)
_PIECES = st.one_of(
    st.sampled_from(_TERMS),
    st.sampled_from(_TERMS).map(str.upper),
    st.sampled_from(_TERMS).map(lambda t: t.upper().replace("I", "İ")),
    st.text(alphabet="аәбвгғқңөұүһіxyzİı0123456789 .,:;-_()\n", max_size=6),
    # separators Python's \W matches beyond ASCII: no-break and ideographic spaces, dashes,
    # quotes, a connector, a combining accent, a zero-width space, symbols
    st.text(alphabet="\u00a0\u2013«»\t\u3000/\u203f\u0301\u200b™Ⓐ·", min_size=1, max_size=3),
)


@given(st.lists(_PIECES, max_size=8).map("".join))
def test_rust_gate_lets_through_every_text_with_a_context_word(text: str) -> None:
    """The gate may match more than ``search`` (no word boundaries), never less."""
    for det in DetectorRegistry.default():
        for matcher in (det.context_matcher, det.negative_matcher):
            gate = matcher.rust_gate()
            if gate is None:
                continue
            if matcher.search(text) is not None:
                assert pl.Series([text]).str.contains(gate).item(), (det.name, text)


_SEPARATORS = [
    *(" ", "\u00a0", " - ", "\u2013", "«", "\t", "\u3000"),
    *("/", "\u203f", "\u200b", "™", "·", ". "),
]
"""Characters and runs Python's \\W matches between two words (spaces, dashes, quotes, a
connector, a zero-width space, symbols)."""


@pytest.mark.parametrize("between", _SEPARATORS)
def test_rust_gate_lets_through_every_term_whatever_stands_between_its_words(
    between: str,
) -> None:
    """Every term of several words, its words parted by ``between`` and in upper case too:
    where ``search`` finds it, the gate lets the text through."""
    checked = 0
    for det in DetectorRegistry.default():
        for matcher in (det.context_matcher, det.negative_matcher):
            gate = matcher.rust_gate()
            for term in matcher._terms:
                if len(term.parts) < 2:
                    continue
                for text in (between.join(term.parts), between.join(term.parts).upper()):
                    if matcher.search(text) is None:
                        continue
                    checked += 1
                    assert gate is not None
                    assert pl.Series([text]).str.contains(gate).item(), (det.name, text)
    assert checked > 50


@given(st.lists(_PIECES, max_size=8).map("".join))
def test_search_finds_a_term_exactly_when_the_words_hold_one(text: str) -> None:
    """The one-regex search (on folded text) agrees with the word-by-word look-up,
    and what it reports is a case-folded piece of the text starting with a whole word."""
    for det in DetectorRegistry.default():
        for matcher in (det.context_matcher, det.negative_matcher):
            found = matcher.search(text)
            assert (found is None) == (matcher.find_in(text) is None), (det.name, text)
            if found is not None:
                folded = fold(text)
                starts = [m.start() for m in re.finditer(r"(?<!\w)\w", folded)]
                assert any(folded.startswith(found, at) for at in starts), (det.name, text)


def test_search_ignores_case_in_every_language() -> None:
    matcher = ContextMatcher({"kk": ("жсн", "туған күні"), "ru": ("телефон*",), "en": ("iin",)})
    assert matcher.search("ЖСН: 900101300123") == "жсн"
    assert matcher.search("Туған   КҮНІ 01.01.1990") == "туған   күні"
    assert matcher.search("по ТЕЛЕФОНУ") == "телефону"
    assert matcher.search("The IIN is") == "iin"
    assert matcher.search("xiin, iinx, телефонный_") == "телефонный_"
    assert matcher.search("жснx") is None


@pytest.mark.parametrize("text", ["EMAİL", "emaıl", "Email", "E-MAIL"])
def test_turkic_dotted_and_dotless_i_read_as_i(text: str) -> None:
    matcher = ContextMatcher({"en": ("email", "e-mail")})
    assert matcher.search(f"{text}: x") in ("email", "e-mail")
    assert matcher.find_in(text) in ("email", "e-mail")


def test_context_only_detectors_have_a_gate() -> None:
    gated = {d.name for d in DetectorRegistry.default() if d.context_gate is not None}
    assert gated == {"kz_passport", "kz_id_card", "kz_postal_code", "date_of_birth"}

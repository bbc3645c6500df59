"""The compiled kernel gives exactly what its Python references give."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.discovery._fragments import FRAGMENTS

from senim.discovery import _protect, _scanner, checksums, kzid
from senim.discovery._detector import Candidate, Detector
from senim.discovery._native import kernel
from senim.discovery._protect import KeyedHasher, _digested_py, _mask_preview_py, mask_preview
from senim.discovery._registry import DetectorRegistry
from senim.discovery._scanner import (
    Scanner,
    _bounded_py,
    _locate_py,
    _near_words_py,
    _searches,
    _units_located_py,
    _window_py,
)
from senim.discovery.kzid import _checksum_ok_py

# the characters the rules turn on: sentence ends, spaces of several kinds, capitals that
# start a sentence (Latin, Russian, Kazakh), letters, decimal and other digits, "_", the
# mask itself, letters that case-fold to two, combining marks
_ALPHABET = "aZ_09 .!?;…\n\t\u00a0\u2028\u3000-,:()@•ßİıЯяЁӘәҒғҚқҢңӨөҰұҮүҺһІі²٣𝟗Ⅻ\u0301\u0345😀"
_TEXTS = st.text(alphabet=_ALPHABET, max_size=160) | st.text(max_size=160)

needs_kernel = pytest.mark.skipif(
    kernel is None, reason="compiled kernel not built or SENIM_PURE_PYTHON set"
)


def test_kernel_built_by_the_dev_install() -> None:
    """scripts/test builds the kernel (a C compiler is on every machine it runs on); a
    missing kernel there means the build went wrong, not a pure-Python install."""
    if os.environ.get("SENIM_PURE_PYTHON", "") not in ("", "0"):
        pytest.skip("SENIM_PURE_PYTHON set")
    assert kernel is not None, "senim.discovery._kernel was not built: rerun scripts/test"


@needs_kernel
@settings(max_examples=600)
@given(text=_TEXTS, data=st.data())
def test_window_matches_reference(text: str, data: st.DataObject) -> None:
    assert kernel is not None
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert kernel.window(text, start, end) == _window_py(text, start, end)


@needs_kernel
@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("", 0, 0),
        ("Звоните. Тел 87011234567", 13, 24),
        ("x" * 70 + " тел: 87011234567 телефону", 76, 87),
        ("Адрес: Алматы. Мой ИИН 900101300007. Ещё", 23, 35),
        ("ИИН\n900101300007\nconsole", 4, 16),
        ("a_b" * 30 + "1", 90, 91),
        ("тел. 8 701 123 45 67 … Ол", 5, 20),
    ],
)
def test_window_edges(text: str, start: int, end: int) -> None:
    assert kernel is not None
    assert kernel.window(text, start, end) == _window_py(text, start, end)


@needs_kernel
def test_window_rejects_a_span_outside_the_text() -> None:
    assert kernel is not None
    with pytest.raises(ValueError, match="outside"):
        kernel.window("abc", 2, 5)


_DETECTORS = DetectorRegistry.default().select(None)
_CONTEXT_WORDS = ("тел", "телефон", "ИИН", "иин", "email", "EMAİL", "phone", "version", "нөмірі")
_WORDY = st.lists(
    st.sampled_from([*_CONTEXT_WORDS, *_ALPHABET]),
    max_size=40,
).map("".join)


@needs_kernel
@settings(max_examples=600)
@given(text=_WORDY | _TEXTS, data=st.data(), det=st.sampled_from(_DETECTORS))
def test_near_words_matches_reference(text: str, data: st.DataObject, det: object) -> None:
    """Context and negative context words of every built-in detector, around any span."""
    assert kernel is not None
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    searches = _searches(det)  # type: ignore[arg-type]
    assert kernel.near_words(text, start, end, *searches) == _near_words_py(
        text, start, end, *searches
    )


@needs_kernel
@settings(max_examples=600)
@given(value=_TEXTS)
def test_mask_preview_matches_reference(value: str) -> None:
    assert kernel is not None
    assert kernel.mask_preview(value) == _mask_preview_py(value)


@needs_kernel
@pytest.mark.parametrize(
    "value",
    [
        "",
        "ab",
        "900101300007",
        "KZ86 125K ZT50 0410 0100",
        "Иванов Иван Иванович",
        "Жұмабаев Ерлан Нұрланұлы",
        "ivanov_ivan@mail.kz",
        "+7 (701) 123-45-67",
        "²²²²²²²²²²²²",
        "٣٣٣٣٣٣٣٣٣٣",
        "••••••ab12",
        "12ab34cd56ef78",
    ],
)
def test_mask_preview_cases(value: str) -> None:
    assert kernel is not None
    assert kernel.mask_preview(value) == _mask_preview_py(value)


def test_mask_preview_is_the_kernel_when_built() -> None:
    assert mask_preview is (kernel.mask_preview if kernel is not None else _mask_preview_py)


@needs_kernel
@settings(max_examples=600)
@given(value=_TEXTS)
def test_digested_matches_reference(value: str) -> None:
    assert kernel is not None
    assert kernel.digested(value) == _digested_py(value)


@settings(max_examples=200)
@given(
    pairs=st.lists(st.tuples(st.sampled_from(["KZ_IIN", "EMAIL", "PERSON"]), _TEXTS), max_size=8)
)
def test_digests_are_digest_of_each_pair(pairs: list[tuple[str, str]]) -> None:
    """The batch form (compiled where built) gives :meth:`KeyedHasher.digest` of each pair."""
    hasher = KeyedHasher(key=b"k")
    entities, values = [e for e, _ in pairs], [v for _, v in pairs]
    assert hasher.digests(entities, values) == [hasher.digest(e, v) for e, v in pairs]


def test_digest_ignores_case_and_separators() -> None:
    hasher = KeyedHasher(key=b"k")
    assert hasher.digest("KZ_IBAN", "KZ86 125K ZT50") == hasher.digest("KZ_IBAN", "kz86125kzt50")
    assert hasher.digest("EMAIL", "a.b@x.kz") != hasher.digest("EMAIL", "ab@xkz")


@st.composite
def _located(draw: st.DrawFn) -> tuple[list[int], list[str], list[str | None], set[int] | None]:
    """Rows of text and, per row in order, values cut from it (some absent from it)."""
    texts: list[str | None] = draw(st.lists(st.none() | _TEXTS, min_size=1, max_size=6))
    rows: list[int] = []
    values: list[str] = []
    for row, text in enumerate(texts):
        for _ in range(draw(st.integers(0, 4))):
            if text and draw(st.booleans()):
                lo = draw(st.integers(0, len(text) - 1))
                values.append(text[lo : draw(st.integers(lo + 1, len(text)))])
            else:
                values.append(draw(st.text(alphabet=_ALPHABET, min_size=1, max_size=4)))
            rows.append(row)
    only = draw(st.none() | st.sets(st.integers(0, len(texts) - 1)))
    return rows, values, texts, only


@needs_kernel
@settings(max_examples=400)
@given(case=_located(), boundary=st.sampled_from(["none", "alnum", "digit", "word"]))
def test_locate_and_bounded_match_reference(
    case: tuple[list[int], list[str], list[str | None], set[int] | None], boundary: str
) -> None:
    assert kernel is not None
    rows, values, texts, only = case
    starts, ends = _locate_py(rows, values, texts, only)
    assert kernel.locate(rows, values, texts, only) == (starts, ends)
    expected = _bounded_py(rows, starts, ends, texts, boundary)
    assert kernel.bounded(rows, starts, ends, texts, boundary) == expected


class _Edges(Detector):
    """A detector whose own boundary rule is not :attr:`Detector.boundary` alone."""

    name = "edges"
    entity = "EDGES"

    def _bounded(self, text: str, start: int, end: int) -> bool:
        return start % 2 == 0


@needs_kernel
@settings(max_examples=400)
@given(
    case=_located(),
    data=st.data(),
    boundary=st.sampled_from(["none", "alnum", "digit", "word", None]),
)
def test_units_located_matches_reference(
    case: tuple[list[int], list[str], list[str | None], set[int] | None],
    data: st.DataObject,
    boundary: str | None,
) -> None:
    """Units holding a name (some of the values, each with candidates inside it) are placed
    in their rows as the reference places them, bounded by the rule or by the detector."""
    assert kernel is not None
    rows, values, texts, _ = case
    per_unit: dict[str, list[Candidate]] = {}
    for value in dict.fromkeys(values):
        if data.draw(st.booleans()):
            spans = data.draw(
                st.lists(st.tuples(st.integers(0, len(value)), st.integers(0, len(value))))
            )
            per_unit[value] = [Candidate(min(a, b), max(a, b), "p", 0.5) for a, b in spans]
    det = _Edges()
    expected = _units_located_py(rows, values, texts, per_unit, det, boundary)
    assert kernel.units_located(rows, values, texts, per_unit, det, boundary) == expected


@needs_kernel
@settings(max_examples=300)
@given(
    values=st.lists(st.sampled_from("abcdefgh"), max_size=30),
    data=st.data(),
    size=st.integers(1, 6),
)
def test_verdicts_match_reference(values: list[str], data: st.DataObject, size: int) -> None:
    """The same values judged in the same order, the same verdicts kept, and the memo (full
    or not) left alike."""
    assert kernel is not None
    kept = data.draw(st.lists(st.integers(0, max(0, len(values) - 1)), max_size=40))
    kept = [i for i in kept if i < len(values)]
    memo = {
        v: data.draw(st.sampled_from([True, False, None]))
        for v in data.draw(st.lists(st.sampled_from("abcdefgh"), max_size=size))
    }
    answers = {v: data.draw(st.sampled_from([True, False, None])) for v in "abcdefgh"}
    asked: list[list[str]] = [[], []]
    results = []
    for k, run in enumerate((_scanner._verdicts_py, None)):
        mine = dict(memo)

        def judge(value: str, k: int = k) -> bool | None:
            asked[k].append(value)
            return answers[value]

        if run is None:
            found = kernel.verdicts(values, kept, mine, judge, size, _scanner._UNSEEN)
        else:
            saved = _scanner._MEMO_SIZE
            _scanner._MEMO_SIZE = size
            try:
                found = run(values, kept, mine, judge)
            finally:
                _scanner._MEMO_SIZE = saved
        results.append((found, list(found), mine))
    assert asked[0] == asked[1]
    assert results[0] == results[1]


@needs_kernel
@settings(max_examples=600)
@given(
    spans=st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 12)).map(lambda p: (p[0], p[0] + p[1]))
    ),
    start=st.integers(0, 60),
    width=st.integers(0, 12),
)
def test_neighbours_match_reference(spans: list[tuple[int, int]], start: int, width: int) -> None:
    assert kernel is not None
    end = start + width
    assert kernel.neighbours(spans, start, end) == _scanner._neighbours(spans, start, end)


_DATES = ("12.03.1985", "01/02/2001", "30-12-1999")
_NEAREST_WORDS = (
    "туған", "Туған күні", "родился", "дата рождения", "born", "DOB", "birth", "заказ",
    "order", "card", "тел", "ИИН", "клиент", "и", "a", "-", ",", ".", "!", "\n", "Ол", "…",
)  # fmt: skip
_DATED = st.lists(
    st.sampled_from(_NEAREST_WORDS) | st.sampled_from(_DATES) | st.text(_ALPHABET, max_size=3),
    min_size=2,
    max_size=24,
).map(" ".join)


@needs_kernel
@settings(max_examples=800)
@given(
    text=_DATED,
    data=st.data(),
    # the date detector (whose rule this is) and card numbers' negative words most often
    det=st.sampled_from([d for d in _DETECTORS if d.name in ("date_of_birth", "payment_card")])
    | st.sampled_from(_DETECTORS),
)
def test_nearest_context_matches_reference(text: str, data: st.DataObject, det: Detector) -> None:
    """The words nearer a candidate than its detector's other candidates nearby (dates among
    dates): the kernel's rule is ``Scanner._nearby``'s, for every built-in detector."""
    assert kernel is not None
    spans = [(m.start(), m.end()) for m in re.finditer(r"\d+[./-]\d+[./-]\d+", text)]
    if spans and data.draw(st.integers(0, 4)):
        start, end = data.draw(st.sampled_from(spans))
    else:
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, len(text)))
    near = _scanner._neighbours(spans, start, end)
    if near is None:
        return
    expected = _scanner._nearest_context(det, *_window_py(text, start, end), near)
    negative, context = det.negative_matcher.pattern, det.context_matcher.pattern
    assert kernel.nearest_context(text, start, end, near, negative, context) == expected


_TWELVE = st.text(alphabet="0123456789", min_size=12, max_size=12)


@needs_kernel
@settings(max_examples=2000)
@given(number=_TWELVE | st.text(alphabet="0123456789٣²a ", max_size=14))
def test_kz_checksum_matches_reference(number: str) -> None:
    assert kernel is not None
    assert kernel.kz_checksum_ok(number) == _checksum_ok_py(number)


@needs_kernel
@pytest.mark.parametrize(
    "number",
    # published vectors (shared/domain/iin-bin-vectors.txt): valid IINs and BINs, a wrong
    # check digit, both weight passes giving 10, non-digits, lengths 11 and 13
    ["900101300007", "061211600012", "700140000019", "010101600586", "821214240092",
     "90010130000", "9001013000070", "90010130000a", "٩٠٠١٠١٣٠٠٠٠٧"],
)  # fmt: skip
def test_kz_checksum_cases(number: str) -> None:
    assert kernel is not None
    assert kernel.kz_checksum_ok(number) == _checksum_ok_py(number)


_CARDS = st.text(alphabet="0123456789", min_size=1, max_size=19)
_IBAN_CHARS = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZaz", min_size=1, max_size=34)
# what the kernel leaves to python-stdnum: other scripts' digits, signs, spaces, nothing
_ODD = st.text(alphabet="0123456789AZaz٣²𝟗 -ſK", max_size=20)


@needs_kernel
@settings(max_examples=2000)
@pytest.mark.parametrize(
    ("name", "reference", "fast_case"),
    [("luhn_ok", checksums._luhn_ok_py, str.isdigit),
     ("mod97_ok", checksums._mod97_ok_py, str.isalnum)],
)  # fmt: skip
@given(number=_CARDS | _IBAN_CHARS | _ODD)
def test_checksums_match_stdnum(
    name: str, reference: Callable[[str], bool], fast_case: Callable[[str], bool], number: str
) -> None:
    """The kernel's verdict on ASCII candidates (digits for Luhn, letters and digits for
    mod 97-10) is stdnum's, it leaves every other one to stdnum, and so does the check."""
    verdict = getattr(kernel, name)(number)
    if number and number.isascii() and fast_case(number):
        assert verdict == reference(number)
    else:
        assert verdict is None
    assert getattr(checksums, name)(number) == reference(number)


@pytest.mark.parametrize(
    ("number", "luhn", "mod97"),
    # published vectors: card test numbers (Visa, Mastercard, Mir), a wrong last digit;
    # IBANs (KZ, DE, GB) with their first four characters moved to the end, one altered
    [("4111111111111111", True, False), ("5555555555554444", True, False),
     ("2200000000000004", True, False), ("4111111111111112", False, False),
     ("125KZT5004100100KZ86", False, True), ("370400440532013000DE89", False, True),
     ("NWBK60161331926819GB29", False, True), ("NWBK60161331926818GB29", False, False)],
)  # fmt: skip
def test_checksum_vectors(number: str, luhn: bool, mod97: bool) -> None:
    assert checksums.luhn_ok(number) is luhn
    assert checksums.mod97_ok(number) is mod97
    assert checksums._luhn_ok_py(number) is luhn
    assert checksums._mod97_ok_py(number) is mod97


# ---- whole scans: the kernel and the references give the same findings ------------------

ROOT = Path(__file__).resolve().parents[2]

_REFERENCES = {
    _scanner: {
        "_window": _scanner._window_py,
        "_near_words": _scanner._near_words_py,
        "_locate": _scanner._locate_py,
        "_bounded": _scanner._bounded_py,
        "_units_located": _scanner._units_located_py,
        "_verdicts": _scanner._verdicts_py,
        "_score_matches": _scanner._score_matches_py,
        "_row_hits": _scanner._row_hits_py,
        "mask_preview": _protect._mask_preview_py,
        "_finding_columns": _scanner._finding_columns_py,
    },
    _protect: {
        "_digested": _protect._digested_py,
        "mask_preview": _protect._mask_preview_py,
        "kernel": None,  # KeyedHasher.digests one by one
    },
    kzid: {"_checksum_ok": kzid._checksum_ok_py},
}


def _scan_pure(batch: pa.RecordBatch, monkeypatch: pytest.MonkeyPatch) -> pa.RecordBatch:
    """``batch`` scanned by a fresh scanner on the Python references alone."""
    with monkeypatch.context() as patch:
        for module, names in _REFERENCES.items():
            for name, reference in names.items():
                patch.setattr(module, name, reference)
        return Scanner(hasher=KeyedHasher(key=b"k")).scan_batch(batch)


_FRAGMENTS = [
    *FRAGMENTS,
    # sentence ends, IBANs of other countries, Kazakh pronouns, postal codes, ID cards
    "DE89370400440532013000", "Ол", "Мен", "ИНДЕКС", "050000", "удостоверение", "043512345",
    "! ", "… ", "_",
]  # fmt: skip


@needs_kernel
@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map(" ".join), max_size=40),
    column=st.sampled_from(["text", "notes", "iin", "client_phone", "version", "date_of_birth"]),
)
def test_scans_match_the_references(texts: list[str], column: str) -> None:
    """A column of text (long enough for the polars path, or a few values for the per-string
    one), under names that do and do not act as context: identical findings batches."""
    batch = pa.RecordBatch.from_pydict({column: texts}, schema=pa.schema([(column, pa.string())]))
    with pytest.MonkeyPatch.context() as monkeypatch:
        expected = _scan_pure(batch, monkeypatch)
    assert Scanner(hasher=KeyedHasher(key=b"k")).scan_batch(batch).equals(expected)


@needs_kernel
def test_cli_output_is_the_same_with_senim_pure_python(tmp_path: Path) -> None:
    """``$SENIM_PURE_PYTHON`` switches the whole process to the references: same JSONL."""
    outputs = []
    for pure in ("0", "1"):
        done = subprocess.run(
            [sys.executable, "-m", "senim", "scan", str(ROOT / "examples"), "-f", "jsonl"],
            capture_output=True,
            text=True,
            env={**os.environ, "SENIM_HASH_KEY": "k", "SENIM_PURE_PYTHON": pure},
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append([json.loads(line) for line in done.stdout.splitlines()])
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 50

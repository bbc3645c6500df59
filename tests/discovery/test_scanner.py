from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from tests.discovery._fragments import FRAGMENTS

from senim.discovery import (
    FINDINGS_SCHEMA,
    Detector,
    DetectorRegistry,
    KeyedHasher,
    Pattern,
    Scanner,
)
from senim.discovery import _scanner as scanner_module
from senim.discovery._api import scan_table, to_arrow
from senim.discovery._model import findings_from_batch
from senim.discovery._scanner import _PRESENT_HEAD
from senim.errors import InputError, UsageError

ROWS = {
    "client_name": ["Иванов Иван Иванович", "Aigerim Bekova", None, "Иванов Иван Иванович"],
    "iin": ["900101300007", "061211600012", "", "900101300007"],
    "note": ["звонить 87011234567", "ok", "email a@b.kz", "—"],
    "amount": [1.5, 2.0, 3.0, 4.0],
}


def test_scan_batch_names_record_and_column(scanner: Scanner) -> None:
    batch = pa.RecordBatch.from_pydict(ROWS)
    out = scanner.scan_batch(batch, source="clients.csv", record_offset=100)
    assert out.schema == FINDINGS_SCHEMA
    got = {(f.record, f.column, f.entity) for f in findings_from_batch(out)}
    assert got == {
        (100, "client_name", "PERSON"),
        (101, "client_name", "PERSON"),
        (103, "client_name", "PERSON"),
        (100, "iin", "KZ_IIN"),
        (101, "iin", "KZ_IIN"),
        (103, "iin", "KZ_IIN"),
        (100, "note", "KZ_PHONE"),
        (102, "note", "EMAIL"),
    }
    for f in findings_from_batch(out):
        assert f.source == "clients.csv"
        assert f.start >= 0
        assert f.end > f.start


def test_reserved_columns_give_provenance(scanner: Scanner) -> None:
    batch = pa.RecordBatch.from_pydict(
        {
            "text": ["line one", "ИИН 900101300007"],
            "_senim_offset": pa.array([0, 9], pa.int64()),
            "_senim_source": ["a.txt", "a.txt"],
        }
    )
    (f,) = findings_from_batch(scanner.scan_batch(batch))
    assert (f.source, f.record, f.column, f.start, f.end) == ("a.txt", None, None, 13, 25)

    batch = pa.RecordBatch.from_pydict(
        {"v": ["x", "900101300007"], "_senim_record": pa.array([7, 42], pa.int64())}
    )
    (f,) = findings_from_batch(scanner.scan_batch(batch, source="t"))
    assert f.record == 42


def test_typed_columns(scanner: Scanner) -> None:
    table = pa.table(
        {
            "iin": pa.array([900101300007, 1], pa.int64()),
            "birth_date": pa.array([dt.date(1985, 3, 12), None], pa.date32()),
            "flag": [True, False],
        }
    )
    found = {(f.column, f.entity) for f in findings_from_batch(scanner.scan_batch(table))}
    assert found == {("iin", "KZ_IIN"), ("birth_date", "DATE_OF_BIRTH")}


@pytest.mark.parametrize(
    ("column", "number", "found"),
    [
        ("iin", 51112600010, ("KZ_IIN", "051112600010", 1)),  # born 2005: one zero lost
        ("iin", 101500001, ("KZ_IIN", "000101500001", 3)),  # born 1 Jan 2000: three lost
        ("bin", 50140000011, ("KZ_BIN", "050140000011", 1)),  # registered in 2005
        ("amount", 51112600010, ("KZ_IIN", "051112600010", 1)),  # no column context needed
        ("iin", 51112600011, None),  # check digit fails once zero-filled
        ("iin", 1500001, None),  # five zeros: no IIN starts so
        ("phone", 77011234567, ("KZ_PHONE", "77011234567", 0)),  # not an IIN ("0770...")
    ],
)
def test_integer_columns_get_their_leading_zeros_back(
    column: str, number: int, found: tuple[str, str, int] | None, scanner: Scanner
) -> None:
    table = pa.table({column: pa.array([number], pa.int64())})
    findings = findings_from_batch(scanner.scan_batch(table))
    if found is None:
        assert findings == []
        return
    entity, value, zeros = found
    (f,) = findings
    assert (f.entity, f.start, f.end) == (entity, 0, len(str(number)))
    # the identifier's digest: the same IIN written as text in another source matches
    assert f.digest == scanner.hasher.digest(entity, value)
    restored = [a for a in f.explanation.adjustments if a.reason == "leading_zeros"]
    assert [a.detail for a in restored] == ([f"integer column: {zeros} restored"] if zeros else [])


def test_text_columns_are_not_zero_filled(scanner: Scanner) -> None:
    table = pa.table({"iin": ["51112600010"]})  # a text column keeps what it was given
    assert findings_from_batch(scanner.scan_batch(table)) == []


@pytest.mark.parametrize("kind", ["arrow", "polars", "pandas"])
def test_scan_table_accepts_arrow_polars_pandas(kind: str, scanner: Scanner) -> None:
    table = pa.table({k: v for k, v in ROWS.items() if k != "amount"})
    data = {"arrow": table, "polars": pl.from_arrow(table), "pandas": table.to_pandas()}[kind]
    report = scan_table(data, source="t", scanner=scanner)
    columns = {c.column: c for c in report.columns}
    assert columns["iin"].verdict == "KZ_IIN"
    assert columns["iin"].rows == 3  # the empty string is not a value
    assert columns["iin"].entities[0].share == pytest.approx(1.0)
    assert columns["client_name"].verdict == "PERSON"
    assert columns["client_name"].name_suggests == ("PERSON",)
    assert columns["note"].verdict is None
    assert report.entity_counts == {"KZ_IIN": 3, "PERSON": 3, "EMAIL": 1, "KZ_PHONE": 1}


def test_unsupported_table_type() -> None:
    with pytest.raises(InputError) as info:
        to_arrow([1, 2, 3])
    assert info.value.message("en") == (
        "Cannot scan a list: pass a pyarrow Table, a polars DataFrame or a pandas DataFrame"
    )


def test_entity_selection(scanner: Scanner) -> None:
    only = Scanner(entities=["EMAIL"], hasher=KeyedHasher(key=b"k"))
    assert [f.entity for f in only.scan_text("a@b.kz ИИН 900101300007")] == ["EMAIL"]
    with pytest.raises(UsageError) as info:
        Scanner(entities=["NOPE"])
    assert info.value.key == "scan.unknown_entity"


def test_min_score_filters() -> None:
    strict = Scanner(min_score=0.95, hasher=KeyedHasher(key=b"k"))
    assert [
        f.entity for f in strict.scan_text("900101300007 — платёж принят банком. ИИН 061211600012")
    ] == ["KZ_IIN"]


def test_no_raw_value_in_findings(scanner: Scanner) -> None:
    text = "ИИН 900101300007, email aigerim.bekova@mail.kz, карта 4111 1111 1111 1111"
    for f in scanner.scan_text(text):
        raw = text[f.start : f.end]
        dumped = str(f.to_dict())
        assert raw not in dumped
        assert len(f.preview) == len(raw)


# ---- invariants --------------------------------------------------------------------------

noise = st.text(
    alphabet=st.sampled_from(list("abc xyz АБВ әғқ ңөұ үһі 0123456789.,:;-+@()\n")), max_size=60
)


@settings(max_examples=60, deadline=None)
@given(noise, noise)
def test_embedded_iin_is_found_with_valid_offsets(before: str, after: str) -> None:
    scanner = Scanner(hasher=KeyedHasher(key=b"k"), entities=["KZ_IIN"])
    text = f"{before} ИИН 900101300007 {after}"
    findings = scanner.scan_text(text)
    assert "900101300007" in [text[f.start : f.end] for f in findings]
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
        assert 0.0 <= f.score <= 1.0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(ROWS["note"] + ROWS["iin"] + ["Иванов Иван Иванович"]), max_size=12)
)
def test_findings_do_not_depend_on_row_order(values: list[str]) -> None:
    scanner = Scanner(hasher=KeyedHasher(key=b"k"))
    forward = findings_from_batch(scanner.scan_batch(pa.RecordBatch.from_pydict({"c": values})))
    backward = findings_from_batch(
        scanner.scan_batch(pa.RecordBatch.from_pydict({"c": values[::-1]}))
    )
    n = len(values)
    a = sorted((f.record, f.start, f.end, f.entity, f.digest) for f in forward)
    b = sorted((n - 1 - f.record, f.start, f.end, f.entity, f.digest) for f in backward)  # type: ignore[operator]
    assert a == b


def test_column_name_can_rule_a_detector_out(scanner: Scanner) -> None:
    batch = pa.RecordBatch.from_pydict({"version": ["2.4.1.17"], "client_ip": ["10.2.4.17"]})
    found = {(f.column, f.entity) for f in findings_from_batch(scanner.scan_batch(batch))}
    assert found == {("client_ip", "IP_ADDRESS")}


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(" ".join), max_size=6))
@example(["900101300007 4111 1111 1111 1111 Иванов Сергей Петрович 4111 1111 1111 1111"])
@example(
    ["родился 12.03.1985 стаж с 01.11.2018 born 1985-03-12", "01.11.2018 , родился 5 марта 1990"]
)
def test_text_and_batch_paths_agree(texts: list[str]) -> None:
    """scan_text (per string) and scan_batch (vectorised) apply one rule and find the same."""
    scanner = Scanner(hasher=KeyedHasher(key=b"k"))
    batch = findings_from_batch(scanner.scan_batch(pa.RecordBatch.from_pydict({"c": texts})))
    by_row: dict[int, list[tuple[int, int, str, float]]] = {}
    for f in batch:
        assert f.record is not None
        by_row.setdefault(f.record, []).append((f.start, f.end, f.entity, f.score))
    for i, text in enumerate(texts):
        single = [(f.start, f.end, f.entity, f.score) for f in scanner.scan_text(text, column="c")]
        assert sorted(single) == sorted(by_row.get(i, []))


def test_sliced_large_batches_keep_record_numbers(scanner: Scanner) -> None:
    from senim.discovery import _scanner as scanner_module

    n = scanner_module._SLICE_ROWS + 10
    values = ["—"] * n
    values[-1] = "ИИН 900101300007"
    found = findings_from_batch(scanner.scan_batch(pa.RecordBatch.from_pydict({"c": values})))
    assert [(f.record, f.entity) for f in found] == [(n - 1, "KZ_IIN")]
    empty = scanner.scan_batch(pa.RecordBatch.from_pydict({"c": ["—"] * n}))
    assert empty.num_rows == 0
    assert empty.schema == FINDINGS_SCHEMA


def test_repeated_values_are_masked_and_hashed_once_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from senim.discovery import _scanner as scanner_module

    monkeypatch.setattr(scanner_module, "_MEMO_SIZE", 50)
    hasher = KeyedHasher(key=b"k")
    calls: list[str] = []
    real = scanner_module.mask_preview

    def counting(value: str) -> str:
        calls.append(value)
        return real(value)

    monkeypatch.setattr(scanner_module, "mask_preview", counting)
    scanner = Scanner(hasher=hasher)
    emails = [f"user{i}@mail.kz" for i in range(120)]
    column = {"email": emails + emails[:10] * 5, "iin": ["900101300007"] * 170}
    found = findings_from_batch(scanner.scan_batch(pa.RecordBatch.from_pydict(column)))
    assert len(found) == 340
    for f in found:
        value = column[f.column or ""][f.record or 0]
        assert (f.preview, f.digest) == (real(value), hasher.digest(f.entity, value))
    assert calls.count("900101300007") == 1  # the IIN memo is its own: e-mails never evict it
    assert len(calls) < 340
    assert all(len(memo) <= 50 for memo in scanner._shown.values())


def test_distinct_values_skip_the_memo() -> None:
    scanner = Scanner(hasher=KeyedHasher(key=b"k"))
    emails = [f"user{i}@mail.kz" for i in range(40)]
    found = findings_from_batch(scanner.scan_batch(pa.RecordBatch.from_pydict({"e": emails})))
    assert [f.digest for f in found] == [scanner.hasher.digest("EMAIL", e) for e in emails]
    assert scanner._shown == {}


def test_the_neighbourhood_memo_pauses_while_it_hardly_hits() -> None:
    memo: scanner_module._Thrifty[int, int] = scanner_module._Thrifty()
    for i in range(scanner_module._PROBE):  # every key new: no hits
        assert memo.get(i) is None
        memo.put(i, i)
    assert memo.paused == scanner_module._PAUSE
    assert not memo.cache
    memo.paused = 0
    for _ in range(scanner_module._PROBE):  # one key again and again: it pays
        if memo.get(7) is None:
            memo.put(7, 7)
    assert memo.paused == 0
    assert memo.cache == {7: 7}


def test_findings_do_not_depend_on_the_neighbourhood_memo() -> None:
    texts = [
        f"Клиент Иванов Сергей, ИИН 900101300007, тел. +7 701 234 56 7{i % 10}; "
        f"родился 01.02.1990, email user{i}@mail.kz"
        for i in range(60)
    ] * 2
    batch = pa.RecordBatch.from_pydict({"note": texts})
    used = Scanner(hasher=KeyedHasher(key=b"k"))
    paused = Scanner(hasher=KeyedHasher(key=b"k"))
    paused._near.paused = 10**9
    first = used.scan_batch(batch)
    assert used._near.cache  # the rows repeat: the memo answered
    assert first.num_rows >= 5 * len(texts)  # person, IIN, phone, birth date, e-mail
    assert first.equals(paused.scan_batch(batch))
    assert not paused._near.cache


def test_a_birth_word_counts_for_the_nearest_date_in_tables(scanner: Scanner) -> None:
    rows = [
        "Родился 21.09.1952, в штате с 01.11.2018",
        "принят 01.11.2018, родился 21.09.1952",
        "родился 01.01.1970, жена родилась 02.02.1972",
    ]
    found = findings_from_batch(scanner.scan_batch(pa.RecordBatch.from_pydict({"note": rows})))
    dates = [
        (f.record, rows[f.record][f.start : f.end])  # type: ignore[index]
        for f in found
        if f.entity == "DATE_OF_BIRTH"
    ]
    assert dates == [(0, "21.09.1952"), (1, "21.09.1952"), (2, "01.01.1970"), (2, "02.02.1972")]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(1, 12), st.sampled_from([0.5, 0.85, 0.9, 1.0])),
        max_size=30,
    )
)
def test_overlaps_resolve_as_the_best_first_rule_says(spans: list[tuple[int, int, float]]) -> None:
    """The bisection keeps exactly what checking every kept hit would keep."""
    from senim.discovery._scanner import _Hit, _resolve_overlaps

    det = Scanner().detectors[0]
    hits = [_Hit(start, start + size, score, det, "p", score, ()) for start, size, score in spans]
    ranked = sorted(hits, key=lambda h: (-h.score, -(h.end - h.start), h.start))
    expected: list[_Hit] = []
    for hit in ranked:
        if all(hit.end <= k.start or k.end <= hit.start for k in expected):
            expected.append(hit)
    expected.sort(key=lambda h: (h.start, h.end))
    assert [id(h) for h in _resolve_overlaps(hits)] == [id(h) for h in expected]


@pytest.mark.parametrize("stacked", [1 << 16, 8])
def test_columns_scanned_together_find_what_each_column_alone_finds(
    stacked: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Columns whose names say the same are stacked into one scan (wide exports); what
    they find, and where, is what scanning each column on its own finds."""
    from senim.discovery import _scanner as scanner_module

    monkeypatch.setattr(scanner_module, "_STACKED_VALUES", stacked)
    batch = pa.RecordBatch.from_pydict(
        {
            "a": ["900101300007", None, "x", "ИИН 061211600012"],
            "b": ["+7 701 123 45 67", "a.b@mail.kz", None, "10.0.0.1"],
            "c": [None, None, None, None],
            "version": ["1.2.3.4", "10.0.0.1", "2.0", "v"],
            "client_phone": ["87011234567", "", "x", "8 (705) 234 56 78"],
            "note": ["Иванов Сергей Петрович родился 12.03.1985, стаж с 01.11.2018"] * 4,
            "iin_number": pa.array([10203500001, 900101300007, 5, None], pa.int64()),
            "d": ["Алматы, ул. Абая, д. 10, кв. 5", "N12345678", "паспорт N12345678", "-"],
        }
    )
    scanner = Scanner(hasher=KeyedHasher(key=b"k"))

    def rows(found: pa.RecordBatch) -> list[tuple[object, ...]]:
        return [
            (f.record, f.column, f.start, f.end, f.entity, f.score, f.digest, f.explanation)
            for f in findings_from_batch(found)
        ]

    together = rows(scanner.scan_batch(batch))
    alone = [
        r for name in batch.schema.names for r in rows(scanner.scan_batch(batch, columns=[name]))
    ]
    assert together == alone
    assert {r[1] for r in together} >= {"a", "b", "client_phone", "note", "iin_number", "d"}


@pytest.mark.parametrize("row", [0, 3, _PRESENT_HEAD - 1, _PRESENT_HEAD, 2999])
def test_a_value_in_any_row_of_a_column_of_cells_is_found(
    row: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Columns of short values are first asked which patterns occur at all (the first rows,
    then the rest for the patterns not seen there); a kind of value that occurs once, in
    any row, is still extracted."""
    from senim.discovery import _scanner as scanner_module

    calls: list[int] = []
    present = scanner_module.Scanner._present

    def counted(self: Scanner, frame: pl.DataFrame) -> set[str]:
        calls.append(frame.height)
        return present(self, frame)

    monkeypatch.setattr(scanner_module.Scanner, "_present", counted)
    cells = [f"code {i}" for i in range(3000)]
    cells[row] = "ИИН 900101300007"
    cells[5 if row != 5 else 6] = "a.b@mail.kz"
    found = findings_from_batch(Scanner().scan_batch(pa.record_batch({"note": cells})))
    assert calls == [3000]  # the column was treated as cells
    assert sorted((f.record, f.entity) for f in found) == sorted(
        [(row, "KZ_IIN"), (5 if row != 5 else 6, "EMAIL")]
    )


def test_a_column_of_mixed_cells_is_searched_with_every_pattern() -> None:
    """When the first rows of a column of cells already hold most kinds of value (short
    messages), the rest is not tested: every pattern is extracted, and a kind that occurs
    only further down is found as well."""
    kinds = [
        "ИИН 900101300007", "тел. +7 701 234 56 78", "8 (727) 250-00-00", "a.b@mail.kz",
        "KZ86 125K ZT50 0410 0100", "DE89 3704 0044 0532 0130 00", "4111 1111 1111 1111",
        "4111111111111111", "10.0.0.1", "2001:db8::1", "госномер 123 ABC 02",
        "паспорт N12345678", "дата рождения 12.03.1985", "born 1985-03-12",
        "индекс 050000", "A05K8P3", "Иванов Сергей Петрович", "ул. Абая 10",
        "BIN 700140000019", "жеке куәлік 041234567",
    ]  # fmt: skip
    cells = [kinds[i % len(kinds)] for i in range(3000)]
    cells[2999] = "+44 20 7946 0958"  # PHONE, nowhere in the head
    scanner = Scanner()
    frame = pl.DataFrame({"v": cells}).with_row_index("row")
    assert scanner._present(frame) == set(scanner._regexes)
    found = findings_from_batch(scanner.scan_batch(pa.record_batch({"note": cells})))
    assert (2999, "PHONE") in {(f.record, f.entity) for f in found}


def _eval_texts() -> list[str]:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "benchmarks" / "data"
    return [
        json.loads(line)["text"]
        for name in ("eval_pii.jsonl", "eval_pii_heldout.jsonl")
        for line in (root / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_every_match_of_a_pattern_holds_one_of_its_shortcuts_words() -> None:
    """``Pattern.requires`` lets a column skip rows without those words: that is only right
    if no match can do without them (here: every match in the kk/ru/en evaluation sets)."""
    patterns = [p for d in Scanner().detectors for p in d.patterns if p.requires]
    assert patterns  # ADDRESS's Kazakh and English street words
    texts = _eval_texts()
    matched = 0
    for pattern in patterns:
        for text in texts:
            for m in pattern.compiled().finditer(text):
                matched += 1
                assert any(w in m.group() for w in pattern.requires), (pattern.name, m.group())
    assert matched > 40  # Kazakh and English addresses of both sets


def test_shortcuts_words_change_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """A column scanned with the rows lacking a pattern's required words skipped finds
    exactly what searching every row finds."""
    texts = _eval_texts()
    batch = pa.record_batch({"text": texts, "_senim_offset": [0] * len(texts)})
    scanner = Scanner(hasher=KeyedHasher(key=b"k"))
    assert scanner._shortcuts
    with_words = scanner.scan_batch(batch)
    monkeypatch.setattr(Scanner, "_shortcuts", {})
    assert Scanner(hasher=KeyedHasher(key=b"k")).scan_batch(batch).equals(with_words)
    assert "ADDRESS" in with_words.column("entity").to_pylist()


def test_shortcuts_words_are_matched_as_written() -> None:
    from senim.discovery._detector import Pattern

    with pytest.raises(ValueError, match="as written"):
        Pattern(name="p", regex="x", score=0.5, ignore_case=True, requires=("x",))


def test_the_built_in_column_regexes_leave_room_in_polars_regex_cache() -> None:
    """polars keeps 32 compiled regexes per thread, least recently used out. A batch of
    text runs every extraction regex (a unit regex's faster one in its place), fallback and
    context gate; once they no longer fit, every batch compiles them all again (measured:
    about 25 ms more per batch, with three more patterns than these; with one more, a regex
    test for PERSON's shortcut, batches of 8,192 sentences took 20-30% longer). PERSON's
    own unit regex runs only on the rare rows its faster one gets wrong. A new built-in
    pattern has to fit here, or replace one."""
    scanner = Scanner()
    gates = {d.context_gate for d in scanner.detectors if d.context_gate is not None}
    fallbacks = {other for _, other in scanner._shortcuts.values() if other is not None}
    fast = scanner._fast_units
    run = {fast[rx][0] if rx in fast else rx for rx in scanner._regexes}
    assert len(run | gates | fallbacks) <= 32


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(
                [
                    "Асқар",
                    "Нұрлан",
                    "ұлы",
                    "қызы",
                    "uly",
                    "kyzy",
                    "ҰЛЫ",
                    "қызыл",
                    "ұлыс",
                    "kyzy_",
                    "uly2",
                    "truly",
                    "July",
                    "Ivanov",
                    "А.",
                    "ABAY",
                    "Аль-Фараби",
                    "көшесі",
                    "Street",
                    "12",
                    ",",
                    ".",
                    " ",
                    "  ",
                    "\n",
                ]
            ),
            max_size=12,
        ).map("".join),
        min_size=1,
        max_size=20,
    )
)
def test_a_shortcut_extracts_what_the_regex_alone_extracts(texts: list[str]) -> None:
    """Rows are split by a shortcut's words (ADDRESS's street words), or searched with a
    faster regex and, where it may be wrong, again (PERSON's units: a patronymic word glued
    to the next word, "қызыл", "ұлыс"): the matches are those of the regex run on every
    row, in the same order."""
    from senim.discovery._scanner import _extract, _extraction_regexes

    scanner = Scanner()
    keys = [(rx, None) for d in scanner.detectors for rx in _extraction_regexes(d)]
    keys = [k for k in keys if k[0] in scanner._shortcuts or k[0] in scanner._fast_units]
    assert len(keys) == 3
    frame = pl.DataFrame({"v": texts}).with_row_index("row")
    fast = _extract(frame, keys, scanner._shortcuts, scanner._fast_units)
    plain = _extract(frame, keys)
    assert fast.keys() == plain.keys()
    for key, found in plain.items():
        assert (fast[key].rows, fast[key].values) == (found.rows, found.values)


def test_the_garbage_collector_pauses_while_a_batch_is_scanned() -> None:
    import gc

    from senim.discovery import Detector, DetectorRegistry, Pattern

    seen: list[bool] = []

    class Probe(Detector):
        name = "probe"
        entity = "PROBE"
        patterns = (Pattern(name="p", regex=r"EMP-\d{6}", score=0.8),)

        def validate(self, value: str) -> bool | None:
            seen.append(gc.isenabled())
            return True

    scanner = Scanner(registry=DetectorRegistry([Probe()]))
    batch = pa.record_batch({"text": ["EMP-000001", "x EMP-000002"]})
    assert gc.isenabled()
    assert scanner.scan_batch(batch).num_rows == 2
    table = pa.Table.from_batches([batch, batch])  # tables and slices take the same path
    assert scanner.scan_batch(table).num_rows == 4
    assert seen
    assert not any(seen)
    assert gc.isenabled()  # on again afterwards
    gc.disable()  # and a collector the caller turned off stays off
    try:
        scanner.scan_batch(batch)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_expressions_are_built_once_and_tests_never_share_a_column() -> None:
    from senim.discovery._scanner import _expression, _test_column

    assert _expression("extract", r"\d{12}") is _expression("extract", r"\d{12}")
    tests = [r"(?i)иин", ("ұлы", "қызы"), ("ұлы",), "(?i)('ұлы',)"]
    assert len({_test_column(t) for t in tests}) == len(tests)
    frame = pl.DataFrame({"v": ["Нұрлан ұлы", "иин 1", "x"]})
    got = frame.with_columns(_expression("test", t) for t in tests)
    assert got.select(_test_column(t) for t in tests).rows() == [
        (False, True, True, False),
        (True, False, False, False),
        (False, False, False, False),
    ]


@contextmanager
def _few_chars(limit: int) -> Iterator[None]:
    saved = scanner_module._FEW_CHARS
    scanner_module._FEW_CHARS = limit
    try:
        yield
    finally:
        scanner_module._FEW_CHARS = saved


_COLUMN_NAMES = ["c", "note", "iin", "client_phone", "version", "ФИО", "email", "дата рождения"]


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(_COLUMN_NAMES),
        st.lists(
            st.none() | st.lists(st.sampled_from(FRAGMENTS), max_size=6).map(" ".join),
            min_size=1,
            max_size=5,
        ),
        min_size=1,
        max_size=4,
    )
)
@example({"note": ["ИИН 900101300007, тел. +7 701 123 45 67"], "iin": ["900101300007", None]})
def test_few_values_take_the_per_string_path_with_the_same_findings(
    columns: dict[str, list[str | None]],
) -> None:
    """A small batch scanned value by value gives the findings batch polars' path gives:
    the same spans, scores, explanations, previews and digests, in the same order."""
    rows = max(len(v) for v in columns.values())
    batch = pa.RecordBatch.from_pydict(
        {k: v + [None] * (rows - len(v)) for k, v in columns.items()}
    )
    scanner = Scanner(hasher=KeyedHasher(key=b"k"))
    with _few_chars(0):
        polars_path = scanner.scan_batch(batch, source="t.csv")
    with _few_chars(1 << 30):
        per_string = scanner.scan_batch(batch, source="t.csv")
    assert per_string.equals(polars_path)


_NUMBERS = [900101300007, 10203500001, 61211600012, 940140000385, 40140000385, 87011234567, 7]


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["iin", "id", "bin", "n", "version"]),
        st.lists(
            st.none() | st.sampled_from(_NUMBERS) | st.integers(-(2**63), 2**63 - 1),
            min_size=1,
            max_size=5,
        ),
        min_size=1,
        max_size=3,
    )
)
@example({"iin": [10203500001, 900101300007], "bin": [40140000385]})
def test_few_integers_are_zero_filled_as_on_the_polars_path(
    columns: dict[str, list[int | None]],
) -> None:
    rows = max(len(v) for v in columns.values())
    batch = pa.RecordBatch.from_pydict(
        {k: pa.array(v + [None] * (rows - len(v)), pa.int64()) for k, v in columns.items()}
    )
    scanner = Scanner(hasher=KeyedHasher(key=b"k"))
    with _few_chars(0):
        polars_path = scanner.scan_batch(batch)
    with _few_chars(1 << 30):
        per_string = scanner.scan_batch(batch)
    assert per_string.equals(polars_path)


def test_only_small_columns_take_the_per_string_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = Scanner._text_hits

    def counted(self: Scanner, text: str, *args: Any) -> Any:
        calls.append(text)
        return real(self, text, *args)

    monkeypatch.setattr(Scanner, "_text_hits", counted)
    small = ["900101300007"] * 4
    large = [f"ИИН 900101300007, запись {i}" for i in range(200)]
    # the names say different things (columns saying the same are scanned as one)
    batch = pa.RecordBatch.from_pydict({"iin": small + [None] * 196, "note": large})
    with _few_chars(1024):
        found = findings_from_batch(Scanner(hasher=KeyedHasher(key=b"k")).scan_batch(batch))
    assert calls == small  # nulls skipped; the large column went through polars
    assert sum(f.column == "note" for f in found) == 200
    assert sum(f.column == "iin" for f in found) == 4


class _Badge(Detector):
    name = "badge"
    entity = "BADGE"
    patterns = (Pattern(name="p", regex=r"EMP-\d{6}", score=0.6),)
    validated_score = 0.9


class _BadgeValidated(_Badge):
    def validate(self, value: str) -> bool | None:
        return not value.endswith("0")  # EMP-...0 is rejected, the rest valid


class _BadgePruned(_BadgeValidated):
    def invalidate(self, value: str) -> bool:
        return value.endswith("1")  # and EMP-...1 pruned


@pytest.mark.parametrize(
    ("detector", "expected"),
    [
        (_Badge(), {"EMP-000000": 0.6, "EMP-000001": 0.6, "EMP-000002": 0.6}),
        (_BadgeValidated(), {"EMP-000001": 0.9, "EMP-000002": 0.9}),
        (_BadgePruned(), {"EMP-000002": 0.9}),
    ],
)
def test_column_path_judges_candidates_as_verdict_does(
    detector: Detector, expected: dict[str, float]
) -> None:
    """The column path calls as little as it can (``validate`` alone when ``invalidate``
    is the base one, nothing when both are) with the verdicts of ``Scanner._verdict``:
    rejected and pruned candidates are not reported, valid ones get the validated score,
    the others keep the pattern's; the per-string path agrees."""
    texts = [f"badge {v} issued" for v in ("EMP-000000", "EMP-000001", "EMP-000002")] * 40
    scanner = Scanner(registry=DetectorRegistry([detector]))
    found = scanner.scan_batch(pa.record_batch({"text": texts}))  # long enough: column path
    rows = found.to_pylist()
    got = {texts[r["record"]][r["start"] : r["end"]]: r["score"] for r in rows}
    assert got == expected
    assert len(rows) == 40 * len(expected)
    for value in ("EMP-000000", "EMP-000001", "EMP-000002"):
        one = scanner.scan_text(f"badge {value} issued")
        assert [f.score for f in one] == ([expected[value]] if value in expected else [])

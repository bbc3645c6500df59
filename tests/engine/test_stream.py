"""Units from many sources: short text files scanned together report as if scanned alone."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import senim.engine._local as local_module
from senim.discovery._api import scan_paths
from senim.engine import StreamedScanReport, UnitStream, split_findings
from senim.engine._stream import Part
from senim.sources._base import (
    OFFSET_COL,
    RECORD_COL,
    SOURCE_COL,
    TextRows,
    table_batch,
    text_batch,
)
from senim.sources._state import ScanState
from senim.store import Store

IINS = ["900101300007", "850505400127", "061211600012"]
LINES = [
    "ИИН {iin}, тел. +7 701 123 45 67",
    "Клиент Айгерім Серікқызы, ЖСН {iin}",
    "Contact: aliya@mail.kz, IIN {iin}",
    "Мекенжай: Алматы қ., Абай даңғылы, 10-үй, 5-пәтер",
    "no personal data here",
]


def _folder(root: Path, files: int) -> Path:
    root.mkdir()
    for i in range(files):
        picks = range(i, i + 1 + i % 4)
        lines = [LINES[k % len(LINES)].format(iin=IINS[k % 3]) for k in picks]
        (root / f"doc{i:03d}.txt").write_text("\n".join(lines), encoding="utf-8")
    return root


def _rows(report: Any) -> list[tuple[object, ...]]:
    return [tuple(r.values()) for r in report.findings.to_pylist()]


def _per_source(report: Any) -> list[tuple[str, str, int, int]]:
    return [(s.name, s.status, s.records, s.findings) for s in report.sources]


def _one_by_one(paths: list[Path]) -> tuple[list[Any], list[Any], list[Any]]:
    rows: list[tuple[object, ...]] = []
    sources: list[Any] = []
    columns: list[Any] = []
    for path in paths:
        report = scan_paths([path])
        rows += _rows(report)
        sources += _per_source(report)
        columns += [(c.source, c.column, c.rows, c.entities) for c in report.columns]
    return rows, sources, columns


@pytest.mark.parametrize("workers", [1, 2])
def test_short_files_scanned_together_report_as_if_alone(tmp_path: Path, workers: int) -> None:
    folder = _folder(tmp_path / "docs", 60)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    with zipfile.ZipFile(folder / "mail.zip", "w") as z:  # members carry their own names
        z.writestr("a.txt", f"ИИН {IINS[0]}")
        z.writestr("b.txt", f"ЖСН {IINS[1]}")
        z.writestr("c.csv", f"iin,email\n{IINS[2]},a@mail.kz\n")
    for i in range(12):  # small exports: most with the same columns, findings in each
        header = "id,fio,iin,email" if i != 5 else "id,iin,phone"
        body = [f"{r},Иванов Иван Иванович,{IINS[(i + r) % 3]},u{r}@mail.kz" for r in range(i % 3)]
        if i == 5:
            body = [f"1,{IINS[0]},+7 701 123 45 67"]
        (folder / f"export{i:02d}.csv").write_text("\n".join([header, *body]), encoding="utf-8")
        (folder / f"events{i:02d}.jsonl").write_text(
            f'{{"user": "Айгерім Серікқызы", "iin": "{IINS[i % 3]}"}}\n', encoding="utf-8"
        )
    paths = sorted(folder.iterdir())
    report = scan_paths([folder], workers=workers)
    rows, sources, columns = _one_by_one(paths)
    assert report.findings.num_rows > 60
    assert _rows(report) == rows  # same findings, same order
    assert _per_source(report) == sources  # records and findings counted per source
    assert [p.key for p in report.problems] == ["source.empty"]
    assert [(c.source, c.column, c.rows, c.entities) for c in report.columns] == columns


def _batches(*sizes: int, name: str) -> list[pa.RecordBatch]:
    return [text_batch([f"{name} line {i}" for i in range(n)], list(range(n))) for n in sizes]


def test_stream_joins_short_batches_and_keeps_markers_in_place() -> None:
    stream: UnitStream[str] = UnitStream(max_rows=5)
    units: list[tuple[pa.RecordBatch, str, int]] = []
    units += stream.batch(_batches(2, name="a")[0], "a", "a.txt", 0)
    units += stream.mark("end a")  # waits: rows of "a" are held
    units += stream.batch(_batches(2, name="b")[0], "b", "b.txt", 0)
    units += stream.mark("end b")
    units += stream.batch(_batches(2, name="c")[0], "c", "c.txt", 0)  # 6 rows > 5: a new unit
    units += stream.mark("reused d", flush=True)  # brings findings: what is held goes first
    units += stream.batch(table_batch(["iin"], [[IINS[0]]], [0]), "e", "e.csv", 0)
    units += stream.batch(table_batch(["iin"], [[IINS[1]]], [0]), "f", "f.csv", 0)
    units += stream.batch(table_batch(["phone"], [["+77011234567"]], [0]), "g", "g.csv", 0)
    units += stream.batch(_batches(2, name="h")[0], "h", "h.txt", 0)  # text after tables
    units += stream.flush()
    assert [u[0].num_rows for u in units] == [4, 2, 2, 1, 2]
    first = units[0][0]
    assert first.column(SOURCE_COL).to_pylist() == ["a.txt"] * 2 + ["b.txt"] * 2
    assert first.column(OFFSET_COL).to_pylist() == [0, 1, 0, 1]
    tables = units[2][0]
    assert tables.column(SOURCE_COL).to_pylist() == ["e.csv", "f.csv"]
    assert tables.column(RECORD_COL).to_pylist() == [0, 0]
    events = [(k, [p.tag for p in v] if k == "unit" else v) for k, v in stream.events]
    assert events == [
        ("unit", ["a", "b"]),
        ("mark", "end a"),
        ("mark", "end b"),
        ("unit", ["c"]),
        ("mark", "reused d"),
        ("unit", ["e", "f"]),  # same columns
        ("unit", ["g"]),
        ("unit", ["h"]),
    ]


def _member(name: str) -> pa.RecordBatch:
    return text_batch([f"{name} text"], [0], part=name)


def test_stream_keeps_apart_batches_of_one_name_and_joins_archive_members() -> None:
    stream: UnitStream[str] = UnitStream(max_rows=100)
    units: list[tuple[pa.RecordBatch, str, int]] = []
    units += stream.batch(_batches(2, name="x")[0], "first", "same.txt", 0)
    units += stream.batch(_batches(2, name="x")[0], "second", "same.txt", 0)
    units += stream.batch(_batches(100, name="big")[0], "big", "big.txt", 0)  # too large
    for member in ("z.zip!a.txt", "z.zip!b.txt", "z.zip!c.txt"):  # one source, three names
        units += stream.batch(_member(member), "zip", "z.zip", 0)
    units += stream.batch(_batches(3, name="csv")[0], "long", "long.txt", 0)
    units += stream.batch(_batches(3, name="csv")[0], "long", "long.txt", 3)  # its next batch
    units += stream.flush()
    assert [u[0].num_rows for u in units] == [2, 2, 100, 6, 3]
    assert [[p.tag for p in v] for _, v in stream.events] == [
        ["first"],
        ["second"],
        ["big"],
        ["zip", "long"],
        ["long"],
    ]
    assert stream.events[3][1][0].names == {"z.zip!a.txt", "z.zip!b.txt", "z.zip!c.txt"}
    joined = units[3][0]  # members name their rows; the file's rows get its name
    assert joined.column(SOURCE_COL).to_pylist() == [
        "z.zip!a.txt",
        "z.zip!b.txt",
        "z.zip!c.txt",
        *["long.txt"] * 3,
    ]
    assert joined.column("text").to_pylist()[2:4] == ["z.zip!c.txt text", "csv line 0"]
    alone, name, offset = units[4]
    assert SOURCE_COL not in alone.schema.names  # a batch scanned alone stays as read
    assert (name, offset) == ("long.txt", 3)


def _text_rows(lines: list[str]) -> TextRows:
    size = len("".join(lines).encode())
    return TextRows(lines, [3 * i for i in range(len(lines))], size, size)


_INPUTS = st.lists(
    st.tuples(
        st.sampled_from(["rows", "batch", "table", "mark"]),
        st.lists(
            st.sampled_from(["ИИН 900101300007\n", "Қайрат", "x" * 40]), min_size=1, max_size=6
        ),
        st.integers(0, 3),  # which of a few names: the same name again starts a new unit
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(inputs=_INPUTS, max_rows=st.integers(1, 12), max_bytes=st.integers(40, 800))
def test_short_files_rows_make_the_units_their_batches_make(
    inputs: list[tuple[str, list[str], int]], max_rows: int, max_bytes: int
) -> None:
    """A short text file given as its rows (:meth:`UnitStream.rows`) is joined, held apart
    and flushed exactly as its batch would be: same units, same parts, same markers."""

    def run(as_rows: bool) -> tuple[list[tuple[pa.RecordBatch, str, int]], list[object]]:
        stream: UnitStream[int] = UnitStream(max_rows=max_rows, max_bytes=max_bytes)
        units: list[tuple[pa.RecordBatch, str, int]] = []
        for i, (kind, lines, which) in enumerate(inputs):
            name = f"f{which}.txt"
            rows = _text_rows(lines)
            if kind == "mark":
                units += stream.mark(i, flush=which == 0)
            elif kind == "table":
                units += stream.batch(
                    table_batch(["c"], [lines], list(range(len(lines)))), i, f"t{which}.csv", 0
                )
            elif kind == "rows" and as_rows:
                units += stream.rows(rows, i, name, 0)
            else:
                units += stream.batch(rows.batch(), i, name, 0)
        units += stream.flush()
        events = [(k, [p.tag for p in v] if k == "unit" else v) for k, v in stream.events]
        return units, events

    (units, events), (expected, expected_events) = run(True), run(False)
    assert events == expected_events
    assert [(b.to_pydict(), b.schema, name, at) for b, name, at in units] == [
        (b.to_pydict(), b.schema, name, at) for b, name, at in expected
    ]


def test_split_findings_follows_the_parts(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "docs", 8)
    report = scan_paths([folder])
    found = report.findings.combine_chunks().to_batches()[0]
    names = {s.name: s.findings for s in report.sources}
    parts = [Part(tag=n, names={n}) for n in names]
    ordered, slices = split_findings(found, parts)
    assert ordered.equals(found)  # text: already in part order
    assert [s.num_rows for s in slices] == list(names.values())
    assert all(set(s.column(0).to_pylist()) <= {p.tag} for s, p in zip(slices, parts, strict=True))


def test_helper_lost_mid_scan_fails_only_the_files_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A helper that dies takes the units in flight with it; every other file is scanned,
    and the files of the lost units are reported (exit 3 in the CLI), none silently lost."""
    folder = _folder(tmp_path / "docs", 6)
    (folder / "large.csv").write_text(
        "iin\n" + "\n".join(IINS[i % 3] for i in range(50)), encoding="utf-8"
    )
    real = local_module.LocalEngine.run
    calls = 0

    def failing_once(self: Any, units: Iterator[Any]) -> Iterator[Any]:
        nonlocal calls
        calls += 1
        if calls == 1:
            next(units)  # the engine took the first unit (the six short files), then died
            raise BrokenProcessPool("a helper died")
        yield from real(self, units)

    monkeypatch.setattr(local_module.LocalEngine, "run", failing_once)
    report = scan_paths([folder])
    statuses = {s.name: (s.status, s.findings) for s in report.sources}
    lost = [n for n, (status, _) in statuses.items() if status == "failed"]
    assert len(lost) == 6
    assert all(n.endswith(".txt") for n in lost)
    assert statuses[str(folder / "large.csv")] == ("ok", 50)
    assert {p.key for p in report.problems} == {"source.worker_failed"}
    assert len(report.problems) == 6
    assert isinstance(report, StreamedScanReport)
    assert report.findings.num_rows == 50


def test_short_files_keep_their_incremental_state(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "docs", 20)
    from senim.discovery._api import _default_scanner

    state = ScanState(store=Store.memory(), scanner=_default_scanner())
    first = scan_paths([folder], state=state)
    (folder / "doc005.txt").write_text(f"ИИН {IINS[2]}", encoding="utf-8")
    second = scan_paths([folder], state=state)
    assert isinstance(second, StreamedScanReport)
    assert second.reused == 19
    fresh = scan_paths([folder])
    assert _rows(second) == _rows(fresh)
    assert _per_source(second) == _per_source(fresh)
    assert _per_source(first) != _per_source(fresh)


def test_a_failing_scan_state_is_raised_not_swallowed(tmp_path: Path) -> None:
    """A failure outside any source (the incremental state's store) stops the scan with its
    own error once the batches in flight are done; no later file is silently left out."""
    folder = _folder(tmp_path / "docs", 5)
    calls = 0

    class BrokenState:
        def lookup(self, source: str, fingerprint: str | None) -> None:
            nonlocal calls
            calls += 1
            if calls == 3:
                raise RuntimeError("the store went away")

        def remember(self, **kwargs: Any) -> None:
            pass

    with pytest.raises(RuntimeError, match="the store went away"):
        scan_paths([folder], state=BrokenState())  # type: ignore[arg-type]

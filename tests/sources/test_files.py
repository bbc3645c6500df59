"""Every file format senim reads, through the same scan loop the CLI uses."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.sources._build import (
    EMAIL,
    IIN,
    IIN2,
    KK_CSV,
    RU_CSV,
    minimal_pdf,
    write_docx,
    write_xlsx,
    write_zip,
)

from senim.discovery._api import scan_paths
from senim.errors import InputError
from senim.sources import JsonLinesSource, detect_encoding
from senim.sources._base import OFFSET_COL, RECORD_COL
from senim.sources._blob import FileBlob
from senim.sources._csv import CsvFileSource
from senim.sources._decode import SAMPLE_BYTES
from senim.sources._json import (
    JsonFileSource,
    flatten,
    objects_to_batch,
    rows_to_batch,
    without_lone_surrogates,
)
from senim.sources._text import TextFileSource


def _found(report) -> set[tuple[str, str | None, int | None, str]]:  # type: ignore[no-untyped-def]
    return {(f.source, f.column, f.record, f.entity) for f in report.finding_list()}


@pytest.mark.parametrize(
    ("encoding", "text", "column"),
    [
        ("utf-8", RU_CSV, "ИИН"),
        ("utf-8-sig", RU_CSV, "ФИО"),
        ("cp1251", RU_CSV, "ИИН"),
        ("kz1048", KK_CSV, "ЖСН"),
        ("utf-16", RU_CSV, "ИИН"),
        ("utf-16-le", RU_CSV, "ФИО"),
    ],
)
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, text: str, column: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    report = scan_paths([path])
    assert not report.problems
    columns = {c.column for c in report.columns}
    assert column in columns  # the header was decoded correctly
    assert (str(path), text.split(";")[1].split("\n")[0], 0, "KZ_IIN") in _found(report)


def test_kz1048_is_told_from_cp1251() -> None:
    kazakh = "Аты-жөні: Қайрат Әбенов, Өскемен".encode("kz1048")
    russian = "ФИО: Иванов Иван, Алматы, ул. Абая".encode("cp1251")
    assert detect_encoding(kazakh, complete=True) == "kz1048"
    assert detect_encoding(russian, complete=True) == "cp1251"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "d.csv"
    rows = [["name", "iin", "email"], ["Иванов Иван Иванович", IIN, EMAIL], ["x", IIN2, "y"]]
    path.write_text("\n".join(delimiter.join(r) for r in rows) + "\n", encoding="utf-8")
    found = _found(scan_paths([path]))
    assert (str(path), "iin", 0, "KZ_IIN") in found
    assert (str(path), "iin", 1, "KZ_IIN") in found
    assert (str(path), "email", 0, "EMAIL") in found


def test_csv_keeps_leading_zeros_and_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(f"a,b\n1\n2,x,{IIN}\n", encoding="utf-8")
    report = scan_paths([path])
    assert not report.problems
    assert (str(path), "column_3", 1, "KZ_IIN") in _found(report)


def test_json_nested_fields_are_flattened(tmp_path: Path) -> None:
    doc = [{"client": {"iin": IIN, "contacts": {"email": EMAIL}}, "tags": ["a"]}]
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    found = _found(scan_paths([path]))
    assert (str(path), "client.iin", 0, "KZ_IIN") in found
    assert (str(path), "client.contacts.email", 0, "EMAIL") in found


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=6))
def test_flat_text_objects_flatten_to_themselves(obj: dict[str, str]) -> None:
    """What lets the JSON Lines reader keep flat objects of text as they are."""
    assert flatten(obj) == obj
    assert list(flatten(obj)) == list(obj)


_scalar = st.none() | st.booleans() | st.integers() | st.text(max_size=6)
_json = st.recursive(
    _scalar | st.floats(allow_nan=False),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
_objects = st.one_of(
    st.dictionaries(st.text(max_size=4), st.none() | st.text(max_size=6), max_size=4),
    st.dictionaries(st.text(max_size=4), _json, max_size=4),
    _json,
)


@given(st.lists(_objects, min_size=1, max_size=6))
def test_objects_convert_as_flattened_rows(values: list[object]) -> None:
    """Arrow's one-call conversion of flat text objects equals flattening each one."""
    records = list(range(len(values)))
    fast = objects_to_batch(values, records, "part")
    assert fast.equals(rows_to_batch([flatten(v) for v in values], records, "part"))


_line = st.one_of(
    _objects.map(lambda v: json.dumps(v, ensure_ascii=False)),
    st.sampled_from(
        ["", "   ", "{oops", '{"a": "1"} {"b": "2"}', '{"a": "1"}, {"b": "2"}', "[1", "2]"]
    ),
    st.sampled_from(['{"a": {', '"x"}}', '{"k": "v"}  ', '\u2028{"k": "v"}', '{"a": "\\ud800"}']),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_line, max_size=12))
def test_jsonl_reader_reads_each_line_on_its_own(tmp_path_factory, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Lines are parsed together when each is one object; the result is line by line's."""
    path = tmp_path_factory.mktemp("jl") / "d.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = JsonLinesSource(path)
    if not "".join(lines).strip():
        with pytest.raises(InputError) as empty:
            list(source.batches())
        assert empty.value.key == "source.empty"
        return
    got = [
        (r.pop(RECORD_COL), {k: v for k, v in r.items() if v is not None})
        for b in source.batches()
        for r in b.to_pylist()
    ]
    expected, bad, replaced = [], [], [0]
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n")[: len(lines)]):
        if not line.strip():
            continue
        try:
            value = without_lone_surrogates(json.loads(line), replaced)
        except json.JSONDecodeError:
            bad.append(number + 1)
            continue
        expected.append((number, {k: v for k, v in flatten(value).items() if v is not None}))
    assert got == expected
    problems = (["source.bad_json_lines"] if bad else []) + (
        ["source.json_lone_surrogates"] if replaced[0] else []
    )
    assert [p.key for p in source.problems] == problems


def test_jsonl_records_are_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(
        "\n".join([json.dumps({"iin": IIN}), "", json.dumps({"user": {"iin": IIN2}})]) + "\n",
        encoding="utf-8",
    )
    found = _found(scan_paths([path]))
    assert found == {(str(path), "iin", 0, "KZ_IIN"), (str(path), "user.iin", 2, "KZ_IIN")}


def test_parquet_file_and_partitioned_folder(tmp_path: Path) -> None:
    table = pa.table(
        {"iin": [IIN, IIN2, "x"], "year": [2023, 2024, 2024], "note": ["a", "b", EMAIL]}
    )
    pq.write_to_dataset(table, tmp_path / "lake", partition_cols=["year"])
    (tmp_path / "lake" / "_SUCCESS").write_bytes(b"")
    report = scan_paths([tmp_path / "lake"])
    assert not report.problems
    sources = {f.source for f in report.finding_list()}
    assert any("year=2023" in s for s in sources)
    assert any("year=2024" in s for s in sources)
    assert report.entity_counts == {"KZ_IIN": 2, "EMAIL": 1}
    assert all(s.status == "ok" for s in report.sources)


def test_xlsx_every_sheet_and_numeric_iin(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx",
        {
            "Clients": [["ФИО", "ИИН"], ["Иванов Иван Иванович", int(IIN)]],
            "Staff": [[], ["email"], [EMAIL]],
        },
    )
    found = _found(scan_paths([path]))
    assert (f"{path}#Clients", "ИИН", 0, "KZ_IIN") in found
    assert (f"{path}#Clients", "ФИО", 0, "PERSON") in found
    assert (f"{path}#Staff", "email", 0, "EMAIL") in found


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "letter.docx",
        ["Уважаемый клиент!", f"Ваш ИИН {IIN} подтверждён."],
        table=[["Клиент", "Email"], ["Иванов Иван Иванович", EMAIL]],
    )
    report = scan_paths([path])
    findings = report.finding_list()
    text_iin = [f for f in findings if f.entity == "KZ_IIN"]
    assert len(text_iin) == 1
    assert text_iin[0].source == str(path)
    assert text_iin[0].record is None
    assert text_iin[0].start == len("Уважаемый клиент!\n") + len("Ваш ИИН ")
    assert (f"{path}#table=1", "Email", 0, "EMAIL") in _found(report)


def test_pdf_text_layer_by_page(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    path.write_bytes(minimal_pdf(["Client IIN: " + IIN, "Contact: " + EMAIL]))
    report = scan_paths([path])
    assert not report.problems
    entities = {(f.source, f.entity) for f in report.finding_list()}
    assert (f"{path}#page=1", "KZ_IIN") in entities
    assert (f"{path}#page=1", "EMAIL") in entities


def test_gzip_and_zip_archives(tmp_path: Path) -> None:
    gz = tmp_path / "export.csv.gz"
    gz.write_bytes(gzip.compress(RU_CSV.encode("cp1251")))
    inner_xlsx = write_xlsx(tmp_path / "inner.xlsx", {"S": [["iin"], [IIN2]]})
    archive = write_zip(
        tmp_path / "bundle.zip",
        {
            "a/clients.csv": f"iin\n{IIN}\n".encode(),
            "b/book.xlsx": inner_xlsx.read_bytes(),
            "c/notes.txt": f"email {EMAIL}".encode(),
        },
    )
    inner_xlsx.unlink()
    report = scan_paths([gz, archive])
    assert not report.problems
    found = _found(report)
    assert (str(gz), "ИИН", 0, "KZ_IIN") in found
    assert (f"{archive}!a/clients.csv", "iin", 0, "KZ_IIN") in found
    assert (f"{archive}!b/book.xlsx#S", "iin", 0, "KZ_IIN") in found
    assert (f"{archive}!c/notes.txt", None, None, "EMAIL") in found


_LINE = b'{"note": "' + b"x" * 80 + b'"}\n'


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"", False),
        (b"\n \n", False),
        (b'{"a": 1}', True),
        (b'\n{"a": 1}\r\n\n{"b": {"c": null}}\n', True),
        (b'{"a": 1}\n[1]\n', False),
        (b'{"a": 1}\n"text"\n', False),
        (b'{"a": 1}\n{"b": \n', False),  # a complete line that is not JSON
        (b'{"a": "\xff"}\n', False),  # not UTF-8
        ((_LINE * 200)[:8192], True),  # the last line is cut by the 8 KB head
    ],
)
def test_json_lines_are_told_by_their_first_lines(head: bytes, expected: bool) -> None:
    from senim.sources._files import _json_lines

    assert _json_lines(head) is expected


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    (tmp_path / "dump.dat").write_text(f"ИИН {IIN}", encoding="cp1251")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "events").write_text(f'{{"user": {{"email": "{EMAIL}"}}}}\n', encoding="utf-8")
    report = scan_paths([tmp_path])
    assert report.entity_counts == {"KZ_IIN": 1, "EMAIL": 1}
    assert (str(tmp_path / "events"), "user.email", 0, "EMAIL") in _found(report)
    assert [s.status for s in report.sources if s.name.endswith("blob.bin")] == ["skipped"]


def _stdin_found(data: bytes) -> tuple[set[tuple[str, str | None, int | None, str]], list[str]]:
    """Findings (as :func:`_found`) and problem keys of a scan of ``data`` given on stdin."""
    import io

    from senim.discovery._api import scan_sources
    from senim.sources._files import stdin_source

    items = list(stdin_source(stream=io.BytesIO(data)))
    errors = [i.key for i in items if isinstance(i, InputError)]
    sources = [i for i in items if not isinstance(i, InputError)]
    if not sources:
        return set(), errors
    report = scan_sources(sources)
    return _found(report), errors + [p.key for p in report.problems]


def test_a_stream_beyond_its_limit_is_a_problem_not_a_full_disk() -> None:
    """Standard input is spooled into a temporary file before it is read; an endless
    stream (``cat /dev/zero | senim scan -``) filled the disk. Past ``max_stream_bytes``
    it is a problem naming the limit; up to it, it is scanned whole."""
    import io

    from senim.sources import ArchiveLimits
    from senim.sources._blob import STREAM_MAX_BYTES
    from senim.sources._files import stdin_source

    assert ArchiveLimits().max_stream_bytes == STREAM_MAX_BYTES == 8 << 30
    limits = ArchiveLimits(max_stream_bytes=4 << 20)
    line = f"ИИН {IIN}\n".encode()
    stream = io.BytesIO(line * ((4 << 20) // len(line) + 1))
    (item,) = stdin_source(stream=stream, limits=limits)
    assert isinstance(item, InputError)
    assert item.key == "source.stream_limit"
    assert item.message("en").startswith("<stdin>: stopped after 4 MiB")
    assert stream.tell() <= (4 << 20) + (1 << 20)  # no further than the limit and one read
    whole = line * ((4 << 20) // len(line))
    (source,) = stdin_source(stream=io.BytesIO(whole), limits=limits)
    assert not isinstance(source, InputError)
    from senim.discovery._api import scan_sources

    assert scan_sources([source]).entity_counts == {"KZ_IIN": (4 << 20) // len(line)}


def test_stdin_is_read_by_what_its_bytes_say(tmp_path: Path) -> None:
    text = f"ИИН {IIN}, e-mail {EMAIL}\n".encode()
    assert _stdin_found(text) == (
        {("<stdin>", None, None, "KZ_IIN"), ("<stdin>", None, None, "EMAIL")},
        [],
    )
    assert _stdin_found(gzip.compress(text))[0] == _stdin_found(text)[0]
    pq.write_table(pa.table({"iin": [IIN]}), tmp_path / "t.parquet")
    assert _stdin_found((tmp_path / "t.parquet").read_bytes()) == (
        {("<stdin>", "iin", 0, "KZ_IIN")},
        [],
    )
    archive = write_zip(tmp_path / "b.zip", {"a/clients.csv": f"iin\n{IIN}\n".encode()})
    assert _stdin_found(archive.read_bytes()) == (
        {("<stdin>!a/clients.csv", "iin", 0, "KZ_IIN")},
        [],
    )
    lines = f'{{"client": {{"iin": "{IIN}"}}}}\n\n{{"email": "{EMAIL}"}}\n'.encode()
    assert _stdin_found(lines) == (
        {("<stdin>", "client.iin", 0, "KZ_IIN"), ("<stdin>", "email", 2, "EMAIL")},
        [],
    )
    not_only_objects = f'{{"a": 1}}\n[1]\nИИН {IIN}\n'.encode()
    assert _stdin_found(not_only_objects) == ({("<stdin>", None, None, "KZ_IIN")}, [])
    assert _stdin_found(b"")[1] == ["source.empty"]
    assert _stdin_found(b"\x00\x01\x02binary")[1] == ["source.unsupported"]


@given(rows=st.integers(0, 3000), limit=st.integers(64, 1 << 16))
def test_bounded_slices_keep_every_row_in_order(rows: int, limit: int) -> None:
    from senim.sources._base import bounded

    batch = pa.record_batch({"v": [f"row {i} " * (i % 7) for i in range(rows)]})
    parts = list(bounded(batch, limit))
    assert pa.Table.from_batches(parts, schema=batch.schema).equals(pa.table(batch))
    if rows > 1 and batch.nbytes > limit:
        assert len(parts) > 1
        assert max(p.num_rows for p in parts) == max(1, rows * limit // batch.nbytes)


def test_open_file_takes_a_path_or_a_string(tmp_path: Path) -> None:
    from senim.sources import open_file

    path = tmp_path / "clients.jsonl"
    path.write_text('{"iin": "900101300007"}\n', encoding="utf-8")
    for named in (path, str(path)):
        source = open_file(named)
        assert source.name == str(path)
        assert [b.num_rows for b in source.batches()] == [1]


class _Counted:
    """A file blob that counts how often it is opened."""

    def __init__(self, path: Path) -> None:
        self.inner = FileBlob(path)
        self.opened = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def open(self):  # type: ignore[no-untyped-def]
        self.opened += 1
        return self.inner.open()


@pytest.mark.parametrize(
    ("reader", "name", "line"),
    [
        (TextFileSource, "a.txt", "ИИН 900101300007, тел. +7 701 123 45 67\n"),
        (CsvFileSource, "a.csv", "900101300007,+7 701 123 45 67\n"),
        (JsonLinesSource, "a.jsonl", '{"iin": "900101300007"}\n'),
        (JsonFileSource, "a.json", None),
    ],
)
def test_a_file_within_the_sample_is_opened_once(
    tmp_path: Path, reader: type, name: str, line: str | None
) -> None:
    """Readers decode a file that fits in the encoding sample from the sample itself; a
    larger file is read again from its start, with the same rows either way."""
    for lines in (3, SAMPLE_BYTES // 20):  # within the sample, then well past it
        path = tmp_path / name
        if line is None:
            path.write_text(json.dumps([{"iin": "900101300007"}] * lines), encoding="utf-8")
        else:
            head = "iin,phone\n" if name.endswith(".csv") else ""
            path.write_text(head + line * lines, encoding="utf-8")
        blob = _Counted(path)
        read = pa.Table.from_batches(list(reader(blob).batches()))
        assert blob.opened == (1 if path.stat().st_size < SAMPLE_BYTES else 2)
        assert read.num_rows == lines
        assert "900101300007" in str(read.slice(lines - 1).to_pylist())


def test_a_small_file_is_read_from_disk_once(tmp_path: Path) -> None:
    from senim.sources._files import _HEAD_BYTES, open_blob

    small = tmp_path / "small.txt"
    small.write_text(f"ИИН {IIN}\n", encoding="utf-8")
    large = tmp_path / "large.txt"
    large.write_text(f"ИИН {IIN}\n" * (_HEAD_BYTES // 10), encoding="utf-8")
    held = open_blob(FileBlob(small))
    assert isinstance(held, TextFileSource)
    assert isinstance(held.blob, FileBlob)
    assert held.blob.content == small.read_bytes()
    small.unlink()  # its reader has what it needs
    assert [b.column("text").to_pylist() for b in held.batches()] == [[f"ИИН {IIN}\n"]]
    opened = open_blob(FileBlob(large))
    assert isinstance(opened, TextFileSource)
    assert isinstance(opened.blob, FileBlob)
    assert opened.blob.content is None  # larger than the head: read again, in batches
    assert sum(b.num_rows for b in opened.batches()) == _HEAD_BYTES // 10


def test_file_sizes_are_those_of_the_files_a_scan_opens(tmp_path: Path) -> None:
    from senim.sources._files import file_sizes, iter_sources

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("a" * 5, encoding="utf-8")
    (tmp_path / "b.csv").write_text("x\n1\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (tmp_path / "_SUCCESS").write_text("", encoding="utf-8")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01")
    alone = tmp_path / "alone.txt"
    alone.write_text("alone", encoding="utf-8")
    paths: list[str | Path] = [tmp_path, alone, tmp_path / "missing.txt", "-"]
    sizes = list(file_sizes(paths))
    assert sorted(sizes) == sorted(
        [("a.txt", 5), ("b.csv", 4), ("blob.bin", 2), ("alone.txt", 5), ("alone.txt", 5)]
    )
    opened = [i.name for i in iter_sources(paths[:2]) if not isinstance(i, InputError)]
    assert sorted(Path(n).name for n in opened) == sorted(name for name, _ in sizes)


def test_files_are_opened_as_the_scan_reaches_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from senim.discovery._scanner import Scanner
    from senim.engine._stream import UNIT_ROWS
    from senim.sources import _files

    names = ["a.txt", "b.pdf", "c.bin", "d.txt"]
    # a unit of its own (short files are scanned together, so they are read ahead)
    (tmp_path / "a.txt").write_text(f"ИИН {IIN}\n" + "жол\n" * UNIT_ROWS, encoding="utf-8")
    (tmp_path / "b.pdf").write_text("not a PDF", encoding="utf-8")  # fails to open
    (tmp_path / "c.bin").write_bytes(b"\x00\x01\x02binary")  # skipped
    (tmp_path / "d.txt").write_text(f"email {EMAIL}", encoding="utf-8")
    events: list[str] = []
    real_open, real_scan = _files.open_blob, Scanner.scan_batch

    def opening(blob: FileBlob, **kwargs: object) -> object:
        events.append("open " + blob.filename)
        return real_open(blob, **kwargs)  # type: ignore[arg-type]

    def scanning(self: Scanner, batch: pa.RecordBatch, **kwargs: object) -> pa.RecordBatch:
        events.append("scan")
        return real_scan(self, batch, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_files, "open_blob", opening)
    monkeypatch.setattr(Scanner, "scan_batch", scanning)
    totals: list[int] = []
    progress: list[int] = []
    report = scan_paths([tmp_path], on_total=totals.append, on_progress=progress.append)
    assert events.index("scan") < events.index("open d.txt")  # not all opened first
    assert [Path(s.name).name for s in report.sources] == names  # in the order of the input
    assert [s.status for s in report.sources][1:3] == ["failed", "skipped"]
    assert report.entity_counts == {"KZ_IIN": 1, "EMAIL": 1}
    assert totals == [sum((tmp_path / n).stat().st_size for n in names)]
    assert sum(progress) == totals[0]  # the files left out count as read


@pytest.mark.parametrize("workers", [1, 2])
def test_problems_come_in_the_order_of_the_input(tmp_path: Path, workers: int) -> None:
    """Whether a file fails to open or while it is read, its problem takes its place."""
    bad_line = f'{{"text": "ИИН {IIN}"}}\nnot json\n'
    (tmp_path / "a.jsonl").write_text(bad_line, encoding="utf-8")
    (tmp_path / "b.pdf").write_text("not a PDF", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(bad_line, encoding="utf-8")
    (tmp_path / "d.parquet").write_text("not Parquet", encoding="utf-8")
    report = scan_paths([tmp_path, tmp_path / "missing.txt"], workers=workers)
    assert [(Path(str(p.params.get("source") or p.params["path"])).name, p.key) for p in
            report.problems] == [
        ("a.jsonl", "source.bad_json_lines"),
        ("b.pdf", "source.disguised"),
        ("c.jsonl", "source.bad_json_lines"),
        ("d.parquet", "source.disguised"),
        ("missing.txt", "error.path_not_found"),
    ]  # fmt: skip
    assert [Path(s.name).name for s in report.sources] == [
        "a.jsonl", "b.pdf", "c.jsonl", "d.parquet", "missing.txt"
    ]  # fmt: skip
    assert report.entity_counts == {"KZ_IIN": 2}


_pieces = st.sampled_from(
    ["ИИН 900101300007", "Қайрат Әбенов", "john@example.kz", " ", "\t", "\n", "\r", "\r\n", "x"]
)


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(_pieces, max_size=40),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1251"]),
    bad=st.booleans(),
)
def test_a_small_text_file_decoded_at_once_reads_as_line_by_line(
    pieces: list[str], encoding: str, bad: bool
) -> None:
    """A text file within the encoding sample is decoded in one go unless it holds bad
    bytes: its rows, offsets, progress and problems are those of the line-by-line reader
    (which a file larger than the sample, or one with bad bytes, goes through)."""
    import io

    from senim.sources._blob import SpooledBlob

    text = "".join(pieces) + "ИИН 900101300007"
    data = text.encode("cp1251", "replace") if encoding == "cp1251" else text.encode(encoding)
    if bad and encoding == "utf-8":
        data = data[:5] + b"\xff" + data[5:]

    def source() -> TextFileSource:
        blob = SpooledBlob("a.txt", "a.txt", io.BytesIO(data), len(data), 0, None)
        return TextFileSource(blob, encoding=encoding if bad else None)

    def read() -> tuple[list[object], list[int], list[str]]:
        reader = source()
        progress: list[int] = []
        rows = [r for b in reader.batches(progress.append) for r in b.to_pylist()]
        return rows, progress, [p.key for p in reader.problems]

    import senim.sources._text as text_module

    fast = read()
    at_once = source().whole_rows()  # the rows a folder's short files give the scan loop
    if bad and encoding == "utf-8":
        assert at_once is None  # its bad bytes are counted by the line-by-line reader
    else:
        assert at_once is not None
        pairs = zip(at_once.lines, at_once.offsets, strict=True)
        assert [{"text": line, OFFSET_COL: at} for line, at in pairs] == fast[0]
        assert at_once.size == len(data)
        assert at_once.nbytes == at_once.batch().get_total_buffer_size()
    original = text_module._decoded_whole
    text_module._decoded_whole = lambda *_: None  # the path of a file larger than the sample
    try:
        slow = read()
    finally:
        text_module._decoded_whole = original
    assert fast == slow
    assert sum(fast[1]) == len(data)
    assert bool(fast[2]) == (bad and encoding == "utf-8")  # bad bytes counted, as a problem


def test_a_short_text_file_gives_its_rows_at_once(tmp_path: Path) -> None:
    """What the scan loop takes from a folder's short text files instead of a batch each:
    the non-blank lines with their offsets; a file of more lines than a batch holds, or
    larger than the encoding sample, is left to :meth:`TextFileSource.batches`."""
    from senim.sources._text import LINES_PER_BATCH

    short = tmp_path / "a.txt"
    short.write_text(f"\n\nИИН {IIN}\r\nҚайрат\n", encoding="utf-8", newline="")
    rows = TextFileSource(short).whole_rows()
    assert rows is not None
    assert (rows.lines, rows.offsets) == ([f"ИИН {IIN}\r\n", "Қайрат\n"], [2, 20])
    assert rows.size == short.stat().st_size
    many = tmp_path / "many.txt"
    many.write_text("x\n" * (LINES_PER_BATCH + 1), encoding="utf-8")
    assert TextFileSource(many).whole_rows() is None
    large = tmp_path / "large.txt"
    large.write_text(f"ИИН {IIN} " * (SAMPLE_BYTES // 10), encoding="utf-8")
    assert TextFileSource(large).whole_rows() is None
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n\t\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        TextFileSource(blank).whole_rows()
    assert caught.value.key == "source.empty"


@pytest.mark.parametrize("top", [".", "docs", "./docs", "docs/"])
def test_folder_files_are_named_as_paths_spell_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, top: str
) -> None:
    """A folder's files are listed as strings, named as ``Path`` joins would name them (a
    source's name is its key in reports and in the incremental scan state)."""
    from senim.sources._files import _folder_files

    (tmp_path / "docs" / "sub").mkdir(parents=True)
    for name in ("docs/b.txt", "docs/a.txt", "docs/sub/c.txt", "docs/.hidden"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "docs" if top == "." else tmp_path)
    folder = Path(top)
    expected = [str(folder / "a.txt"), str(folder / "b.txt"), str(folder / "sub" / "c.txt")]
    assert list(_folder_files(folder)) == expected


@settings(max_examples=300, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=64),
        st.text(max_size=40).map(lambda t: t.encode("utf-8")),
        st.text(max_size=40).map(lambda t: t.encode("utf-8-sig")),
        st.text(max_size=40).map(lambda t: t.encode("utf-16")),
        st.text("Қазақ ИИН 0123", max_size=40).map(lambda t: t.encode("kz1048")),
    )
)
def test_plain_utf8_is_what_detection_reads_as_utf8(data: bytes) -> None:
    """The short cut for the usual file: text exactly when encoding detection would say
    UTF-8 for the whole file, and then the same text."""
    from senim.sources._decode import plain_utf8

    text = plain_utf8(data)
    if detect_encoding(data, complete=True) == "utf-8":
        assert text == data.decode("utf-8")
    else:
        assert text is None

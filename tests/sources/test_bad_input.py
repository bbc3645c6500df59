"""Bad input: one clear message naming the source and the reason; the rest is scanned."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.sources._build import IIN, minimal_pdf, write_xlsx, write_zip
from typer.testing import CliRunner

from senim._i18n import message
from senim.cli import app
from senim.discovery._api import scan_paths
from senim.sources import ArchiveLimits


def _encrypted_pdf(path: Path) -> None:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(minimal_pdf([f"IIN {IIN}"])))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    with open(path, "wb") as fh:
        writer.write(fh)


def _truncated(path: Path, make: Callable[[Path], object]) -> None:
    full = path.with_suffix(".full" + path.suffix)
    make(full)
    data = full.read_bytes()
    full.unlink()
    path.write_bytes(data[: len(data) // 2])


CASES: list[tuple[str, Callable[[Path], object], str]] = [
    ("empty.csv", lambda p: p.write_bytes(b""), "source.empty"),
    ("blank.txt", lambda p: p.write_bytes(b"  \n\n"), "source.empty"),
    ("photo.csv", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100)), "source.disguised"),
    ("report.pdf", lambda p: p.write_text("just text, not a PDF"), "source.disguised"),
    (
        "locked.xlsx",
        lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
        "source.encrypted",
    ),
    ("locked.pdf", _encrypted_pdf, "source.encrypted"),
    (
        "half.zip",
        lambda p: _truncated(p, lambda q: write_zip(q, {"a.csv": b"iin\n" * 500})),
        "source.parse_failed",
    ),
    (
        "half.xlsx",
        lambda p: _truncated(p, lambda q: write_xlsx(q, {"S": [["iin"], [IIN]] * 50})),
        "source.parse_failed",
    ),
    ("bad.parquet", lambda p: p.write_bytes(b"PAR1" + b"\x00garbage" * 10), "source.parse_failed"),
    (
        "cut.csv.gz",
        lambda p: p.write_bytes(gzip.compress(b"iin\n" + b"1,2\n" * 5000)[:40]),
        "source.parse_failed",
    ),
    (
        "quote.csv",
        lambda p: p.write_text(f'id,iin\n1,{IIN}\n2,"open\n3,4\n'),
        "source.csv_unterminated",
    ),
    ("bad.json", lambda p: p.write_text('{"iin": "1",'), "source.bad_json"),
    ("lines.jsonl", lambda p: p.write_text('{"a": 1}\n{oops\n'), "source.bad_json_lines"),
    ("half.jsonl", lambda p: p.write_text('{"a": "\\ud800"}\n'), "source.json_lone_surrogates"),
    ("half.json", lambda p: p.write_text('[{"a": "\\udc00"}]'), "source.json_lone_surrogates"),
    (
        "mixed.txt",
        lambda p: p.write_bytes(("ИИН " + IIN + "\n").encode() * 30000 + b"\xff\xfe bad\n"),
        "source.undecodable",
    ),
    ("noise.csv", lambda p: p.write_bytes(bytes(range(256)) * 10), "source.disguised"),
]


@pytest.mark.parametrize(("name", "make", "key"), CASES, ids=[c[0] for c in CASES])
def test_bad_file_is_one_problem_and_rest_completes(
    tmp_path: Path, name: str, make: Callable[[Path], object], key: str
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(f"iin\n{IIN}\n", encoding="utf-8")
    bad = tmp_path / name
    make(bad)
    report = scan_paths([tmp_path])
    assert [p.key for p in report.problems] == [key]
    problem = report.problems[0]
    assert str(bad) in problem.message("en")
    assert any(f.source == str(good) and f.entity == "KZ_IIN" for f in report.finding_list())


def test_zip_bomb_member_is_refused(tmp_path: Path) -> None:
    archive = write_zip(
        tmp_path / "bomb.zip", {"zeros.txt": bytes(2 << 20), "ok.txt": IIN.encode()}
    )
    limits = ArchiveLimits(max_ratio=50, ratio_floor=0)
    report = scan_paths([archive], limits=limits)
    assert [p.key for p in report.problems] == ["source.archive_ratio"]
    assert report.entity_counts == {"KZ_IIN": 1}


def test_zip_total_size_limit(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "big.zip", {"a.txt": b"x" * 5000})
    report = scan_paths([archive], limits=ArchiveLimits(max_total_bytes=1000))
    assert [p.key for p in report.problems] == ["source.archive_limit"]


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_lone_surrogate_escapes_are_replaced_and_counted(tmp_path: Path, suffix: str) -> None:
    """json decodes "\\ud800" to half a character, which no Arrow text can hold: it becomes
    U+FFFD (offsets kept) instead of failing the batch or the whole file."""
    rows = [{"note": "\ud800 \udfff x"}, {"note": f"ИИН {IIN}"}]
    path = tmp_path / f"d{suffix}"
    text = json.dumps(rows) if suffix == ".json" else "\n".join(json.dumps(r) for r in rows)
    path.write_text(text, encoding="utf-8")
    report = scan_paths([path])
    (problem,) = report.problems
    assert (problem.key, problem.params["count"]) == ("source.json_lone_surrogates", 2)
    (finding,) = report.finding_list()
    assert (finding.record, finding.start) == (1, len("ИИН "))


def test_undecodable_bytes_are_replaced_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"x" * 300_000 + b"\xff\n" + f"ИИН {IIN}\n".encode())
    report = scan_paths([path])
    (problem,) = report.problems
    assert problem.params["count"] == 1
    assert problem.params["offset"] == 300_000
    (finding,) = report.finding_list()
    assert finding.start == 300_002 + len("ИИН ")  # one replacement character per bad byte


def test_cli_exit_code_3_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "good.csv").write_text(f"iin\n{IIN}\n", encoding="utf-8")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--format", "jsonl", "--lang", "ru"])
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    assert message("source.encrypted", "ru", source=str(tmp_path / "locked.xlsx")) in result.output
    assert message("source.empty", "ru", source=str(tmp_path / "empty.csv")) in result.output
    found = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [f["entity"] for f in found] == ["KZ_IIN"]


def test_unexpected_reader_failure_is_a_problem_unless_debugging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from senim.sources import CsvFileSource

    def broken(self: object, progress: object = None) -> object:
        raise RuntimeError("library bug")

    path = tmp_path / "a.csv"
    path.write_text(f"iin\n{IIN}\n", encoding="utf-8")
    monkeypatch.setattr(CsvFileSource, "batches", broken)
    report = scan_paths([path])
    assert [(p.key, p.params["reason"]) for p in report.problems] == [
        ("source.parse_failed", "library bug")
    ]
    monkeypatch.setenv("SENIM_DEBUG", "1")
    with pytest.raises(RuntimeError, match="library bug"):
        scan_paths([path])

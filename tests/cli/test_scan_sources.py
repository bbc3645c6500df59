"""`senim scan` over databases, archives and bad input; options of the sources issue."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from senim._i18n import message
from senim.cli import app

IIN = "900101300007"
runner = CliRunner()


@pytest.fixture
def crm(tmp_path: Path) -> str:
    db = tmp_path / "crm.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE clients (id INTEGER PRIMARY KEY, iin TEXT, note TEXT)")
    con.execute("CREATE TABLE logs (line TEXT)")
    con.executemany(
        "INSERT INTO clients VALUES (?, ?, ?)",
        [(1, IIN, "звонил"), (2, "850505400127", "ok"), (3, "-", "user@mail.kz")],
    )
    con.execute("INSERT INTO logs VALUES ('user@mail.kz logged in')")
    con.commit()
    con.close()
    return f"sqlite:///{db}"


def test_database_url_with_include_and_sample(crm: str) -> None:
    result = runner.invoke(
        app, ["scan", crm, "--include", "clients", "--sample", "2", "-f", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {(r["source"], r["record"], r["column"], r["key"], r["entity"]) for r in rows} == {
        (f"{crm}#main.clients", 0, "iin", "id=1", "KZ_IIN"),
        (f"{crm}#main.clients", 1, "iin", "id=2", "KZ_IIN"),
    }


def test_exclude(crm: str) -> None:
    result = runner.invoke(app, ["scan", crm, "--exclude", "main.clients", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [s["source"] for s in data["sources"]] == [f"{crm}#main.logs"]
    assert data["summary"]["entities"] == {"EMAIL": 1}


@pytest.mark.parametrize(
    ("args", "key", "params"),
    [
        (["--workers", "0"], "engine.bad_workers", {"value": "0"}),
        (["--workers", "many"], "engine.bad_workers", {"value": "many"}),
        (["--sample", "0"], "scan.bad_sample", {"value": 0}),
    ],
)
def test_bad_options_exit_2(
    tmp_path: Path, args: list[str], key: str, params: dict[str, object]
) -> None:
    result = runner.invoke(app, ["scan", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message(key, "en", **params) in result.output


def test_jsonl_output_inside_the_scanned_folder_is_not_scanned(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(f"iin\n{IIN}\n", encoding="utf-8")
    out = tmp_path / "findings.jsonl"
    result = runner.invoke(app, ["scan", str(tmp_path), "-f", "jsonl", "-o", str(out)])
    assert result.exit_code == 0, result.output
    (line,) = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["source"] == str(tmp_path / "a.csv")
    assert not list(tmp_path.glob(".*partial"))


def test_messages_in_kazakh(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(f"iin\n{IIN}\n", encoding="utf-8")
    locked = tmp_path / "locked.docx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    result = runner.invoke(app, ["scan", str(tmp_path), "--lang", "kk", "-f", "json"])
    assert result.exit_code == 3
    assert message("source.encrypted", "kk", source=str(locked)) in result.output
    assert message("scan.partial", "kk", count=1) in result.output


def test_only_bad_inputs_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2


@pytest.mark.parametrize("one_screen", [True, False])
def test_a_table_on_the_screen_lists_each_problem_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_screen: bool
) -> None:
    """Problems are listed by the table and on standard error; when both go to one terminal,
    standard error does not repeat them (the summary line still says the scan is partial)."""
    import senim.cli._scan as scan_module

    monkeypatch.setattr(scan_module, "_one_screen", lambda: one_screen)
    (tmp_path / "a.csv").write_text(f"iin\n{IIN}\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(tmp_path), "-f", "table", "--no-progress"])
    assert result.exit_code == 3
    problem = message("source.empty", None, source=str(tmp_path / "empty.txt"))
    assert result.stdout.count(problem) == 1  # in the table
    assert result.stderr.count(problem) == (0 if one_screen else 1)
    assert message("scan.partial", None, count=1) in result.stderr

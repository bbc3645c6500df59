"""`senim scan`: formats, the JSONL contract, exit codes, messages, no raw values."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from senim._i18n import message
from senim.cli import app

RAW = ["900101300007", "87011234567", "aigerim.bekova@mail.kz", "Иванов Иван Иванович"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    (tmp_path / "clients.csv").write_text(
        "id,full_name,iin,phone\n"
        "1,Иванов Иван Иванович,900101300007,87011234567\n"
        "2,Aigerim Bekova,061211600012,+77051234567\n",
        encoding="utf-8",
    )
    (tmp_path / "letter.txt").write_text(
        "Құрметті клиент!\nЖСН 900101300007, e-mail aigerim.bekova@mail.kz\n", encoding="utf-8"
    )
    (tmp_path / "events.jsonl").write_text(
        '{"user": {"iin": "061211600012"}, "ip": "10.0.0.7"}\n{"user": {"iin": null}}\n',
        encoding="utf-8",
    )
    return tmp_path


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SENIM_HASH_KEY", "cli-test-key")
    return CliRunner()


def test_jsonl_contract(runner: CliRunner, data: Path) -> None:
    result = runner.invoke(app, ["scan", str(data), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows
    for row in rows:
        assert {"source", "record", "column", "start", "end", "entity", "score", "detector"} <= set(
            row
        )
        assert isinstance(row["start"], int)
        assert isinstance(row["end"], int)
    text_rows = [r for r in rows if r["source"].endswith("letter.txt")]
    letter = (data / "letter.txt").read_text("utf-8")
    for r in text_rows:
        assert r["record"] is None
        assert r["column"] is None
    iin = next(r for r in text_rows if r["entity"] == "KZ_IIN")
    assert letter[iin["start"] : iin["end"]] == "900101300007"
    csv_iin = [r for r in rows if r["source"].endswith("clients.csv") and r["entity"] == "KZ_IIN"]
    assert [(r["record"], r["column"], r["start"], r["end"]) for r in csv_iin] == [
        (0, "iin", 0, 12),
        (1, "iin", 0, 12),
    ]
    nested = [r for r in rows if r["source"].endswith("events.jsonl")]
    assert {(r["record"], r["column"], r["entity"]) for r in nested} == {
        (0, "user.iin", "KZ_IIN"),
        (0, "ip", "IP_ADDRESS"),
    }


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "html"])
def test_outputs_hold_no_raw_values(
    runner: CliRunner, data: Path, fmt: str, tmp_path: Path
) -> None:
    out = tmp_path / f"report.{fmt}"
    result = runner.invoke(app, ["scan", str(data), "--format", fmt, "--output", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert text
    assert result.stdout == ""  # everything went to the file
    for raw in RAW:
        assert raw not in text


def test_table_output_file_is_plain_text(runner: CliRunner, data: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    result = runner.invoke(app, ["scan", str(data), "--output", str(out), "--lang", "ru"])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert message("report.scan.entities", "ru") in text
    assert "KZ_IIN" in text
    assert "\x1b[" not in text  # no terminal colours
    assert all(line == line.rstrip() for line in text.splitlines())


def test_html_report_in_three_languages(
    runner: CliRunner, data: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("html")
    for lang in ("kk", "ru", "en"):
        out = folder / f"r-{lang}.html"
        result = runner.invoke(
            app, ["scan", str(data), "-f", "html", "-o", str(out), "--lang", lang]
        )
        assert result.exit_code == 0
        html = out.read_text("utf-8")
        assert f'<html lang="{lang}">' in html
        assert message("report.scan.title", lang) in html
        assert "<svg" in html
        assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_json_has_column_summary(runner: CliRunner, data: Path) -> None:
    result = runner.invoke(app, ["scan", str(data / "clients.csv"), "-f", "json"])
    doc = json.loads(result.stdout)
    columns = {c["column"]: c for c in doc["columns"]}
    assert columns["iin"]["verdict"] == "KZ_IIN"
    assert columns["iin"]["entities"][0]["share"] == 1.0
    assert columns["phone"]["verdict"] == "KZ_PHONE"
    assert columns["full_name"]["verdict"] == "PERSON"
    assert doc["summary"]["records"] == 2
    assert doc["summary"]["partial"] is False


def test_fail_on(runner: CliRunner, data: Path) -> None:
    result = runner.invoke(app, ["scan", str(data), "-f", "jsonl", "--fail-on", "KZ_IIN"])
    assert result.exit_code == 1
    assert message("scan.fail_on_found", "en", entities="KZ_IIN") in result.stderr
    result = runner.invoke(app, ["scan", str(data), "-f", "jsonl", "--fail-on", "KZ_PASSPORT"])
    assert result.exit_code == 0
    result = runner.invoke(app, ["scan", str(data), "-f", "jsonl", "--fail-on", "any"])
    assert result.exit_code == 1


def test_partial_failure_exit_3(runner: CliRunner, data: Path) -> None:
    (data / "broken.json").write_text('{"a": [1, 2', encoding="utf-8")
    result = runner.invoke(app, ["scan", str(data), "-f", "jsonl"])
    assert result.exit_code == 3
    assert "broken.json" in result.stderr
    assert "Traceback" not in result.output
    assert any(json.loads(line)["entity"] == "KZ_IIN" for line in result.stdout.splitlines())


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_skipped_binary_files_are_named_not_silent(
    runner: CliRunner, data: Path, lang: str
) -> None:
    for i in range(7):
        (data / f"blob{i}.bin").write_bytes(bytes(range(256)) * 4)
    result = runner.invoke(app, ["scan", str(data), "-f", "jsonl", "--lang", lang])
    assert result.exit_code == 0, result.output  # leaving them out is not an error
    names = ", ".join(str(data / f"blob{i}.bin") for i in range(5))
    names = message("scan.skipped_more", lang, names=names, count=2)
    reason = message("source.skipped_binary", lang)
    assert message("scan.skipped", lang, count=7, reason=reason, names=names) in result.stderr
    assert any(json.loads(line)["entity"] == "KZ_IIN" for line in result.stdout.splitlines())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_named_pipes_and_folder_links_are_named_one_line_per_reason(
    runner: CliRunner, data: Path, tmp_path_factory: pytest.TempPathFactory, lang: str
) -> None:
    os.mkfifo(data / "queue.txt")  # opened, it would wait for a writer forever
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "more.txt").write_text("ИИН 900101300007\n", encoding="utf-8")
    (data / "link").symlink_to(elsewhere, target_is_directory=True)
    result = runner.invoke(app, ["scan", str(data), "-f", "json", "--lang", lang])
    assert result.exit_code == 0, result.output
    special = message("source.skipped_special", lang)
    link = message("source.skipped_link", lang)
    assert (
        message("scan.skipped", lang, count=1, reason=special, names=str(data / "queue.txt"))
        in result.stderr
    )
    assert message("scan.skipped", lang, count=1, reason=link, names=str(data / "link")) in (
        result.stderr
    )
    sources = {s["source"]: s for s in json.loads(result.stdout)["sources"]}
    assert sources[str(data / "queue.txt")]["status"] == "skipped"
    assert sources[str(data / "queue.txt")]["problem"] == special
    assert str(elsewhere / "more.txt") not in sources  # the link was not followed


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_folder_with_no_file_to_scan_is_named(
    runner: CliRunner, data: Path, tmp_path_factory: pytest.TempPathFactory, lang: str
) -> None:
    """Not an error (exit 0), but said: a mistyped mount point is not a clean folder."""
    empty = tmp_path_factory.mktemp("mounted")
    (empty / ".cache").write_text("ИИН 900101300007\n", encoding="utf-8")  # hidden
    result = runner.invoke(app, ["scan", str(empty), str(data), "-f", "json", "--lang", lang])
    assert result.exit_code == 0, result.output
    line = message("scan.folder_empty", lang, count=1, names=str(empty))
    assert line in result.stderr
    sources = json.loads(result.stdout)["sources"]
    assert sources[0]["source"] == str(empty)
    assert sources[0]["status"] == "skipped"
    assert sources[0]["problem"] == message("source.folder_empty", lang)
    assert all(s["status"] == "ok" for s in sources[1:])


@pytest.mark.parametrize("fmt", ["jsonl", "json", "html", "table"])
def test_output_to_a_folder_is_refused_before_scanning(
    runner: CliRunner, data: Path, tmp_path_factory: pytest.TempPathFactory, fmt: str
) -> None:
    """``--output`` naming a folder: exit 2 with the reason, in every format. JSON Lines
    failed with an internal error (exit 70) once the scan was done, and left its partial
    file beside the folder."""
    where = tmp_path_factory.mktemp("out")
    folder = where / "reports"
    folder.mkdir()
    result = runner.invoke(app, ["scan", str(data), "-f", fmt, "-o", str(folder)])
    assert result.exit_code == 2, result.output
    expected = message(
        "error.output_write", "en", path=str(folder), reason=os.strerror(errno.EISDIR)
    )
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in where.iterdir()) == ["reports"]  # nothing left beside it
    assert not any(folder.iterdir())


def test_names_from_the_data_are_never_read_as_markup(runner: CliRunner, tmp_path: Path) -> None:
    """A CSV column named "iin[/bad]" ended the table with an internal error (MarkupError);
    an escape sequence in it reached the terminal."""
    data = tmp_path / "export[x].csv"
    data.write_text("iin[/bad]\x1b[2J\n900101300007\n", encoding="utf-8")
    missing = tmp_path / "gone[bold].csv"
    out = tmp_path / "report.txt"
    result = runner.invoke(app, ["scan", str(data), str(missing), "-o", str(out)])
    assert result.exit_code == 3, result.output
    table = out.read_text(encoding="utf-8")
    assert "iin[/bad]\\x1b[2J" in table
    assert "\x1b" not in table
    assert f"{missing}: " in table


def test_standard_input_with_files(runner: CliRunner, data: Path) -> None:
    result = runner.invoke(
        app, ["scan", "-", str(data / "letter.txt"), "-f", "jsonl"], input="ИИН 900101300007\n"
    )
    assert result.exit_code == 0, result.output
    sources = [json.loads(line)["source"] for line in result.stdout.splitlines()]
    assert sources.count("<stdin>") == 1
    assert str(data / "letter.txt") in sources
    assert "900101300007" not in result.output


@pytest.mark.parametrize("args", [["-", "-"], ["-", "--engine", "spark"]])
def test_standard_input_once_and_locally(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(app, ["scan", *args, "--lang", "kk"], input="x")
    assert result.exit_code == 2
    assert message("scan.stdin", "kk") in result.stderr


def test_missing_path_alone_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = runner.invoke(app, ["scan", str(missing), "--lang", "ru"])
    assert result.exit_code == 2
    assert message("error.path_not_found", "ru", path=str(missing)) in result.stderr
    # nothing was read, so no "no personal data found" table either
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "key", "params"),
    [
        (
            ["--format", "xml"],
            "error.unknown_format",
            {"value": "xml", "choices": "table, json, jsonl, html"},
        ),
        (["--min-score", "2"], "scan.bad_min_score", {"value": 2.0}),
    ],
)
def test_usage_errors(
    runner: CliRunner, data: Path, args: list[str], key: str, params: dict[str, object]
) -> None:
    result = runner.invoke(app, ["scan", str(data), *args])
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: " + message(key, "en", **params)


def test_unknown_entity(runner: CliRunner, data: Path) -> None:
    result = runner.invoke(app, ["scan", str(data), "--entities", "KZ_IIN,NOPE"])
    assert result.exit_code == 2
    assert "Unknown entity NOPE" in result.stderr


def test_help_lists_exit_codes(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scan", "--help"])
    assert result.exit_code == 0
    assert "--fail-on" in result.stdout
    assert "Exit codes" in result.stdout


def test_closed_output_pipe_stops_quietly(tmp_path: Path) -> None:
    """`senim scan ... | head -1`: no error blamed on the input, no traceback, exit 0."""
    import os
    import subprocess
    import sys

    big = tmp_path / "big.txt"
    big.write_text("ИИН 900101300007, тел. +7 701 123 45 67\n" * 20000, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "senim", "scan", str(big), "-f", "jsonl", "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "SENIM_HASH_KEY": "k"},
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode("utf-8")
    proc.stderr.close()
    assert proc.wait(timeout=120) == 0
    assert json.loads(first)["entity"] == "KZ_IIN"
    assert stderr == ""


def test_scanning_a_file_loads_only_what_it_needs(
    tmp_path: Path, fresh_python: Callable[[str], list[str]]
) -> None:
    """A JSON Lines scan starts without SQLAlchemy, jinja2, mimesis's code, pandas, numpy,
    pydantic, rich or pyarrow's Parquet module, and the CLI itself loads without pyarrow,
    polars or numpy.

    They belong to database sources and the scan state, HTML reports, explicit pandas and
    numpy conversions, archive limits, console output (tables, progress bars, messages) and
    Parquet files (with pyarrow's cloud filesystems); each costs a scanning process start-up
    time (and memory) for nothing.
    """
    data = tmp_path / "docs.jsonl"
    data.write_text('{"text": "Иванов Иван, ИИН 900101300007"}\n', encoding="utf-8")
    probe = (
        "import sys\n"
        "from senim.cli import app\n"
        # the command line is parsed (and helper processes started) before the data libraries
        "print(sorted(m for m in ('pyarrow', 'polars', 'numpy') if m in sys.modules))\n"
        f"app(['scan', {str(data)!r}, '-f', 'jsonl', '--no-progress'], standalone_mode=False)\n"
        "heavy = ('sqlalchemy', 'jinja2', 'mimesis', 'pandas', 'numpy', 'pydantic', "
        "'pyarrow.parquet', 'rich')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = fresh_python(probe)
    assert out[0] == "[]"
    assert json.loads(out[1])["entity"] == "PERSON"
    assert out[-1] == "[]"


def test_the_progress_bar_counts_what_it_is_told() -> None:
    from senim.cli._scan import _progress_bar

    with _progress_bar(False) as callbacks:
        assert callbacks == (None, None)
    with _progress_bar(True) as (on_total, on_progress):
        assert on_total is not None
        assert on_progress is not None
        on_total(1000)
        on_progress(400)
        on_progress(600)
        from rich.progress import Progress

        cells = [cell.cell_contents for cell in on_progress.__closure__ or ()]
        bar = next(o for o in cells if isinstance(o, Progress))
        (task,) = bar.tasks
        assert (task.total, task.completed) == (1000, 1000)

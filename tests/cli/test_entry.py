"""The console-script entry point: exit codes, flushed output and exit handlers, although
the process skips the interpreter's teardown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from senim.discovery._api import scan_paths

ROOT = Path(__file__).resolve().parents[2]


def _senim(*args: str, code: str = "") -> subprocess.CompletedProcess[str]:
    script = (
        f"import sys\nfrom senim.cli import main\n{code}\nsys.argv = {['senim', *args]!r}\nmain()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "SENIM_HASH_KEY": "k"},
        timeout=120,
        check=False,
    )


def test_piped_output_is_complete() -> None:
    done = _senim("scan", str(ROOT / "examples"), "-f", "jsonl", "--no-progress")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == scan_paths([ROOT / "examples"]).findings.num_rows > 0


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["--version"], 0),
        (["scan", str(ROOT / "examples"), "-f", "json", "--fail-on", "any"], 1),
        (["scan", "/nope"], 2),
        (["scan", "x", "-f", "nope"], 2),
    ],
)
def test_exit_codes(args: list[str], status: int) -> None:
    done = _senim(*args)
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr


def test_exit_handlers_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = f"import atexit, pathlib\natexit.register(pathlib.Path({str(marker)!r}).touch)"
    done = _senim("--version", code=code)
    assert done.returncode == 0, done.stderr
    assert marker.exists()


def test_a_running_thread_is_waited_for(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = (
        "import pathlib, threading, time\n"
        "def late():\n"
        "    time.sleep(0.5)\n"
        f"    pathlib.Path({str(marker)!r}).touch()\n"
        "threading.Thread(target=late).start()"
    )
    done = _senim("--version", code=code)
    assert done.returncode == 0, done.stderr
    assert marker.exists()


def test_a_scan_builds_the_scan_command_alone() -> None:
    """``senim scan ...`` builds only the scan command (typer reads every command's signature
    first): the same command, options, help and usage as in the whole app."""
    import typer.main

    from senim.cli import _app_for, app

    whole = typer.main.get_command(app)
    alone = typer.main.get_command(_app_for(["scan", "x"]))
    assert list(alone.commands) == ["scan"]  # type: ignore[attr-defined]
    mine, theirs = alone.commands["scan"], whole.commands["scan"]  # type: ignore[attr-defined]
    assert [_shape(p) for p in mine.params] == [_shape(p) for p in theirs.params]
    assert len(mine.params) > 15
    assert mine.help == theirs.help
    assert [_shape(p) for p in alone.params] == [_shape(p) for p in whole.params]
    for args in (["deid", "x"], ["--help"], []):
        assert _app_for(args) is app
    usage = _senim("scan")
    assert usage.returncode == 2
    assert "Usage: senim scan [OPTIONS]" in usage.stderr


def _shape(param: object) -> tuple[object, ...]:
    """What a command-line parameter is, as the user meets it."""
    names = ("name", "opts", "secondary_opts", "required", "multiple", "nargs", "default", "help")
    return (type(param).__name__, *(repr(getattr(param, n, None)) for n in names))

"""CLI plumbing: output paths refused before the work that would fill them; text for a
terminal."""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer

from senim._i18n import message
from senim.cli._common import check_output, handle_errors, write_text_output
from senim.errors import InputError


def _folder(tmp: Path) -> Path:
    (tmp / "reports").mkdir()
    return tmp / "reports"


def _under_missing_folder(tmp: Path) -> Path:
    return tmp / "no-such-folder" / "report.json"


def _under_a_file(tmp: Path) -> Path:
    (tmp / "notes.txt").write_text("x", encoding="utf-8")
    return tmp / "notes.txt" / "report.json"


@pytest.mark.parametrize(
    ("where", "code"),
    [
        (_folder, errno.EISDIR),
        (_under_missing_folder, errno.ENOENT),
        (_under_a_file, errno.ENOTDIR),
    ],
)
def test_unwritable_outputs_are_refused_with_the_reason(
    tmp_path: Path, where: Callable[[Path], Path], code: int
) -> None:
    path = where(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(InputError) as info:
        check_output(None, str(path))
    assert info.value.exit_code == 2
    assert info.value.message("en") == message(
        "error.output_write", "en", path=str(path), reason=os.strerror(code)
    )
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing created


def test_writable_outputs_pass_and_nothing_is_created(tmp_path: Path) -> None:
    existing = tmp_path / "old.json"
    existing.write_text("{}", encoding="utf-8")
    check_output(None, "-", str(existing), str(tmp_path / "new.json"))
    assert existing.read_text(encoding="utf-8") == "{}"
    assert not (tmp_path / "new.json").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_places_are_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked.json"
    locked.write_text("{}", encoding="utf-8")
    locked.chmod(0o444)
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o555)
    for path in (locked, closed / "new.json"):
        with pytest.raises(InputError) as info:
            check_output(str(path))
        assert os.strerror(errno.EACCES) in info.value.message("en")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [True, False])
def test_text_output_is_escaped_on_a_terminal_only(
    monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    """An audited group or a card named with an escape sequence reached the terminal; a
    file or a pipe gets the text as it is (JSON and YAML escape such characters anyway)."""
    out = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    write_text_output("group\x1b[2J\n\tnext", None)
    expected = "group\\x1b[2J\n\tnext\n" if terminal else "group\x1b[2J\n\tnext\n"
    assert out.getvalue() == expected


def test_error_messages_are_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as info, handle_errors("en"):
        raise InputError("error.path_not_found", path="report\x1b]0;owned\x07.csv")
    assert info.value.exit_code == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "\x07" not in err
    assert "report\\x1b]0;owned\\x07.csv" in err

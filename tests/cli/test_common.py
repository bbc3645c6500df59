"""CLI plumbing: output paths refused before the work that would fill them."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from senim._i18n import message
from senim.cli._common import check_output
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

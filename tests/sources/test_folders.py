"""Walking folders: order, what is left out and why, special files, read-ahead hints."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.sources._build import IIN

from senim._i18n import shown
from senim.discovery._api import scan_paths
from senim.errors import InputError
from senim.sources import _files
from senim.sources._files import Skipped, _folder_files, iter_sources

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


@pytest.fixture
def watchdog() -> Iterator[None]:
    """Fail a test that blocks (a named pipe opened for reading waits for a writer)."""
    if not hasattr(signal, "SIGALRM"):  # pragma: no cover - not POSIX
        yield
        return

    def expire(*_: object) -> None:
        raise TimeoutError("blocked: a special file was opened")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _os_walk_order(folder: Path) -> list[str]:
    """The order the walk had when it was ``os.walk`` (names sorted, a folder's files
    before its subfolders), for regular files."""
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _files._META_DIRS)
        for name in sorted(files):
            if name.startswith(".") or name in _files._META_FILES:
                continue
            if name.startswith(_files._META_PREFIXES):
                continue
            out.append(os.path.join(root, name))
    return out


@pytest.mark.parametrize(
    "layout",
    [
        ["a.txt", "b.csv", "sub/c.txt", "sub/deeper/d.txt", "z/e.txt"],
        ["Б.txt", "а.txt", "Ә/ғ.txt", "A/x.txt", "a/y.txt", "a.txt", "b.txt"],
        [".hidden/x.txt", "_SUCCESS", "_temporary/p.txt", "_delta_log/0.json", "part-0.csv"],
        ["_committed_1", "_started_1", "__pycache__/m.pyc", "data/.keep", "data/x.jsonl"],
        ["1/2/3/4/5/f.txt", "1/2/f.txt", "1/f.txt", "10/f.txt", "f.txt"],
    ],
)
def test_the_walk_keeps_the_order_and_the_rules_of_before(
    tmp_path: Path, layout: list[str]
) -> None:
    """Source names and their order are keys of reports and incremental state: the walk
    lists what ``os.walk`` listed, in the same order."""
    for name in layout:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert list(_folder_files(tmp_path)) == _os_walk_order(tmp_path)


def test_a_folder_deeper_than_the_recursion_limit_is_walked(tmp_path: Path) -> None:
    depth = sys.getrecursionlimit() + 100
    folder = tmp_path
    try:
        try:
            for _ in range(depth):  # one by one: makedirs recurses as deep
                folder = folder / "d"
                folder.mkdir()
        except OSError:  # pragma: no cover - a file system with a shorter path limit
            pytest.skip("the file system refuses paths this long")
        (folder / "deep.txt").write_text("x", encoding="utf-8")
        (tmp_path / "top.txt").write_text("x", encoding="utf-8")
        listed = list(_folder_files(tmp_path))
    finally:  # removed one by one as well (shutil.rmtree recurses, and pytest uses it)
        (folder / "deep.txt").unlink(missing_ok=True)
        while folder != tmp_path:
            if folder.exists():
                folder.rmdir()
            folder = folder.parent
    deep = str(tmp_path / os.path.join(*["d"] * depth) / "deep.txt")
    assert listed == [str(tmp_path / "top.txt"), deep]


@posix_only
def test_special_files_are_named_not_opened(tmp_path: Path, watchdog: None) -> None:
    (tmp_path / "a.txt").write_text(f"ИИН {IIN}\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.txt").write_text(f"ИИН {IIN}\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(elsewhere, target_is_directory=True)
    (tmp_path / "file-link.txt").symlink_to(tmp_path / "a.txt")  # a link to a file is read
    (tmp_path / "broken.txt").symlink_to(tmp_path / "missing.txt")
    items = list(iter_sources([tmp_path]))
    named = {
        Path(i.name if isinstance(i, Skipped) else str(i.params.get("source", "?"))).name
        if isinstance(i, Skipped | InputError)
        else Path(i.name).name: i
        for i in items
    }
    assert sorted(named) == ["a.txt", "broken.txt", "file-link.txt", "link", "pipe.txt"]
    assert isinstance(named["pipe.txt"], Skipped)
    assert named["pipe.txt"].reason == "source.skipped_special"
    assert isinstance(named["link"], Skipped)
    assert named["link"].reason == "source.skipped_link"
    assert isinstance(named["broken.txt"], InputError)  # says why, as before
    assert named["broken.txt"].key == "source.read_failed"
    report = scan_paths([tmp_path], workers=1)
    statuses = {Path(s.name).name: (s.status, s.skipped) for s in report.sources}
    assert statuses["pipe.txt"] == ("skipped", "source.skipped_special")
    assert statuses["link"] == ("skipped", "source.skipped_link")
    assert report.entity_counts == {"KZ_IIN": 2}  # a.txt and the link to it


@posix_only
@pytest.mark.parametrize("name", ["dump.txt", "dump.csv", "dump"])
def test_a_pipe_named_explicitly_is_read_once_and_whole(
    tmp_path: Path, watchdog: None, name: str
) -> None:
    """``senim scan <(zcat dump.gz)`` names a pipe: its bytes are read once (a second
    open would start where the first read stopped) and all of them are scanned."""
    pipe = tmp_path / name
    os.mkfifo(pipe)
    lines = 2_000  # far more than the 8 KB first look at a file
    header = "iin\n" if name.endswith(".csv") else ""
    payload = (header + f"{IIN}\n" * lines).encode("utf-8")

    def feed() -> None:
        with open(pipe, "wb") as fh:
            fh.write(payload)

    writer = threading.Thread(target=feed)
    writer.start()
    report = scan_paths([str(pipe)], workers=1)
    writer.join()
    assert not report.problems
    assert [s.name for s in report.sources] == [str(pipe)]
    assert report.entity_counts == {"KZ_IIN": lines}
    expected = "csv" if name.endswith(".csv") else "text"
    assert report.sources[0].format == expected


def _lock_folders_named_locked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the walk's listing of any folder named ``locked`` fail as without permission
    (root may list any folder, so a mode cannot make one unlistable)."""
    real = os.scandir

    def scandir(path: str) -> object:
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(_files.os, "scandir", scandir)


def test_a_folder_that_cannot_be_listed_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``os.walk`` passed over a folder it could not list; now the report says so and
    the rest is scanned."""
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "x.txt").write_text(f"ИИН {IIN}\n", encoding="utf-8")
    (tmp_path / "open.txt").write_text(f"ИИН {IIN}\n", encoding="utf-8")
    _lock_folders_named_locked(monkeypatch)
    report = scan_paths([tmp_path], workers=1)
    assert [p.key for p in report.problems] == ["source.folder_unreadable"]
    assert report.problems[0].params["source"] == str(tmp_path / "locked")
    assert "Permission denied" in report.problems[0].message("en")
    assert report.entity_counts == {"KZ_IIN": 1}
    assert [s.status for s in report.sources] == ["ok", "failed"]


def test_files_are_hinted_once_each_a_bounded_way_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = 3 * _files._HINT_AHEAD + 7
    for i in range(files):
        (tmp_path / f"f{i:04d}.txt").write_text(f"ИИН {IIN} {i}\n", encoding="utf-8")
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)))
    events: list[tuple[str, str]] = []
    monkeypatch.setattr(_files, "_hint", lambda path: events.append(("hint", path)))
    real_open = _files.open_blob

    def opening(blob: object, **kwargs: object) -> object:
        events.append(("open", str(blob.path)))  # type: ignore[attr-defined]
        return real_open(blob, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_files, "open_blob", opening)
    if _files._WILL_NEED is None:  # pragma: no cover - no hints on this system
        monkeypatch.setattr(_files, "_WILL_NEED", 3)
    names = [s.name for s in iter_sources([tmp_path]) if not isinstance(s, InputError)]
    listed = [p for p in _folder_files(tmp_path) if isinstance(p, str)]
    assert names == listed  # the same items in the same order
    hints = [p for kind, p in events if kind == "hint"]
    assert hints == listed  # each file once, in order
    for k, (kind, path) in enumerate(events):
        if kind == "open":
            hinted = sum(1 for e in events[:k] if e[0] == "hint")
            opened = sum(1 for e in events[:k] if e[0] == "open")
            assert ("hint", path) in events[:k]
            assert hinted - opened <= _files._HINT_AHEAD + 1


@posix_only
def test_a_hint_never_waits_on_a_pipe(tmp_path: Path, watchdog: None) -> None:
    os.mkfifo(tmp_path / "pipe")
    if _files._WILL_NEED is not None:
        _files._hint(str(tmp_path / "pipe"))  # returns at once, nothing raised
    _files._hint(str(tmp_path / "missing"))  # left to the real open to report


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"plain.txt", "plain.txt"),
        ("клиенты/қала.csv".encode(), "клиенты/қала.csv"),
        ("клиенты".encode("cp1251") + b".csv", "\\xea\\xeb\\xe8\\xe5\\xed\\xf2\\xfb.csv"),
        ("папка/".encode() + b"\xff\xfe.txt", "папка/\\xff\\xfe.txt"),
        (b"\x1b[2Jred\x1b[0m.txt", "\\x1b[2Jred\\x1b[0m.txt"),  # would reach the terminal
        ("жол\nжаңа\tқатар.txt".encode(), "жол\\x0aжаңа\\x09қатар.txt"),
        (b"bell\x07\x7f.txt", "bell\\x07\\x7f.txt"),
        ("a\u0085b".encode(), "a\\x85b"),  # C1 control
        ("имя файла.txt".encode(), "имя файла.txt"),  # spaces are fine
    ],
)
def test_names_are_text_every_output_can_hold(raw: bytes, expected: str) -> None:
    assert shown(os.fsdecode(raw)) == expected
    assert shown(Path(os.fsdecode(raw))) == expected


@pytest.fixture
def badly_named(tmp_path: Path) -> Path:
    """A folder holding a file whose name is cp1251 bytes, as copied from Windows."""
    name = os.fsdecode("клиенты".encode("cp1251") + b".txt")
    try:
        (tmp_path / name).write_text(f"ИИН {IIN}\n", encoding="utf-8")
    except (OSError, UnicodeEncodeError):  # pragma: no cover - a file system of UTF-8 names
        pytest.skip("this file system takes UTF-8 names only")
    (tmp_path / "ok.txt").write_text(f"ИИН {IIN}\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "html"])
def test_a_file_name_that_is_not_utf8_is_scanned_and_named(badly_named: Path, fmt: str) -> None:
    """Such a name ended every scan with an internal error (exit 70): Arrow, JSON and the
    terminal cannot hold it. Now the file is scanned and named with its bytes escaped."""
    from typer.testing import CliRunner

    from senim.cli import app

    out = badly_named.parent / f"{badly_named.name}-report.{fmt}"
    result = CliRunner().invoke(app, ["scan", str(badly_named), "-f", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if fmt != "table":  # the table sums up; the others name every source
        assert "\\xea\\xeb\\xe8\\xe5\\xed\\xf2\\xfb.txt" in text.replace("\\\\", "\\")
    report = scan_paths([badly_named], workers=1)
    assert report.entity_counts == {"KZ_IIN": 2}
    assert sorted(Path(s.name).name for s in report.sources) == sorted(
        ["ok.txt", "\\xea\\xeb\\xe8\\xe5\\xed\\xf2\\xfb.txt"]
    )


def test_an_archive_member_named_with_control_characters(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as archive:
        archive.writestr("a\x1b[31mred.txt", f"ИИН {IIN}\n")
    report = scan_paths([tmp_path / "bundle.zip"], workers=1)
    assert report.entity_counts == {"KZ_IIN": 1}
    sources = {f.source for f in report.finding_list()}
    assert sources == {f"{tmp_path / 'bundle.zip'}!a\\x1b[31mred.txt"}


@pytest.mark.parametrize(
    "layout",
    [
        [],
        [".hidden.txt"],
        ["sub/", "sub/deeper/"],
        [".git/", ".git/config", "_delta_log/", "_delta_log/0.json", "_SUCCESS"],
    ],
    ids=["empty", "hidden only", "empty subfolders", "metadata only"],
)
@pytest.mark.parametrize("workers", [1, 2])
def test_a_folder_with_no_file_to_scan_is_named(
    tmp_path: Path, layout: list[str], workers: int
) -> None:
    """A folder that holds no file to scan was a scan of "0 sources" and exit 0, as a
    folder without personal data is: a mistyped mount point looked like a clean one."""
    folder = tmp_path / "export"
    folder.mkdir()
    for entry in layout:
        if entry.endswith("/"):
            (folder / entry).mkdir()
        else:
            (folder / entry).write_text(f"ИИН {IIN}\n", encoding="utf-8")
    (tmp_path / "other.txt").write_text(f"ИИН {IIN}\n", encoding="utf-8")
    report = scan_paths([folder, tmp_path / "other.txt"], workers=workers)
    assert [(s.name, s.status, s.skipped) for s in report.sources] == [
        (str(folder), "skipped", "source.folder_empty"),
        (str(tmp_path / "other.txt"), "ok", None),
    ]
    assert not report.problems
    assert report.entity_counts == {"KZ_IIN": 1}


def test_a_folder_with_files_or_problems_is_not_called_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "one" / "deep").mkdir(parents=True)
    (tmp_path / "one" / "deep" / "a.txt").write_text(f"ИИН {IIN}\n", encoding="utf-8")
    (tmp_path / "locked").mkdir()
    _lock_folders_named_locked(monkeypatch)
    assert list(_folder_files(tmp_path / "one")) == [str(tmp_path / "one" / "deep" / "a.txt")]
    items = list(_folder_files(tmp_path / "locked"))
    assert [i.key for i in items if isinstance(i, InputError)] == ["source.folder_unreadable"]
    assert not [i for i in items if isinstance(i, Skipped)]


@posix_only
def test_progress_counts_only_what_the_total_counted(tmp_path: Path, watchdog: None) -> None:
    """The bar's total counts the files listed (their sizes); a link to a folder added
    the folder's own size to the progress, and a skipped binary file with a name that is
    not UTF-8 added nothing, so the bar ended short of or past its total."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.txt").write_text(f"ИИН {IIN}\n", encoding="utf-8")
    (folder / "b.bin").write_bytes(b"\x00\x01\x02binary" * 10)
    name = os.fsencode(folder) + b"/\xcf\xf0\xe8\xec\xe5\xf0.bin"  # cp1251, not UTF-8
    with open(name, "wb") as fh:
        fh.write(b"\x00\x01binary" * 20)
    os.mkfifo(folder / "pipe.txt")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "link").symlink_to(elsewhere, target_is_directory=True)
    totals: list[int] = []
    progress: list[int] = []
    report = scan_paths([folder], workers=1, on_total=totals.append, on_progress=progress.append)
    reasons = sorted(s.skipped or "" for s in report.sources if s.status == "skipped")
    assert reasons == [
        "source.skipped_binary",
        "source.skipped_binary",
        "source.skipped_link",
        "source.skipped_special",
    ]
    sizes = [(folder / "a.txt").stat().st_size, (folder / "b.bin").stat().st_size]
    assert totals == [sum(sizes) + os.stat(name).st_size]
    assert sum(progress) == totals[0]

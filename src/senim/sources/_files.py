"""Turn paths (files and folders) into sources, by file name and content sniffing.

A known extension picks the reader, and the first bytes must agree: a ``.csv`` that is
really a ZIP or an image is reported as disguised, an encrypted Office file (OLE container
in place of a ``.xlsx``/``.docx`` zip) as password-protected. A file with an unknown
extension is scanned by what its first bytes say it is (zip, PDF, Parquet, gzip, text).
In folders, hidden entries and ``_``-prefixed metadata files (Spark/Hive ``_SUCCESS``,
``_metadata``) are skipped; so are binary files of unknown formats, which are listed.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import pyarrow as pa

from senim._i18n import shown
from senim.errors import InputError
from senim.sources._archive import ZipSource
from senim.sources._base import Progress, Source, first_line
from senim.sources._blob import (
    STREAM_MAX_BYTES,
    Blob,
    FileBlob,
    GzipBlob,
    LimitedReader,
    SpooledBlob,
    _Wrapper,
    read_error,
    spooled_copy,
)
from senim.sources._csv import CsvFileSource
from senim.sources._decode import looks_binary, sniff_magic
from senim.sources._json import JsonFileSource, JsonLinesSource
from senim.sources._office import DocxSource, PdfSource, XlsxSource
from senim.sources._parquet import ParquetFileSource
from senim.sources._text import TextFileSource

if TYPE_CHECKING:
    from senim.sources._limits import ArchiveLimits

__all__ = [
    "STDIN",
    "SUFFIXES",
    "Skipped",
    "file_sizes",
    "iter_sources",
    "open_blob",
    "open_file",
]

Factory = Callable[[Blob], Source]
T = TypeVar("T")

SUFFIXES: dict[str, Factory] = {
    ".csv": CsvFileSource,
    ".tsv": CsvFileSource,
    ".jsonl": JsonLinesSource,
    ".ndjson": JsonLinesSource,
    ".json": JsonFileSource,
    ".parquet": ParquetFileSource,
    ".pq": ParquetFileSource,
    ".txt": TextFileSource,
    ".text": TextFileSource,
    ".log": TextFileSource,
    ".md": TextFileSource,
    ".xlsx": XlsxSource,
    ".xlsm": XlsxSource,
    ".xls": XlsxSource,
    ".ods": XlsxSource,
    ".docx": DocxSource,
    ".pdf": PdfSource,
    ".zip": ZipSource,
}
"""File extension -> reader. ``.gz`` wraps any of these (``clients.csv.gz``)."""

_TEXTUAL = {".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".txt", ".text", ".log", ".md"}
_EXPECTED_MAGIC = {
    ".parquet": {"parquet"},
    ".pq": {"parquet"},
    ".xlsx": {"zip"},
    ".xlsm": {"zip"},
    ".docx": {"zip"},
    ".ods": {"zip"},
    ".xls": {"ole"},
    ".pdf": {"pdf"},
    ".zip": {"zip"},
}
_BY_MAGIC: dict[str, Factory] = {
    "zip": ZipSource,
    "pdf": PdfSource,
    "parquet": ParquetFileSource,
}


_META_FILES = {"_SUCCESS", "_metadata", "_common_metadata"}
_META_PREFIXES = ("_committed_", "_started_")
_META_DIRS = {"_temporary", "_delta_log", "__pycache__"}
"""Spark/Hive/Delta bookkeeping in dataset folders (not data); hidden entries are skipped too."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file found in a folder and deliberately not scanned, with the reason key (or a
    folder named for a scan that held no file to scan)."""

    name: str
    reason: str
    size: int = 0
    """Its bytes the progress bar's total counts (:func:`file_sizes`): a file's own size
    when it was listed as a file (a binary file of an unknown format), else 0."""


def _suffix(filename: str) -> str:
    return os.path.splitext(filename.lower())[1]


def open_blob(
    blob: Blob, *, in_folder: bool = False, limits: ArchiveLimits | None = None
) -> Source | None:
    """The reader for a blob, or ``None`` for a binary file of unknown format in a folder.

    Raises :class:`InputError` for disguised, encrypted or unsupported files.
    """
    filename = blob.filename
    suffix = _suffix(filename)
    head = _head(blob)
    if isinstance(blob, FileBlob) and blob.content is None and len(head) < _HEAD_BYTES:
        # the whole file: its readers need not open it again
        blob = FileBlob(blob.path, blob.display, head)
    magic = sniff_magic(head)
    if suffix == ".gz":
        from senim.sources._limits import archive_limits

        limits = archive_limits(limits)
        if magic != "gzip":
            raise InputError(
                "source.disguised", source=blob.name, actual=magic or "text", expected="gzip"
            )
        if blob.depth >= limits.max_depth + 1:
            raise InputError("source.archive_depth", source=blob.name, depth=limits.max_depth)
        inner = GzipBlob(blob, max_bytes=limits.max_total_bytes)
        inner_suffix = _suffix(inner.filename)
        if inner_suffix not in SUFFIXES or inner_suffix in _TEXTUAL:
            return _by_name_or_content(inner, inner_suffix, in_folder, limits)
        spooled = _spool(inner)
        source = _by_name_or_content(spooled, inner_suffix, in_folder, limits)
        if source is None:
            spooled.spool.close()
            return None
        return _Owning(source, spooled)
    return _by_name_or_content(blob, suffix, in_folder, limits, sniffed=(head, magic))


class _Owning:
    """A source that owns a spool: the spool is closed once the source has been read."""

    def __init__(self, inner: Source, spooled: SpooledBlob) -> None:
        self._inner = inner
        self._spooled = spooled

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        try:
            yield from self._inner.batches(progress)
        finally:
            self._spooled.spool.close()


_HEAD_BYTES = 8192


def _head(blob: Blob) -> bytes:
    try:
        if isinstance(blob, FileBlob):
            return blob.head(_HEAD_BYTES)
        with blob.open() as fh:
            return bytes(fh.read(_HEAD_BYTES))
    except OSError as exc:
        raise read_error(blob.name, exc) from exc


def _spool(blob: Blob) -> SpooledBlob:
    try:
        with blob.open() as src:
            spool = spooled_copy(src)
    except OSError as exc:
        raise InputError("source.parse_failed", source=blob.name, reason=first_line(exc)) from exc
    return SpooledBlob(
        blob.name, blob.filename, spool, spool.tell(), blob.depth, blob.fingerprint()
    )


def _by_name_or_content(
    blob: Blob,
    suffix: str,
    in_folder: bool,
    limits: ArchiveLimits | None,
    sniffed: tuple[bytes, str | None] | None = None,
) -> Source | None:
    """The reader for ``blob`` by its suffix, else by its content; ``sniffed``: its first
    bytes and the magic number found in them, when already read."""
    if sniffed is None:
        head = _head(blob)
        magic = sniff_magic(head)
    else:
        head, magic = sniffed
    factory = SUFFIXES.get(suffix)
    if factory is not None:
        expected = _EXPECTED_MAGIC.get(suffix)
        if head and expected is not None and magic not in expected:
            if magic == "ole" and suffix in (".xlsx", ".xlsm", ".docx"):
                raise InputError("source.encrypted", source=blob.name)
            raise InputError(
                "source.disguised",
                source=blob.name,
                actual=magic or ("binary" if looks_binary(head) else "text"),
                expected=suffix.lstrip("."),
            )
        if suffix in _TEXTUAL and looks_binary(head):
            raise InputError(
                "source.disguised",
                source=blob.name,
                actual=magic or "binary",
                expected=suffix.lstrip("."),
            )
        if factory is ZipSource:
            return ZipSource(blob, limits=limits)
        return factory(blob)
    if magic in _BY_MAGIC:
        if magic == "zip":
            return ZipSource(blob, limits=limits)
        return _BY_MAGIC[magic](blob)
    if magic == "gzip":
        return open_blob(_Renamed(blob, blob.filename + ".gz"), in_folder=in_folder, limits=limits)
    if looks_binary(head):
        if in_folder:
            return None
        raise InputError("source.unsupported", source=blob.name, suffix=suffix or "-")
    if _json_lines(head):
        return JsonLinesSource(blob)
    return TextFileSource(blob)


@dataclass(frozen=True, slots=True)
class _Renamed(_Wrapper):
    inner: Blob
    filename: str

    @property
    def depth(self) -> int:
        return self.inner.depth

    def open(self):  # type: ignore[no-untyped-def]
        return self.inner.open()


def open_file(path: str | Path, *, limits: ArchiveLimits | None = None) -> Source:
    """The source for one file (an explicitly named file is never silently skipped)."""
    source = open_blob(FileBlob(Path(path)), limits=limits)
    assert source is not None
    return source


STDIN = "-"
"""The path that stands for standard input."""
STDIN_NAME = "<stdin>"


def iter_sources(
    paths: list[str | Path], *, limits: ArchiveLimits | None = None
) -> Iterator[Source | Skipped | InputError]:
    """Sources for ``paths`` in a stable order; folders are walked (hidden entries skipped).

    ``-`` is standard input (:func:`stdin_source`); a named pipe or device named
    explicitly (``<(zcat dump.csv.gz)``, ``/dev/stdin``) is read once, as standard input is.
    Problems are yielded, not raised, so one bad path never stops the others.
    """
    for raw in paths:
        if isinstance(raw, str) and raw == STDIN:
            yield from stdin_source(limits=limits)
            continue
        path = Path(raw)
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            if not path.is_symlink() and isinstance(exc, FileNotFoundError):
                yield InputError("error.path_not_found", path=shown(raw))
            else:  # a broken link, a folder above that cannot be searched, ...
                yield read_error(shown(raw), exc)
            continue
        if stat.S_ISDIR(mode):
            for item in _read_ahead(_folder_files(path)):
                if isinstance(item, str):
                    yield from _one(item, in_folder=True, limits=limits)
                else:
                    yield item
        elif stat.S_ISREG(mode):
            yield from _one(path, in_folder=False, limits=limits)
        else:
            yield from _stream_source(str(raw), limits)


def file_sizes(paths: Sequence[str | Path]) -> Iterator[tuple[str, int]]:
    """(file name, size in bytes) of each file :func:`iter_sources` would open under
    ``paths``, without opening any: folders walked alike, missing or unreadable paths and
    standard input left out (what is known of a scan before it starts)."""
    for raw in paths:
        if isinstance(raw, str) and raw == STDIN:
            continue
        path = Path(raw)
        files = _folder_files(path) if path.is_dir() else [str(path)]
        for file in files:
            if not isinstance(file, str):
                continue
            try:
                yield os.path.basename(file), os.stat(file).st_size
            except OSError:
                continue


def stdin_source(
    *, limits: ArchiveLimits | None = None, stream: IO[bytes] | None = None
) -> Iterator[Source | InputError]:
    """Standard input (or ``stream``) as one source named ``<stdin>``.

    Readers need to read from the start more than once (format detection, then the
    batches), so the bytes are spooled first (:func:`spooled_copy`: in memory, then in an
    anonymous temporary file that is gone when the scan ends). There is no file name to
    go by, so the format is what the bytes say, as for a file of unknown extension
    (:func:`open_blob`): a CSV stream is read as text, offsets counting from its start.
    """
    try:
        yield from _spooled_source(
            stream if stream is not None else sys.stdin.buffer, STDIN_NAME, "stdin", limits
        )
    except (ValueError, AttributeError) as exc:  # no standard input, or a closed one
        yield InputError("source.parse_failed", source=STDIN_NAME, reason=first_line(exc))


def _stream_source(path: str, limits: ArchiveLimits | None) -> Iterator[Source | InputError]:
    """A named pipe, device or socket named explicitly (bash's ``<(...)`` names a pipe
    ``/dev/fd/63``): its bytes can be read once only, so they are spooled as standard
    input's are (:func:`stdin_source`); the format comes from the name's extension, if it
    has one, else from the bytes. Opening waits for a writer, as ``cat`` does."""
    try:
        with open(path, "rb") as stream:
            yield from _spooled_source(stream, shown(path), os.path.basename(path), limits)
    except OSError as exc:
        yield read_error(shown(path), exc)


def _spooled_source(
    stream: IO[bytes], name: str, filename: str, limits: ArchiveLimits | None
) -> Iterator[Source | InputError]:
    limit = STREAM_MAX_BYTES if limits is None else limits.max_stream_bytes
    try:
        spool = spooled_copy(LimitedReader(stream, limit, name, key="source.stream_limit"))
    except InputError as exc:  # more than the limit came in
        yield exc
        return
    except OSError as exc:
        yield read_error(name, exc)
        return
    blob = SpooledBlob(name, filename, spool, spool.tell(), 0, None)
    try:
        source = open_blob(blob, limits=limits)
    except InputError as exc:
        spool.close()
        yield exc
        return
    assert source is not None  # not in a folder: unknown binary content raises instead
    yield _Owning(source, blob)


def _json_lines(head: bytes) -> bool:
    """Do the first bytes of a stream read as JSON Lines: every complete line that is not
    blank one JSON object (``jq -c`` output, application logs)?"""
    lines = head.split(b"\n")
    if len(head) >= _HEAD_BYTES:
        lines = lines[:-1]  # the last line may be cut
    objects = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:  # invalid JSON or not UTF-8
            return False
        if not isinstance(value, dict):
            return False
        objects += 1
    return objects > 0


def _folder_files(folder: Path) -> Iterator[str | Skipped | InputError]:
    """The paths of the files below ``folder`` in a stable order (as ``str(Path(...))``
    spells them; names sorted, a folder's files before its subfolders'); hidden entries and
    metadata skipped.

    What cannot be scanned is named instead of passed over: a named pipe, socket or device
    (opening a pipe waits for a writer that may never come, a device may never end) and a
    link to a folder (not followed: links can make a loop) as :class:`Skipped`; a folder
    that cannot be listed as a problem. Entries are typed from the listing itself
    (``d_type``), without a ``stat`` per file. A folder that holds nothing to scan, or
    only hidden entries, is named as :class:`Skipped` itself: a mistyped mount point is
    told apart from a folder without personal data.
    """
    here = len(os.curdir + os.sep) if os.fspath(folder) == os.curdir else 0  # not "./a.txt"
    found = False
    for item in _listed(os.fspath(folder), here):
        found = True
        yield item
    if not found:
        yield Skipped(name=shown(folder), reason="source.folder_empty")


def _listed(folder: str, here: int) -> Iterator[str | Skipped | InputError]:
    """What :func:`_folder_files` yields for ``folder``, before the check for an empty
    folder; ``here``: how many leading characters of each path to leave out."""
    pending = [folder]  # folders still to list, the next one last (no recursion)
    while pending:
        top = pending.pop()
        try:
            with os.scandir(top) as listing:
                entries = sorted(
                    (e for e in listing if not e.name.startswith(".")), key=lambda e: e.name
                )
        except OSError as exc:
            reason = exc.strerror or str(exc)
            name = shown(top[here:] or top)
            yield InputError("source.folder_unreadable", source=name, reason=reason)
            continue
        folders = []
        for entry in entries:
            name, path = entry.name, entry.path[here:]
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if is_folder:
                if name in _META_DIRS:
                    continue
                if entry.is_symlink():
                    yield Skipped(name=shown(path), reason="source.skipped_link")
                else:
                    folders.append(entry.path)
            elif not (name in _META_FILES or name.startswith(_META_PREFIXES)):
                if _plain(entry):
                    yield path
                else:
                    yield Skipped(name=shown(path), reason="source.skipped_special")
        pending.extend(reversed(folders))


_HINT_AHEAD = 128
"""Files of a folder whose first bytes the system is asked to fetch before they are opened
(:func:`_read_ahead`)."""

_WILL_NEED = getattr(os, "POSIX_FADV_WILLNEED", None)
_HINT_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_ahead(items: Iterator[T]) -> Iterator[T]:
    """``items`` (a folder's files) as they come, the system asked to fetch the first
    bytes of each file (:data:`_HEAD_BYTES`) :data:`_HINT_AHEAD` files before it is opened.

    Files not read for a while are no longer in the page cache (on the machines senim is
    measured on, soon after their last read), and a small file's bytes were then fetched
    from the disk as it was opened, one file after another: 71 µs each against 2.7 when
    cached, and a two-core scan of 5,000 one-page letters took 1.51 s against 1.07 s
    cached (``benchmarks/scan_cache.py``). Asked ahead (``posix_fadvise(WILLNEED)``), the
    disk fetches many at once while earlier files are scanned: 1.17 s. A cached file costs
    the hint an open, the hint and a close. Where the system has no such hint (macOS,
    Windows) the items pass unchanged.
    """
    if _WILL_NEED is None:
        yield from items
        return
    ahead: deque[T] = deque()
    for item in items:
        if isinstance(item, str):
            _hint(item)
        ahead.append(item)
        if len(ahead) > _HINT_AHEAD:
            yield ahead.popleft()
    yield from ahead


def _hint(path: str) -> None:
    """Ask the system to fetch ``path``'s first bytes (opened without waiting: a named
    pipe does not wait for a writer; anything that fails is left to the real open)."""
    assert _WILL_NEED is not None
    try:
        fd = os.open(path, _HINT_FLAGS)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.posix_fadvise(fd, 0, _HEAD_BYTES, _WILL_NEED)
    finally:
        os.close(fd)


def _plain(entry: os.DirEntry[str]) -> bool:
    """Is ``entry`` (not a folder) a file to open: a regular file, or something whose type
    cannot be told (a broken link: opening it reports why)? What is left is a named pipe,
    socket or device."""
    try:
        if entry.is_file():
            return True
        entry.stat()
    except OSError:
        return True
    return False


def _one(
    path: Path | str, *, in_folder: bool, limits: ArchiveLimits | None
) -> Iterator[Source | Skipped | InputError]:
    blob = FileBlob(path)
    try:
        source = open_blob(blob, in_folder=in_folder, limits=limits)
    except InputError as exc:
        yield exc
        return
    except OSError as exc:
        yield read_error(shown(path), exc)
        return
    except Exception as exc:  # an unexpected reader failure never stops the other paths
        if os.environ.get("SENIM_DEBUG", "") not in ("", "0"):
            raise
        yield InputError("source.parse_failed", source=shown(path), reason=first_line(exc))
        return
    if source is None:
        try:
            size = blob.size
        except OSError:
            size = 0
        yield Skipped(name=shown(path), reason="source.skipped_binary", size=size)
    else:
        yield source

"""Blobs: named byte streams a reader opens (a file, a member of a zip, a gunzipped file).

Readers take a blob rather than a path, so the same CSV/XLSX/PDF reader scans a file on
disk, ``archive.zip!folder/clients.xlsx`` or ``export.csv.gz``.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from senim._i18n import shown
from senim.errors import InputError
from senim.sources._decode import SAMPLE_BYTES, detect_encoding

if TYPE_CHECKING:
    from _typeshed import SupportsRead

__all__ = ["Blob", "FileBlob", "GzipBlob", "SpooledBlob", "as_blob", "spooled_copy"]

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # O_BINARY: Windows only

SPOOL_MEMORY = 32 << 20
"""Extracted archive members up to this size stay in memory; larger ones go to a temp file."""

STREAM_MAX_BYTES = 8 << 30
"""Bytes of standard input or of a named pipe held for a scan, at most (by default;
:class:`~senim.sources.ArchiveLimits` ``max_stream_bytes``): a stream can be read only once,
so it is spooled into a temporary file first, and an endless one (``cat /dev/zero``) would
fill the disk."""


class Blob(Protocol):
    @property
    def name(self) -> str:
        """Display name (``data/a.zip!b/c.csv``)."""
        ...

    @property
    def filename(self) -> str:
        """The innermost file name, which decides the format (``c.csv``)."""
        ...

    @property
    def size(self) -> int:
        """Size in bytes (uncompressed when known, else compressed), 0 when unknown."""
        ...

    @property
    def depth(self) -> int:
        """How many archives this blob is nested in."""
        ...

    def open(self) -> IO[bytes]:
        """A fresh binary stream positioned at the start (seekable unless noted)."""
        ...

    def fingerprint(self) -> str | None:
        """What identifies this content for incremental re-scans (``size:mtime``)."""
        ...


@dataclass(frozen=True, slots=True)
class FileBlob:
    """A file on disk. ``content``: the file's bytes when they were already read whole (a
    small file's first read, :func:`~senim.sources._files.open_blob`), so that readers do
    not open it again. ``path`` may be a string (a folder's files are listed as strings:
    a ``Path`` per file costs more than reading a short one)."""

    path: Path | str
    display: str | None = None
    content: bytes | None = None

    @property
    def name(self) -> str:
        return self.display or shown(self.path)

    @property
    def filename(self) -> str:
        return os.path.basename(self.path)

    @property
    def size(self) -> int:
        if self.content is not None:  # the whole file, as it was read
            return len(self.content)
        return os.stat(self.path).st_size

    @property
    def depth(self) -> int:
        return 0

    def open(self) -> IO[bytes]:
        if self.content is not None:
            return io.BytesIO(self.content)
        return open(self.path, "rb")

    def head(self, size: int) -> bytes:
        """The first ``size`` bytes (one unbuffered read: a folder of small files opens
        each of them here first, and most are read whole by it)."""
        if self.content is not None:
            return self.content[:size]
        fd = os.open(self.path, _READ_FLAGS)
        try:
            chunks = []
            while size > 0:
                chunk = os.read(fd, size)
                if not chunk:
                    break
                chunks.append(chunk)
                size -= len(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def fingerprint(self) -> str | None:
        st = os.stat(self.path)
        return f"file:{st.st_size}:{st.st_mtime_ns}"


class _Wrapper:
    """A blob named, sized and fingerprinted by the blob it wraps (``inner``)."""

    __slots__ = ()
    inner: Blob

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def size(self) -> int:
        return self.inner.size

    def fingerprint(self) -> str | None:
        return self.inner.fingerprint()


class _Member:
    """An archive member: shown as ``display``, ``level`` deep, fingerprinted by its archive."""

    __slots__ = ()
    display: str
    level: int
    parent_fingerprint: str | None

    @property
    def name(self) -> str:
        return self.display

    @property
    def depth(self) -> int:
        return self.level

    def fingerprint(self) -> str | None:
        return self.parent_fingerprint


@dataclass(frozen=True, slots=True)
class GzipBlob(_Wrapper):
    """The decompressed content of a ``.gz`` blob (a non-seekable stream)."""

    inner: Blob
    max_bytes: int

    @property
    def filename(self) -> str:
        return self.inner.filename[:-3] if self.inner.filename.endswith(".gz") else "data"

    @property
    def depth(self) -> int:
        return self.inner.depth + 1

    def open(self) -> IO[bytes]:
        raw = self.inner.open()
        stream = gzip.GzipFile(fileobj=raw, mode="rb")
        return LimitedReader(stream, self.max_bytes, self.name, also_close=raw)  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class SpooledBlob(_Member):
    """Bytes extracted (under limits) from an archive member into a seekable spool."""

    display: str
    member: str
    spool: IO[bytes]
    length: int
    level: int
    parent_fingerprint: str | None

    @property
    def filename(self) -> str:
        return self.member.rsplit("/", 1)[-1]

    @property
    def size(self) -> int:
        return self.length

    def open(self) -> IO[bytes]:
        self.spool.seek(0)
        return _NoClose(self.spool)  # type: ignore[return-value]

    @classmethod
    def extract(
        cls,
        archive: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        *,
        display: str,
        level: int,
        max_bytes: int,
        parent_fingerprint: str | None,
    ) -> SpooledBlob:
        with archive.open(info) as src:
            spool = spooled_copy(LimitedReader(src, max_bytes, display))
        return cls(display, info.filename, spool, spool.tell(), level, parent_fingerprint)


def spooled_copy(src: SupportsRead[bytes]) -> IO[bytes]:
    """The bytes of ``src`` in a spool: in memory up to :data:`SPOOL_MEMORY`, then in an
    anonymous temporary file (gone once closed). Closed again if the copy fails."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115
    try:
        shutil.copyfileobj(src, spool, 1 << 20)
    except BaseException:
        spool.close()
        raise
    return spool


class _NoClose:
    """A view of a shared spool that readers may 'close' without closing the spool."""

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner = inner

    def close(self) -> None:
        pass

    def __enter__(self) -> _NoClose:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def __iter__(self) -> Any:
        return iter(self._inner)


class StreamError(OSError):
    """A compressed stream is damaged or truncated (raised as ``OSError`` for readers)."""


class LimitedReader:
    """A read-only stream that fails once more than ``limit`` bytes come out (zip bombs,
    endless streams)."""

    def __init__(
        self,
        inner: Any,
        limit: int,
        name: str,
        also_close: Any = None,
        *,
        key: str = "source.archive_limit",
    ) -> None:
        self._inner = inner
        self._also_close = also_close
        self._limit = limit
        self._name = name
        self._key = key  # the message once the limit is passed
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        want = self._limit - self.count + 1 if n is None or n < 0 else n
        try:
            data: bytes = self._inner.read(want)
        except (EOFError, zlib.error, zipfile.BadZipFile) as exc:
            raise StreamError(str(exc) or type(exc).__name__) from exc
        self.count += len(data)
        if self.count > self._limit:
            raise InputError(self._key, source=self._name, limit=_mib(self._limit))
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self._inner.close()
        if self._also_close is not None:
            self._also_close.close()

    def __enter__(self) -> LimitedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_error(source: str, exc: OSError) -> InputError:
    """``source.parse_failed`` for a damaged compressed stream, else ``source.read_failed``."""
    text = str(exc).strip() if isinstance(exc, StreamError) else (exc.strerror or str(exc))
    key = "source.parse_failed" if isinstance(exc, StreamError) else "source.read_failed"
    return InputError(key, source=source, reason=(text or type(exc).__name__).splitlines()[0])


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.0f} MiB"


def as_blob(path: str | os.PathLike[str] | Blob) -> Blob:
    if isinstance(path, str | os.PathLike):
        return FileBlob(Path(path))
    return path


class _BlobSource:
    """What every reader of one blob shares: its name, size, problems and fingerprint."""

    def __init__(self, path: str | Path | Blob, *, name: str | None = None) -> None:
        self.blob = as_blob(path)
        self.name = name or self.blob.name
        self.size = self.blob.size
        self.problems: list[InputError] = []

    def fingerprint(self) -> str | None:
        return self.blob.fingerprint()

    def _sample(self) -> bytes:
        """The first bytes of the blob, enough to detect a text encoding."""
        if isinstance(self.blob, FileBlob) and self.blob.content is not None:
            return self.blob.content[:SAMPLE_BYTES]  # a short file, read whole already
        try:
            with self.blob.open() as fh:
                return fh.read(SAMPLE_BYTES)
        except OSError as exc:
            raise read_error(self.name, exc) from exc

    def _reopen(self, sample: bytes) -> IO[bytes]:
        """The blob from its start again: ``sample`` itself when it holds the whole blob
        (a small file is opened once, not twice)."""
        return io.BytesIO(sample) if len(sample) < SAMPLE_BYTES else self.blob.open()

    def _text_encoding(self, sample: bytes, declared: str | None = None) -> str:
        """``declared``, else the encoding detected in ``sample``; binary data is refused."""
        encoding = declared or detect_encoding(sample, complete=len(sample) < SAMPLE_BYTES)
        if encoding is None:
            raise InputError("source.not_text", source=self.name)
        return encoding

    def _require_content(self) -> None:
        """Fail on an empty blob (formats whose readers cannot parse zero bytes)."""
        if self.size == 0:
            raise InputError("source.empty", source=self.name)


class _TextSource(_BlobSource):
    """A reader of delimited or plain text: an encoding may be declared, rows may name a part."""

    def __init__(
        self,
        path: str | Path | Blob,
        *,
        name: str | None = None,
        encoding: str | None = None,
        part: str | None = None,
    ) -> None:
        super().__init__(path, name=name)
        self.encoding = encoding
        self.part = part

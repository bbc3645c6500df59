"""Plain text files: chunks of lines with their character offsets, encoding detected."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator

import pyarrow as pa

from senim.errors import InputError
from senim.sources._base import Progress, SourceKind, TextRows, text_batch
from senim.sources._blob import _TextSource, read_error
from senim.sources._decode import (
    SAMPLE_BYTES,
    DecodedText,
    DecodeStats,
    decode_error,
    plain_utf8,
)

__all__ = ["TextFileSource"]

LINES_PER_BATCH = 8192
CHARS_PER_BATCH = 8 << 20
MAX_LINE = 1 << 20


class TextFileSource(_TextSource):
    """A text file; offsets count every character of the decoded text (line ends included)."""

    kind: SourceKind = "text"
    format = "text"

    def whole_rows(self) -> TextRows | None:
        """The file's rows at once, when one read holds the whole file, it decodes cleanly
        and its lines fit one batch (a folder's short documents); ``None``: read it with
        :meth:`batches` instead. Raises as :meth:`batches` does (an empty file, binary
        data, a failed read)."""
        if self.part is not None:
            return None
        sample = self._sample()
        if len(sample) >= SAMPLE_BYTES:
            return None
        encoding = "utf-8"
        whole = plain_utf8(sample) if self.encoding is None else None
        if whole is None:
            encoding = self._text_encoding(sample, self.encoding)
            whole = _decoded_whole(sample, encoding)
            if whole is None:
                return None
        lines = _lines(whole)
        if len(lines) > LINES_PER_BATCH:
            return None
        kept: list[str] = []
        offsets: list[int] = []
        for offset, line in _non_blank(lines):
            kept.append(line)
            offsets.append(offset)
        if not kept:
            raise InputError("source.empty", source=self.name)
        # the bytes read are the rows' UTF-8 text when nothing was left out or re-encoded
        same = encoding == "utf-8" and len(kept) == len(lines)
        size = len(sample) if same else len("".join(kept).encode())
        return TextRows(kept, offsets, len(sample), size)

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        stats: DecodeStats | None = None
        try:
            sample = self._sample()
            encoding = self._text_encoding(sample, self.encoding)
            whole = _decoded_whole(sample, encoding)
            if whole is not None:  # the sample is the whole file, and it decodes cleanly
                if not whole.strip():
                    raise InputError("source.empty", source=self.name)
                yield from self._batches(_lines(whole), lambda: len(sample), progress)
                return
            if not sample.decode(encoding, errors="replace").strip():
                raise InputError("source.empty", source=self.name)
            with self._reopen(sample) as raw:
                text = DecodedText(raw, encoding)
                stats = text.stats
                yield from self._batches(
                    text.lines(max_line=MAX_LINE), lambda: text.bytes_read, progress
                )
        except OSError as exc:
            raise read_error(self.name, exc) from exc
        if stats is not None and stats.bad:
            self.problems.append(decode_error(self.name, stats, encoding))

    def _batches(
        self, lines: Iterable[str], bytes_read: Callable[[], int], progress: Progress | None
    ) -> Iterator[pa.RecordBatch]:
        """Batches of the non-blank ``lines`` with their character offsets; ``bytes_read``:
        how much of the file has been read so far (for ``progress``)."""
        kept: list[str] = []
        offsets: list[int] = []
        chars = 0
        done = 0
        for offset, line in _non_blank(lines):
            kept.append(line)
            offsets.append(offset)
            chars += len(line)
            if len(kept) >= LINES_PER_BATCH or chars >= CHARS_PER_BATCH:
                yield text_batch(kept, offsets, part=self.part)
                kept, offsets, chars = [], [], 0
                if progress is not None:
                    read = bytes_read()
                    progress(read - done)
                    done = read
        if kept:
            yield text_batch(kept, offsets, part=self.part)
        if progress is not None:
            progress(max(0, bytes_read() - done))


def _non_blank(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """The lines that are not blank, each with its character offset among all ``lines``."""
    offset = 0
    for line in lines:
        if line.strip():
            yield offset, line
        offset += len(line)


def _lines(text: str) -> list[str]:
    """``text``'s lines, each with its line end (``\n``, ``\r\n`` or ``\r``)."""
    return io.StringIO(text, newline="").readlines()


def _decoded_whole(sample: bytes, encoding: str) -> str | None:
    """``sample`` decoded, when it is a whole file (shorter than a full sample) without
    undecodable bytes: read at once, as :class:`DecodedText` would give its lines (other
    files, and files with bad bytes, go through it and its counted replacements)."""
    if len(sample) >= SAMPLE_BYTES:
        return None
    try:
        return sample.decode(encoding)
    except UnicodeDecodeError:
        return None

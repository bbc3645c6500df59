"""Plain text files: chunks of lines with their character offsets, encoding detected."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from senim.errors import InputError
from senim.sources._base import Progress, SourceKind, text_batch
from senim.sources._blob import _TextSource, read_error
from senim.sources._decode import DecodedText, decode_error

__all__ = ["TextFileSource"]

LINES_PER_BATCH = 8192
CHARS_PER_BATCH = 8 << 20
MAX_LINE = 1 << 20


class TextFileSource(_TextSource):
    """A text file; offsets count every character of the decoded text (line ends included)."""

    kind: SourceKind = "text"
    format = "text"

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        try:
            sample = self._sample()
            encoding = self._text_encoding(sample, self.encoding)
            if not sample.decode(encoding, errors="replace").strip():
                raise InputError("source.empty", source=self.name)
            with self._reopen(sample) as raw:
                text = DecodedText(raw, encoding)
                offset = 0
                lines: list[str] = []
                offsets: list[int] = []
                chars = 0
                done = 0
                for line in text.lines(max_line=MAX_LINE):
                    if line.strip():
                        lines.append(line)
                        offsets.append(offset)
                        chars += len(line)
                    offset += len(line)
                    if len(lines) >= LINES_PER_BATCH or chars >= CHARS_PER_BATCH:
                        yield text_batch(lines, offsets, part=self.part)
                        lines, offsets, chars = [], [], 0
                        if progress is not None:
                            progress(text.bytes_read - done)
                            done = text.bytes_read
                if lines:
                    yield text_batch(lines, offsets, part=self.part)
                if progress is not None:
                    progress(max(0, text.bytes_read - done))
        except OSError as exc:
            raise read_error(self.name, exc) from exc
        if text.stats.bad:
            self.problems.append(decode_error(self.name, text.stats, encoding))

"""Plain text files: chunks of lines with their character offsets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from senim.errors import InputError
from senim.sources._base import Progress, SourceKind

LINES_PER_BATCH = 8192
OFFSET_COL = "_senim_offset"


class TextFileSource:
    """A text file, decoded as UTF-8 (with or without BOM); offsets count every character."""

    kind: SourceKind = "text"
    format = "text"

    def __init__(self, path: Path, *, name: str | None = None, encoding: str = "utf-8-sig"):
        self.path = path
        self.name = name or str(path)
        self.encoding = encoding
        self.size = path.stat().st_size

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        offset = 0
        lines: list[str] = []
        offsets: list[int] = []
        done = 0
        try:
            with open(self.path, encoding=self.encoding, errors="strict", newline="") as fh:
                raw = fh.buffer.raw  # type: ignore[attr-defined]
                for line in fh:
                    if line.strip():
                        lines.append(line)
                        offsets.append(offset)
                    offset += len(line)
                    if len(lines) >= LINES_PER_BATCH:
                        yield _batch(lines, offsets)
                        lines, offsets = [], []
                        if progress is not None:
                            pos = raw.tell()
                            progress(pos - done)
                            done = pos
                if lines:
                    yield _batch(lines, offsets)
        except UnicodeDecodeError as exc:
            raise InputError(
                "source.decode_failed", source=self.name, encoding=self.encoding, reason=exc.reason
            ) from exc
        except OSError as exc:
            raise InputError(
                "source.read_failed", source=self.name, reason=exc.strerror or str(exc)
            ) from exc
        if progress is not None:
            progress(self.size - done)


def _batch(lines: list[str], offsets: list[int]) -> pa.RecordBatch:
    return pa.record_batch({"text": lines, OFFSET_COL: pa.array(offsets, pa.int64())})

"""The source contract: anything senim scans yields Arrow record batches.

A table source yields batches whose columns are the table's fields (plus the reserved
``_senim_record`` column when record numbers are not simply consecutive). A text source
yields batches with one ``text`` column of chunks and ``_senim_offset``, the character
offset of each chunk in the whole text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import pyarrow as pa

__all__ = ["Source", "SourceKind"]

SourceKind = Literal["text", "table"]
Progress = Callable[[int], None]
"""Called with the number of input bytes consumed since the last call."""


class Source(Protocol):
    """Something senim can scan."""

    @property
    def name(self) -> str:
        """How findings name the source (a path, ``db/table``, ``file.xlsx#Sheet1``...)."""
        ...

    @property
    def kind(self) -> SourceKind: ...

    @property
    def format(self) -> str:
        """Short format name: ``text``, ``csv``, ``jsonl``, ``json``, ``parquet`` ..."""
        ...

    @property
    def size(self) -> int:
        """Input size in bytes (for progress), 0 when unknown."""
        ...

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        """Yield the content as record batches; raise ``InputError`` when unreadable."""
        ...


@dataclass(frozen=True, slots=True)
class FileInfo:
    path: Path
    size: int

    @classmethod
    def of(cls, path: Path) -> FileInfo:
        return cls(path=path, size=path.stat().st_size)

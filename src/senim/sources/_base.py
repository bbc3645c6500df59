"""The source contract: anything senim scans yields Arrow record batches.

A table source yields batches whose columns are the table's fields plus ``_senim_record``
(the record index). A text source yields batches with one ``text`` column of chunks and
``_senim_offset``, the character offset of each chunk in the whole text. A source made of
parts (sheets of a workbook, pages of a PDF, members of a zip) also sets ``_senim_source``
per row (``book.xlsx#Clients``, ``letter.pdf#page=2``, ``a.zip!b.csv``). Database rows carry
``_senim_key``, their primary key (``id=42``).

Problems that do not stop a source (undecodable bytes, a damaged zip member, an unterminated
CSV quote) are appended to the source's ``problems`` list; a problem that stops it is raised
as :class:`~senim.errors.InputError` from :meth:`Source.batches`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import pyarrow as pa

from senim.errors import InputError

__all__ = [
    "BATCH_BYTES",
    "KEY_COL",
    "MAX_CACHED_FINDINGS",
    "OFFSET_COL",
    "RECORD_COL",
    "SOURCE_COL",
    "Progress",
    "Source",
    "SourceKind",
    "TextRows",
    "bounded",
    "table_batch",
    "text_batch",
]

SourceKind = Literal["text", "table"]
Progress = Callable[[int], None]
"""Called with the number of input bytes consumed since the last call."""

SOURCE_COL = "_senim_source"
RECORD_COL = "_senim_record"
OFFSET_COL = "_senim_offset"
KEY_COL = "_senim_key"
BATCH_BYTES = 1 << 19
"""Upper bound on the data in one table batch handed to the scanner (about 256k characters
of Cyrillic text): what a scanning process holds per batch, as Python strings and findings,
grows with it."""
MAX_CACHED_FINDINGS = 200_000
"""Sources with more findings than this are not kept in the incremental scan state (they
are re-scanned next time)."""


class Source(Protocol):
    """Something senim can scan."""

    @property
    def name(self) -> str:
        """How findings name the source (a path, ``db#schema.table``, ``file.xlsx``...)."""
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


def problems_of(source: object) -> list[InputError]:
    """Non-fatal problems a source met while it was read (empty for most sources)."""
    found = getattr(source, "problems", None)
    return list(found) if isinstance(found, list) else []


def fingerprint_of(source: object) -> str | None:
    """What identifies a source's content for incremental re-scans, if it says."""
    fn = getattr(source, "fingerprint", None)
    if callable(fn):
        value = fn()
        return value if isinstance(value, str) else None
    return None


def table_batch(
    names: Sequence[str],
    columns: Sequence[Sequence[Any]],
    records: Sequence[int],
    *,
    part: str | None = None,
    keys: Sequence[str | None] | None = None,
) -> pa.RecordBatch:
    """A table batch of text columns with record numbers (and the part's name per row)."""
    arrays: dict[str, pa.Array] = {
        name: pa.array(col, pa.string()) for name, col in zip(names, columns, strict=True)
    }
    arrays[RECORD_COL] = pa.array(records, pa.int64())
    if part is not None:
        arrays[SOURCE_COL] = pa.array([part] * len(records), pa.string())
    if keys is not None:
        arrays[KEY_COL] = pa.array(keys, pa.string())
    return pa.record_batch(arrays)


def text_batch(
    chunks: Sequence[str], offsets: Sequence[int], *, part: str | None = None
) -> pa.RecordBatch:
    """A text batch: chunks with their character offsets (and the part's name per row)."""
    arrays: dict[str, pa.Array] = {
        "text": pa.array(chunks, pa.string()),
        OFFSET_COL: pa.array(offsets, pa.int64()),
    }
    if part is not None:
        arrays[SOURCE_COL] = pa.array([part] * len(chunks), pa.string())
    return pa.record_batch(arrays)


@dataclass(slots=True)
class TextRows:
    """A short text file's non-blank lines and their character offsets, not yet a batch.

    A folder of short documents (letters, notes, e-mails) yields one of these per file; the
    rows of consecutive files become one Arrow batch together
    (:meth:`~senim.engine.UnitStream.rows`), which costs less than a batch per file joined
    afterwards. ``size``: the bytes read for them (for progress); ``text_bytes``: their
    text's length in UTF-8."""

    lines: list[str]
    offsets: list[int]
    size: int
    text_bytes: int

    @property
    def num_rows(self) -> int:
        return len(self.lines)

    @property
    def nbytes(self) -> int:
        """The bytes of their batch's Arrow buffers (``get_total_buffer_size``)."""
        return self.text_bytes + 12 * len(self.lines) + 4

    def batch(self) -> pa.RecordBatch:
        return text_batch(self.lines, self.offsets)


def unique_names(names: Sequence[str]) -> list[str]:
    """Column names made unique and non-empty (``name``, ``name_2``; ``column_3``)."""
    seen: dict[str, int] = {}
    out = []
    for i, raw in enumerate(names):
        base = raw.strip() or f"column_{i + 1}"
        name = base
        while name in seen:
            seen[base] += 1
            name = f"{base}_{seen[base]}"
        seen.setdefault(name, 1)
        seen.setdefault(base, 1)
        out.append(name)
    return out


def first_line(exc: BaseException) -> str:
    """The first line of an exception's text (or its type), for messages."""
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def bounded(batch: pa.RecordBatch, max_bytes: int = BATCH_BYTES) -> Iterator[pa.RecordBatch]:
    """``batch`` in row slices of at most about ``max_bytes`` of Arrow data (zero-copy)."""
    if batch.nbytes <= max_bytes or batch.num_rows < 2:
        yield batch
        return
    rows = max(1, batch.num_rows * max_bytes // batch.nbytes)
    for lo in range(0, batch.num_rows, rows):
        yield batch.slice(lo, rows)

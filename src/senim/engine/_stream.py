"""Engine units from many sources: small batches of consecutive files scanned as one.

A folder of short documents (letters, e-mails, notes) or of small exports yields one small
batch per file. Each scanned alone costs a few milliseconds of fixed work (a polars pass per
pattern, a findings batch, its output), more than scanning its few hundred characters.
:class:`UnitStream` joins the batches of consecutive files, text with text and tables with
tables of the same columns, into units of up to :data:`UNIT_ROWS` rows and
:data:`~senim.sources._base.BATCH_BYTES` bytes; each row keeps its source's name
(``_senim_source``) and a table row its record number, so the findings are the same as
scanning the files one by one. A short text file that was read whole gives its rows rather
than a batch (:meth:`UnitStream.rows`): the rows of consecutive files become one batch when
their unit is flushed, instead of a batch per file concatenated then.

The stream also keeps, in input order, what each unit holds (the sources of its rows, as
*parts*) and the markers its caller puts between sources, so the caller can hand every
result and marker back to its source in order, however far the engine reads ahead.
:func:`split_findings` and :func:`split_counts` split a unit's results by part.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Generic, TypeVar

import pyarrow as pa

from senim._arrow import compute
from senim.sources._base import (
    BATCH_BYTES,
    KEY_COL,
    OFFSET_COL,
    RECORD_COL,
    SOURCE_COL,
    TextRows,
)

__all__ = ["UNIT_ROWS", "Part", "UnitStream", "split_counts", "split_findings"]

UNIT_ROWS = 8192
"""At most this many rows in a unit joined from several sources (a text file's batch holds
up to 8,192 lines too)."""

_TEXT_SCHEMA = pa.schema(
    [("text", pa.string()), (OFFSET_COL, pa.int64()), (SOURCE_COL, pa.string())]
)
"""What a joinable batch holds (``_senim_source`` is added when the reader left it out)."""
_TEXT_NAMES = frozenset(_TEXT_SCHEMA.names)
_TEXT_READ = pa.schema(list(_TEXT_SCHEMA)[:2])
_SOURCE_FIELD = pa.field(SOURCE_COL, pa.string())

T = TypeVar("T")
Unit = tuple[pa.RecordBatch, str, int]


@dataclass(slots=True)
class Part(Generic[T]):
    """The rows of a unit that come from one source: its tag (told apart by identity) and
    the source names its findings carry (the source's name, or an archive's member names)."""

    tag: T
    names: set[str]


@dataclass(slots=True)
class UnitStream(Generic[T]):
    """Units for the engine, and in :attr:`events` what the caller needs to hand their
    results back: ``("unit", parts)`` for each unit, in the order the units are yielded,
    and ``("mark", marker)`` for the caller's markers, in their place between units."""

    max_rows: int = UNIT_ROWS
    max_bytes: int = BATCH_BYTES
    events: deque[tuple[str, Any]] = field(default_factory=deque)
    _held: list[tuple[pa.RecordBatch | TextRows, str, int]] = field(default_factory=list)
    """Batches (or a short text file's rows) held, as the reader gave them, with their
    source's name and record offset."""
    _schema: pa.Schema | None = None
    """The schema of the rows held, once joined (see :func:`_joined_schema`)."""
    _parts: list[Part[T]] = field(default_factory=list)
    _names: set[str] = field(default_factory=set)
    """Every source name of the rows held (the parts' names together)."""
    _marks: list[Any] = field(default_factory=list)
    _rows: int = 0
    _bytes: int = 0

    def batch(self, batch: pa.RecordBatch, tag: T, name: str, offset: int) -> Iterator[Unit]:
        """Units to scan now for ``batch`` of source ``tag`` (rows from ``offset`` on).

        A batch that may join others is only held here; the rows held are joined into one
        batch once, when they are flushed (:func:`_join`). Sizes are the batches' buffer
        sizes (a slice of a larger batch counts its whole buffers: it is flushed early)."""
        schema = _joined_schema(batch)
        if schema is None:
            yield from self.flush()
            yield self._unit(batch, [Part(tag, {name})], name, offset)
            return
        size = batch.get_total_buffer_size()
        yield from self._hold(batch, batch.num_rows, size, schema, tag, name, offset)

    def rows(self, rows: TextRows, tag: T, name: str, offset: int) -> Iterator[Unit]:
        """Units to scan now for a short text file's ``rows`` (as :meth:`batch` does for
        its batch, without making one: the rows held become one batch when flushed)."""
        yield from self._hold(rows, rows.num_rows, rows.nbytes, _TEXT_SCHEMA, tag, name, offset)

    def _hold(
        self,
        item: pa.RecordBatch | TextRows,
        rows: int,
        size: int,
        schema: pa.Schema,
        tag: T,
        name: str,
        offset: int,
    ) -> Iterator[Unit]:
        """Hold ``item`` (``rows`` rows, ``size`` bytes, ``schema`` once joined) to join
        the next ones, or scan it alone when it fills a unit by itself."""
        if rows >= self.max_rows or size >= self.max_bytes:
            yield from self.flush()
            yield self._unit(_as_batch(item), [Part(tag, {name})], name, offset)
            return
        names = _source_names(item, name)
        if (
            # rows by a name already held (the next batch of a large file, or two sources
            # by one name, whose findings could not be told apart) start a new unit
            not names.isdisjoint(self._names)
            or (
                self._schema is not None
                and self._schema is not schema
                and not self._schema.equals(schema)
            )
            or self._rows + rows > self.max_rows
            or self._bytes + size > self.max_bytes
        ):
            yield from self.flush()
        last = self._parts[-1] if self._parts else None
        self._held.append((item, name, offset))
        self._schema = schema
        self._rows += rows
        self._bytes += size
        self._names |= names
        if last is not None and last.tag is tag:  # an archive's next member
            last.names |= names
        else:
            self._parts.append(Part(tag, names))

    def mark(self, marker: Any, *, flush: bool = False) -> Iterator[Unit]:
        """Put ``marker`` after everything given so far. ``flush``: the rows held now are
        scanned first (the marker brings findings of its own that must follow theirs);
        otherwise rows of later sources may still join them, and the marker waits for the
        unit that holds them."""
        if flush:
            yield from self.flush()
        if self._held:
            self._marks.append(marker)
        else:
            self.events.append(("mark", marker))

    def flush(self) -> Iterator[Unit]:
        """The unit of the rows held, if any, then the markers that waited for it."""
        if self._held:
            held, parts, marks, schema = self._held, self._parts, self._marks, self._schema
            self._held, self._parts, self._marks, self._schema = [], [], [], None
            self._names = set()
            self._rows = self._bytes = 0
            if len(held) == 1:  # as the reader gave it
                item, name, offset = held[0]
                batch = _as_batch(item)
            else:
                assert schema is not None
                batch = _join(held, schema)
                name, offset = held[0][1], 0
            unit = self._unit(batch, parts, name, offset)
            self.events.extend(("mark", m) for m in marks)
            yield unit

    def _unit(self, batch: pa.RecordBatch, parts: list[Part[T]], name: str, offset: int) -> Unit:
        self.events.append(("unit", parts))
        return batch, name, offset


def _joined_schema(batch: pa.RecordBatch) -> pa.Schema | None:
    """The schema of ``batch`` once joined with others (its source's name on every row),
    if it can join others: a text batch (character offsets) or a table batch (record
    numbers) of a file; rows keyed by a database table's primary key are not joined."""
    schema = batch.schema
    names = schema.names
    text = "text" in names and OFFSET_COL in names
    table = RECORD_COL in names and OFFSET_COL not in names
    if KEY_COL in names or not (text or table):
        return None
    if text:
        if schema.equals(_TEXT_READ):  # what text readers give
            return _TEXT_SCHEMA
        if not set(names) <= _TEXT_NAMES:
            return None
        ok = all(schema.field(n).type == _TEXT_SCHEMA.field(n).type for n in names)
        return _TEXT_SCHEMA if ok else None
    return schema if SOURCE_COL in names else schema.append(_SOURCE_FIELD)


def _source_names(item: pa.RecordBatch | TextRows, name: str) -> set[str]:
    """The source names ``item``'s rows carry: a batch's own column's, or its source's name."""
    if isinstance(item, TextRows) or SOURCE_COL not in item.schema.names:
        return {name}
    return set(item.column(SOURCE_COL).to_pylist())


def _as_batch(item: pa.RecordBatch | TextRows) -> pa.RecordBatch:
    return item.batch() if isinstance(item, TextRows) else item


def _join(
    held: list[tuple[pa.RecordBatch | TextRows, str, int]], schema: pa.Schema
) -> pa.RecordBatch:
    """The batches ``held`` as one of ``schema``: columns concatenated, and the source's
    name put on every row of a batch that does not name its rows' sources itself."""
    if all(isinstance(b, TextRows) for b, _, _ in held):  # a folder of short documents
        lines: list[str] = []
        offsets: list[int] = []
        names: list[str] = []
        for rows, name, _ in held:
            assert isinstance(rows, TextRows)
            lines += rows.lines
            offsets += rows.offsets
            names += [name] * len(rows.lines)
        arrays = [pa.array(lines, pa.string()), pa.array(offsets, pa.int64())]
        return pa.RecordBatch.from_arrays([*arrays, pa.array(names, pa.string())], schema=schema)
    return _join_batches([(_as_batch(b), n, o) for b, n, o in held], schema)


def _join_batches(held: list[tuple[pa.RecordBatch, str, int]], schema: pa.Schema) -> pa.RecordBatch:
    """:func:`_join` for batches only."""
    by_name = schema is _TEXT_SCHEMA  # text readers may order their columns freely
    columns: list[pa.Array] = []
    for i, f in enumerate(schema):
        if f.name == SOURCE_COL:
            sources: list[str | None] = []
            for b, name, _ in held:
                if SOURCE_COL in b.schema.names:
                    sources += b.column(SOURCE_COL).to_pylist()
                else:
                    sources += [name] * b.num_rows
            columns.append(pa.array(sources, pa.string()))
        else:
            # a table's columns by position: the joined schemas are equal, and a batch
            # without the source's name has it last
            columns.append(
                pa.concat_arrays([b.column(f.name if by_name else i) for b, _, _ in held])
            )
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def split_findings(
    found: pa.RecordBatch, parts: list[Part[T]]
) -> tuple[pa.RecordBatch, list[pa.RecordBatch]]:
    """A unit's findings in the order of its parts, and one slice per part.

    A table's findings come column by column, so in a unit joined from several tables they
    are put in part order (stably: within a part, as scanned); the parts' names are
    disjoint, so each finding's source name tells its part."""
    if len(parts) == 1:
        return found, [found]
    part_of = _part_of(parts)
    sources = found.column(found.schema.get_field_index("source")).to_pylist()
    index = [part_of[s] for s in sources]
    if any(a > b for a, b in pairwise(index)):
        pc = compute()  # tables joined from several files only
        found = found.take(pc.sort_indices(pa.array(index, pa.int32())))  # a stable sort
        index.sort()
    out: list[pa.RecordBatch] = []
    start = 0
    for i in range(len(parts)):
        end = bisect_right(index, i, lo=start)
        out.append(found.slice(start, end - start))
        start = end
    return found, out


def split_counts(
    counts: list[tuple[str, str, int]], parts: list[Part[T]]
) -> list[list[tuple[str, str, int]]]:
    """A unit's non-empty row counts (per source and column), per part."""
    if len(parts) == 1:
        return [counts]
    part_of = _part_of(parts)
    out: list[list[tuple[str, str, int]]] = [[] for _ in parts]
    for count in counts:
        out[part_of[count[0]]].append(count)
    return out


def _part_of(parts: list[Part[T]]) -> dict[str, int]:
    """Which part each source name belongs to (by index)."""
    return {name: i for i, part in enumerate(parts) for name in part.names}

"""Engine units from many sources: small text batches of consecutive sources scanned as one.

A folder of short documents (letters, e-mails, notes) yields one small batch per file. Each
scanned alone costs a few milliseconds of fixed work (a polars pass per pattern, a findings
batch, its output), more than scanning its few hundred characters. :class:`UnitStream` joins
the text batches of consecutive sources into units of up to :data:`UNIT_ROWS` rows and
:data:`~senim.sources._base.BATCH_BYTES` bytes; each row keeps its source's name
(``_senim_source``), so the findings are the same as scanning the files one by one.

The stream also keeps, in input order, what each unit holds (the sources of its rows, as
*parts*) and the markers its caller puts between sources, so the caller can hand every
result and marker back to its source in order, however far the engine reads ahead.
:func:`split_findings` splits a unit's findings by part.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from senim.sources._base import BATCH_BYTES, OFFSET_COL, SOURCE_COL

__all__ = ["UNIT_ROWS", "Part", "UnitStream", "split_findings"]

UNIT_ROWS = 8192
"""At most this many rows in a unit joined from several sources (a text file's batch holds
up to 8,192 lines too)."""

_TEXT_SCHEMA = pa.schema(
    [("text", pa.string()), (OFFSET_COL, pa.int64()), (SOURCE_COL, pa.string())]
)
"""What a joinable batch holds (``_senim_source`` is added when the reader left it out)."""

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
    _held: list[pa.RecordBatch] = field(default_factory=list)
    _parts: list[Part[T]] = field(default_factory=list)
    _marks: list[Any] = field(default_factory=list)
    _rows: int = 0
    _bytes: int = 0

    def batch(self, batch: pa.RecordBatch, tag: T, name: str, offset: int) -> Iterator[Unit]:
        """Units to scan now for ``batch`` of source ``tag`` (rows from ``offset`` on)."""
        text = _joinable(batch, name)
        if text is None or text.num_rows >= self.max_rows or text.nbytes >= self.max_bytes:
            yield from self.flush()
            yield self._unit(batch, [Part(tag, {name})], name, offset)
            return
        names = set(pc.unique(text.column(2)).to_pylist())
        # two sources by one name: their findings could not be told apart
        clash = any(p.tag is not tag and not names.isdisjoint(p.names) for p in self._parts)
        if (
            clash
            or self._rows + text.num_rows > self.max_rows
            or self._bytes + text.nbytes > self.max_bytes
        ):
            yield from self.flush()
        last = self._parts[-1] if self._parts else None
        self._held.append(text)
        self._rows += text.num_rows
        self._bytes += text.nbytes
        if last is not None and last.tag is tag:
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
            held, parts, marks = self._held, self._parts, self._marks
            self._held, self._parts, self._marks = [], [], []
            self._rows = self._bytes = 0
            joined = held[0] if len(held) == 1 else pa.concat_batches(held)
            unit = self._unit(joined, parts, next(iter(parts[0].names)), 0)
            self.events.extend(("mark", m) for m in marks)
            yield unit

    def _unit(self, batch: pa.RecordBatch, parts: list[Part[T]], name: str, offset: int) -> Unit:
        self.events.append(("unit", parts))
        return batch, name, offset


def _joinable(batch: pa.RecordBatch, name: str) -> pa.RecordBatch | None:
    """A text batch in the joinable layout (source names on every row), or ``None``."""
    names = batch.schema.names
    if "text" not in names or OFFSET_COL not in names:
        return None
    if SOURCE_COL not in names:
        batch = batch.append_column(SOURCE_COL, pa.array([name] * batch.num_rows, pa.string()))
    if set(batch.schema.names) != set(_TEXT_SCHEMA.names):
        return None
    batch = batch.select(_TEXT_SCHEMA.names)
    return batch if batch.schema.equals(_TEXT_SCHEMA) else None


def split_findings(found: pa.RecordBatch, parts: list[Part[T]]) -> list[pa.RecordBatch]:
    """A unit's findings, one slice per part (findings come in row order and the parts'
    names are disjoint, so each part's findings are one run)."""
    if len(parts) == 1:
        return [found]
    per_name: dict[str, int] = {}
    if found.num_rows:
        counted = pc.value_counts(found.column(found.schema.get_field_index("source")))
        per_name = dict(
            zip(
                counted.field("values").to_pylist(),
                counted.field("counts").to_pylist(),
                strict=True,
            )
        )
    out: list[pa.RecordBatch] = []
    start = 0
    for part in parts:
        n = sum(per_name.get(name, 0) for name in part.names)
        out.append(found.slice(start, n))
        start += n
    if start != found.num_rows:  # pragma: no cover - a finding outside every part
        raise AssertionError("findings of a joined unit do not match its sources")
    return out

"""JSON and JSON Lines: nested objects flattened to dotted column names (``client.iin``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from senim.errors import InputError
from senim.sources._base import RECORD_COL, SOURCE_COL, Progress, SourceKind
from senim.sources._blob import Blob, _BlobSource, read_error
from senim.sources._decode import DecodedText, decode_error

__all__ = ["JsonFileSource", "JsonLinesSource", "flatten"]

ROWS_PER_BATCH = 8192
CHARS_PER_BATCH = 1 << 19
"""JSON Lines batches end at this many characters of input too (bounded memory per batch)."""
MAX_DOCUMENT = 512 << 20
"""A JSON document is parsed whole; larger ones must be JSON Lines (streamed)."""
MAX_DEPTH = 64


def flatten(
    obj: Any, prefix: str = "", out: dict[str, str | None] | None = None, depth: int = 0
) -> dict[str, str | None]:
    """``{"a": {"b": 1}, "c": [1, 2]}`` -> ``{"a.b": "1", "c": "[1, 2]"}`` (values as text).

    Lists stay one JSON-text value (a list of phones is one cell); objects nested deeper than
    :data:`MAX_DEPTH` are kept as JSON text.
    """
    out = {} if out is None else out
    if isinstance(obj, dict) and depth < MAX_DEPTH:
        if not obj and prefix:
            out[prefix] = None
        for key, value in obj.items():
            flatten(value, f"{prefix}.{key}" if prefix else str(key), out, depth + 1)
        return out
    name = prefix or "value"
    if obj is None:
        out[name] = None
    elif isinstance(obj, str):
        out[name] = obj
    elif isinstance(obj, bool):
        out[name] = "true" if obj else "false"
    elif isinstance(obj, int | float):
        out[name] = json.dumps(obj)
    else:
        out[name] = json.dumps(obj, ensure_ascii=False)
    return out


def rows_to_batch(
    rows: list[dict[str, str | None]], records: list[int], part: str | None = None
) -> pa.RecordBatch:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns: dict[str, Any] = {n: pa.array([r.get(n) for r in rows], pa.string()) for n in names}
    columns.pop(RECORD_COL, None)
    columns.pop(SOURCE_COL, None)
    columns[RECORD_COL] = pa.array(records, pa.int64())
    if part is not None:
        columns[SOURCE_COL] = pa.array([part] * len(records), pa.string())
    return pa.record_batch(columns)


class _JsonSource(_BlobSource):
    """A JSON reader: one blob, an optional part name for the rows."""

    kind: SourceKind = "table"

    def __init__(
        self, path: str | Path | Blob, *, name: str | None = None, part: str | None = None
    ) -> None:
        super().__init__(path, name=name)
        self.part = part

    def _encoding(self) -> str:
        sample = self._sample()
        if not sample.strip():
            raise InputError("source.empty", source=self.name)
        return self._text_encoding(sample)


class JsonLinesSource(_JsonSource):
    """One JSON value per line; ``record`` is the 0-based line number."""

    format = "jsonl"

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        encoding = self._encoding()
        rows: list[dict[str, str | None]] = []
        records: list[int] = []
        bad: list[int] = []
        done = 0
        chars = 0
        try:
            with self.blob.open() as raw:
                text = DecodedText(raw, encoding)
                for lineno, line in enumerate(text.lines()):
                    if not line.strip():
                        continue
                    try:
                        obj = json.loads(line)
                        if (
                            type(obj) is dict
                            and all(type(v) is str for v in obj.values())
                            and "" not in obj
                        ):
                            rows.append(obj)  # already flat text: flatten would return it
                        else:
                            rows.append(flatten(obj))
                        records.append(lineno)
                    except (json.JSONDecodeError, RecursionError):
                        bad.append(lineno + 1)
                        continue
                    chars += len(line)
                    if len(rows) >= ROWS_PER_BATCH or chars >= CHARS_PER_BATCH:
                        yield rows_to_batch(rows, records, self.part)
                        rows, records, chars = [], [], 0
                        if progress is not None:
                            progress(text.bytes_read - done)
                            done = text.bytes_read
                if progress is not None:
                    progress(max(0, text.bytes_read - done))
        except OSError as exc:
            raise read_error(self.name, exc) from exc
        if rows:
            yield rows_to_batch(rows, records, self.part)
        if text.stats.bad:
            self.problems.append(decode_error(self.name, text.stats, encoding))
        if bad:
            shown = ", ".join(str(n) for n in bad[:5]) + (" ..." if len(bad) > 5 else "")
            self.problems.append(
                InputError("source.bad_json_lines", source=self.name, count=len(bad), lines=shown)
            )


class JsonFileSource(_JsonSource):
    """A JSON document: an array of records, or one object (one record)."""

    format = "json"

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        encoding = self._encoding()
        try:
            with self.blob.open() as raw:
                text = DecodedText(raw, encoding)
                parts: list[str] = []
                total = 0
                for chunk in text.chunks():
                    total += len(chunk)
                    if total > MAX_DOCUMENT:
                        raise InputError(
                            "source.json_too_large",
                            source=self.name,
                            limit=f"{MAX_DOCUMENT >> 20} MiB",
                        )
                    parts.append(chunk)
            data = json.loads("".join(parts))
        except json.JSONDecodeError as exc:
            raise InputError(
                "source.bad_json",
                source=self.name,
                line=exc.lineno,
                column=exc.colno,
                reason=exc.msg,
            ) from exc
        except RecursionError as exc:
            raise InputError(
                "source.parse_failed", source=self.name, reason="nested too deeply"
            ) from exc
        except OSError as exc:
            raise read_error(self.name, exc) from exc
        if text.stats.bad:
            self.problems.append(decode_error(self.name, text.stats, encoding))
        if progress is not None:
            progress(self.size)
        items = data if isinstance(data, list) else [data]
        for start in range(0, len(items), ROWS_PER_BATCH):
            part = items[start : start + ROWS_PER_BATCH]
            yield rows_to_batch(
                [flatten(x) for x in part], list(range(start, start + len(part))), self.part
            )

"""JSON and JSON Lines: nested objects flattened to dotted column names (``client.iin``)."""

from __future__ import annotations

import json
import re
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
_JSON_SPACE = " \t\r\n"
"""What JSON allows around a value (other blank lines are skipped as before)."""
CHARS_PER_BATCH = 1 << 19
"""JSON Lines batches end at this many characters of input too (bounded memory per batch)."""
MAX_DOCUMENT = 512 << 20
"""A JSON document is parsed whole; larger ones must be JSON Lines (streamed)."""
MAX_DEPTH = 64


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""A JSON escape that may name half of a UTF-16 pair (json decodes a lone one as is)."""
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(value: Any, replaced: list[int]) -> Any:
    """``value`` with each lone surrogate (``"\\ud800"`` in JSON) replaced by U+FFFD, which
    keeps every offset; how many were replaced is added to ``replaced[0]``. Arrow, and so
    the scanner, only hold valid Unicode text."""
    if isinstance(value, str):
        fixed, count = _LONE_SURROGATE.subn("\ufffd", value)
        replaced[0] += count
        return fixed
    if isinstance(value, dict):
        return {
            without_lone_surrogates(k, replaced): without_lone_surrogates(v, replaced)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [without_lone_surrogates(v, replaced) for v in value]
    return value


def lone_surrogates_problem(source: str, count: int) -> InputError:
    return InputError("source.json_lone_surrogates", source=source, count=count)


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
    return _with_provenance(columns, records, part)


def _with_provenance(
    columns: dict[str, Any], records: list[int], part: str | None
) -> pa.RecordBatch:
    columns.pop(RECORD_COL, None)
    columns.pop(SOURCE_COL, None)
    columns[RECORD_COL] = pa.array(records, pa.int64())
    if part is not None:
        columns[SOURCE_COL] = pa.array([part] * len(records), pa.string())
    return pa.record_batch(columns)


def objects_to_batch(
    values: list[Any], records: list[int], part: str | None = None
) -> pa.RecordBatch:
    """A batch from parsed JSON values: :func:`flatten` each, then :func:`rows_to_batch`.

    Objects of text fields only (the common export) are already flat: Arrow converts them
    in one call, and anything else in the batch (a number, a nested object) sends the whole
    batch through :func:`flatten`.
    """
    names: dict[str, None] = {}
    for obj in values:
        if type(obj) is not dict:
            break
        names.update(obj)
    else:
        if "" not in names:  # flatten names an empty key "value"
            schema = pa.schema([(n, pa.string()) for n in names])
            try:
                table = pa.Table.from_pylist(values, schema=schema)
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                pass  # a value is not text: flattened below
            else:
                columns = {n: table.column(n).combine_chunks() for n in names}
                return _with_provenance(columns, records, part)
    return rows_to_batch([flatten(obj) for obj in values], records, part)


class _JsonSource(_BlobSource):
    """A JSON reader: one blob, an optional part name for the rows."""

    kind: SourceKind = "table"

    def __init__(
        self, path: str | Path | Blob, *, name: str | None = None, part: str | None = None
    ) -> None:
        super().__init__(path, name=name)
        self.part = part

    def _encoding(self) -> tuple[str, bytes]:
        """The encoding, and the first bytes it was detected in (see :meth:`_reopen`)."""
        sample = self._sample()
        if not sample.strip():
            raise InputError("source.empty", source=self.name)
        return self._text_encoding(sample), sample


class JsonLinesSource(_JsonSource):
    """One JSON value per line; ``record`` is the 0-based line number."""

    format = "jsonl"

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        encoding, sample = self._encoding()
        lines: list[str] = []
        numbers: list[int] = []
        bad: list[int] = []
        self._replaced = [0]
        done = 0
        chars = 0
        try:
            with self._reopen(sample) as raw:
                text = DecodedText(raw, encoding)
                for lineno, line in enumerate(text.lines()):
                    line = line.strip(_JSON_SPACE)
                    if not line or line.isspace():
                        continue
                    lines.append(line)
                    numbers.append(lineno)
                    chars += len(line)
                    if len(lines) >= ROWS_PER_BATCH or chars >= CHARS_PER_BATCH:
                        batch = self._parse(lines, numbers, bad)
                        if batch is not None:
                            yield batch
                        lines, numbers, chars = [], [], 0
                        if progress is not None:
                            progress(text.bytes_read - done)
                            done = text.bytes_read
                if progress is not None:
                    progress(max(0, text.bytes_read - done))
        except OSError as exc:
            raise read_error(self.name, exc) from exc
        batch = self._parse(lines, numbers, bad)
        if batch is not None:
            yield batch
        if text.stats.bad:
            self.problems.append(decode_error(self.name, text.stats, encoding))
        if bad:
            shown = ", ".join(str(n) for n in bad[:5]) + (" ..." if len(bad) > 5 else "")
            self.problems.append(
                InputError("source.bad_json_lines", source=self.name, count=len(bad), lines=shown)
            )
        if self._replaced[0]:
            self.problems.append(lone_surrogates_problem(self.name, self._replaced[0]))

    def _parse(self, lines: list[str], numbers: list[int], bad: list[int]) -> pa.RecordBatch | None:
        """One batch from JSON lines (``numbers``: their 0-based line numbers); the 1-based
        numbers of lines that are not JSON are added to ``bad``."""
        values = _one_object_each(lines)
        if values is None:  # some line is not one JSON object: line by line
            values, kept = [], []
            for line, number in zip(lines, numbers, strict=True):
                try:
                    values.append(json.loads(line))
                except (json.JSONDecodeError, RecursionError):
                    bad.append(number + 1)
                    continue
                kept.append(number)
            numbers = kept
        if not values:
            return None
        if _SURROGATE_ESCAPE.search("\n".join(lines)):
            values = without_lone_surrogates(values, self._replaced)
        return objects_to_batch(values, numbers, self.part)


def _one_object_each(lines: list[str]) -> list[Any] | None:
    """The lines parsed in one call, as one JSON array, when each line is one JSON object.

    Lines that each start with ``{`` and end with ``}`` and together form an array of as
    many objects can only be one object each (an object's key cannot start with ``{``, so
    no object spans lines). Anything else (``None``) is parsed line by line.
    """
    if not all(line[0] == "{" and line[-1] == "}" for line in lines):
        return None
    try:
        values = json.loads("[" + ",".join(lines) + "]")
    except (json.JSONDecodeError, RecursionError):
        return None
    if len(values) != len(lines) or not all(type(v) is dict for v in values):
        return None
    return values  # type: ignore[no-any-return]


class JsonFileSource(_JsonSource):
    """A JSON document: an array of records, or one object (one record)."""

    format = "json"

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        encoding, sample = self._encoding()
        try:
            with self._reopen(sample) as raw:
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
            document = "".join(parts)
            data = json.loads(document)
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
        if _SURROGATE_ESCAPE.search(document):
            replaced = [0]
            data = without_lone_surrogates(data, replaced)
            if replaced[0]:
                self.problems.append(lone_surrogates_problem(self.name, replaced[0]))
        if progress is not None:
            progress(self.size)
        items = data if isinstance(data, list) else [data]
        for start in range(0, len(items), ROWS_PER_BATCH):
            part = items[start : start + ROWS_PER_BATCH]
            yield rows_to_batch(
                [flatten(x) for x in part], list(range(start, start + len(part))), self.part
            )

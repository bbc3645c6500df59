"""JSON and JSON Lines: nested objects flattened to dotted column names (``client.iin``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from senim.errors import InputError
from senim.sources._base import Progress, SourceKind

RECORD_COL = "_senim_record"
ROWS_PER_BATCH = 8192


def flatten(
    obj: Any, prefix: str = "", out: dict[str, str | None] | None = None
) -> dict[str, str | None]:
    """``{"a": {"b": 1}, "c": [1, 2]}`` -> ``{"a.b": "1", "c": "[1, 2]"}`` (values as text)."""
    out = {} if out is None else out
    if isinstance(obj, dict):
        if not obj and prefix:
            out[prefix] = None
        for key, value in obj.items():
            flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif prefix or not isinstance(obj, dict):
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


def rows_to_batch(rows: list[dict[str, str | None]], records: list[int]) -> pa.RecordBatch:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns: dict[str, Any] = {n: pa.array([r.get(n) for r in rows], pa.string()) for n in names}
    columns[RECORD_COL] = pa.array(records, pa.int64())
    return pa.record_batch(columns)


class JsonLinesSource:
    """One JSON value per line; ``record`` is the 0-based line number."""

    kind: SourceKind = "table"
    format = "jsonl"

    def __init__(self, path: Path, *, name: str | None = None):
        self.path = path
        self.name = name or str(path)
        self.size = path.stat().st_size
        self.problems: list[str] = []

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        rows: list[dict[str, str | None]] = []
        records: list[int] = []
        bad: list[int] = []
        try:
            with open(self.path, encoding="utf-8-sig") as fh:
                for lineno, line in enumerate(fh):
                    if progress is not None:
                        progress(len(line.encode("utf-8")))
                    if not line.strip():
                        continue
                    try:
                        rows.append(flatten(json.loads(line)))
                        records.append(lineno)
                    except json.JSONDecodeError:
                        bad.append(lineno + 1)
                        continue
                    if len(rows) >= ROWS_PER_BATCH:
                        yield rows_to_batch(rows, records)
                        rows, records = [], []
        except UnicodeDecodeError as exc:
            raise InputError(
                "source.decode_failed", source=self.name, encoding="utf-8", reason=exc.reason
            ) from exc
        except OSError as exc:
            raise InputError(
                "source.read_failed", source=self.name, reason=exc.strerror or str(exc)
            ) from exc
        if rows:
            yield rows_to_batch(rows, records)
        if bad:
            shown = ", ".join(str(n) for n in bad[:5]) + (" ..." if len(bad) > 5 else "")
            raise InputError("source.bad_json_lines", source=self.name, count=len(bad), lines=shown)


class JsonFileSource:
    """A JSON document: an array of records, or one object (one record)."""

    kind: SourceKind = "table"
    format = "json"

    def __init__(self, path: Path, *, name: str | None = None):
        self.path = path
        self.name = name or str(path)
        self.size = path.stat().st_size

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        try:
            with open(self.path, encoding="utf-8-sig") as fh:
                data = json.load(fh)
        except UnicodeDecodeError as exc:
            raise InputError(
                "source.decode_failed", source=self.name, encoding="utf-8", reason=exc.reason
            ) from exc
        except json.JSONDecodeError as exc:
            raise InputError(
                "source.bad_json",
                source=self.name,
                line=exc.lineno,
                column=exc.colno,
                reason=exc.msg,
            ) from exc
        except OSError as exc:
            raise InputError(
                "source.read_failed", source=self.name, reason=exc.strerror or str(exc)
            ) from exc
        if progress is not None:
            progress(self.size)
        items = data if isinstance(data, list) else [data]
        for start in range(0, len(items), ROWS_PER_BATCH):
            chunk = items[start : start + ROWS_PER_BATCH]
            yield rows_to_batch([flatten(x) for x in chunk], list(range(start, start + len(chunk))))

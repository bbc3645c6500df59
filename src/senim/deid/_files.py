"""De-identify files, streaming, in the formats ``scan`` reads: text, CSV/TSV, JSON, JSONL, Parquet.

The output has the input's format, its records in the same number and order, and the same
columns (Parquet structs come out flattened to dotted names, as ``scan`` sees them; scanned
integer/date columns come out as text so that a replaced value fits). Text keeps its lines,
blank lines and line endings. Nothing is held in memory beyond one batch.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from senim._i18n import shown
from senim.deid._engine import Deidentifier, DeidSummary, _scannable
from senim.deid._policy import Policy
from senim.deid.operators import Keep
from senim.discovery import Scanner
from senim.discovery._scanner import RESERVED
from senim.errors import InputError, UsageError
from senim.sources import CsvFileSource, open_file

__all__ = ["DeidResult", "Format", "deidentify_file", "file_format", "plan_file"]

Format = Literal["text", "csv", "jsonl", "json", "parquet"]
LINES_PER_BATCH = 4096
RECORDS_PER_BATCH = 4096
_FORMATS: dict[str, Format] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(slots=True)
class DeidResult:
    """What one run did (counts only)."""

    input: str
    output: str
    format: Format
    records: int = 0
    summary: DeidSummary = field(default_factory=DeidSummary)

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "output": self.output,
            "format": self.format,
            **self.summary.to_dict(),
        }


def file_format(path: Path) -> Format:
    """The format of ``path`` by extension (anything else that is not binary is text)."""
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is not None:
        return fmt
    source = open_file(path)  # raises for binary files
    return "text" if source.kind == "text" else "csv"


def _check_paths(src: Path, dst: Path) -> Format:
    if not src.exists():
        raise InputError("error.path_not_found", path=str(src))
    if src.is_dir():
        raise UsageError("deid.input_is_folder", path=str(src))
    fmt = file_format(src)
    out_fmt = _FORMATS.get(dst.suffix.lower(), "text")
    if out_fmt != fmt:
        raise UsageError("deid.format_mismatch", input=str(src), output=str(dst), format=fmt)
    if dst.exists() and os.path.samefile(src, dst):
        raise UsageError("deid.same_file", path=str(src))
    return fmt


def deidentify_file(
    src: str | Path,
    dst: str | Path,
    *,
    deidentifier: Deidentifier | None = None,
    progress: Callable[[int], None] | None = None,
) -> DeidResult:
    """De-identify ``src`` into ``dst`` (same format); see module doc for what is preserved."""
    src, dst = Path(src), Path(dst)
    fmt = _check_paths(src, dst)
    deid = deidentifier or Deidentifier()
    result = DeidResult(input=shown(src), output=shown(dst), format=fmt, summary=deid.summary)
    writer = {
        "text": _text,
        "csv": _csv,
        "jsonl": _jsonl,
        "json": _json,
        "parquet": _parquet,
    }[fmt]
    tmp = dst.with_name(dst.name + ".senim-partial")
    try:
        result.records = writer(src, tmp, deid, progress)
        os.replace(tmp, dst)
    except OSError as exc:
        raise InputError(
            "error.output_write", path=str(dst), reason=exc.strerror or str(exc)
        ) from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return result


# ---- text ----------------------------------------------------------------------------------
def _read_lines(src: Path) -> Iterator[tuple[list[str], list[int]]]:
    offset = 0
    lines: list[str] = []
    offsets: list[int] = []
    try:
        with open(src, encoding="utf-8-sig", newline="") as fh:
            for line in fh:
                lines.append(line)
                offsets.append(offset)
                offset += len(line)
                if len(lines) >= LINES_PER_BATCH:
                    yield lines, offsets
                    lines, offsets = [], []
    except UnicodeDecodeError as exc:
        raise InputError(
            "source.decode_failed", source=str(src), encoding="utf-8", reason=exc.reason
        ) from exc
    if lines:
        yield lines, offsets


def _text(src: Path, dst: Path, deid: Deidentifier, progress: Callable[[int], None] | None) -> int:
    count = 0
    with open(dst, "w", encoding="utf-8", newline="") as out:
        for lines, offsets in _read_lines(src):
            out.writelines(deid.text_batch(lines, offsets))
            count += len(lines)
            if progress is not None:
                progress(sum(len(x.encode("utf-8")) for x in lines))
    return count


# ---- CSV ---------------------------------------------------------------------------------
def _delimiter(src: Path) -> str:
    with open(src, encoding="utf-8-sig", newline="") as fh:
        sample = fh.read(64 * 1024)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return "\t" if src.suffix.lower() == ".tsv" else ","


def _csv(src: Path, dst: Path, deid: Deidentifier, progress: Callable[[int], None] | None) -> int:
    source = CsvFileSource(src)
    delimiter = _delimiter(src)
    count = 0
    writer: pacsv.CSVWriter | None = None
    try:
        for batch in source.batches(progress):
            out = deid.table_batch(batch)
            names = [n for n in out.schema.names if n not in RESERVED]
            out = out.select(names).cast(pa.schema([pa.field(n, pa.string()) for n in names]))
            if writer is None:
                writer = pacsv.CSVWriter(
                    str(dst),
                    out.schema,
                    write_options=pacsv.WriteOptions(delimiter=delimiter, quoting_style="needed"),
                )
            writer.write_batch(out)
            count += out.num_rows
        if writer is None:  # header only: keep the header
            with (
                open(src, encoding="utf-8-sig", newline="") as fh,
                open(dst, "w", encoding="utf-8") as o,
            ):
                o.write(fh.readline())
    finally:
        if writer is not None:
            writer.close()
    return count


# ---- JSON / JSONL ------------------------------------------------------------------------
_Leaf = tuple[Any, Any, str]  # (container, key, column name)


def _leaves(obj: Any, prefix: str, out: list[_Leaf], parent: Any = None, key: Any = None) -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            _leaves(v, f"{prefix}.{k}" if prefix else str(k), out, obj, k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _leaves(v, prefix or "value", out, obj, i)
    elif isinstance(obj, str) or (isinstance(obj, int) and not isinstance(obj, bool)):
        if parent is None:
            out.append(([obj], 0, prefix or "value"))
        else:
            out.append((parent, key, prefix or "value"))


def _deid_records(records: list[Any], deid: Deidentifier) -> list[Any]:
    """De-identify the string and integer leaves of parsed JSON values, column by column."""
    boxes = [[r] for r in records]
    leaves: list[_Leaf] = []
    for box in boxes:
        _leaves(box[0], "", leaves, box, 0) if not isinstance(box[0], dict | list) else _leaves(
            box[0], "", leaves
        )
    by_column: dict[str, list[_Leaf]] = {}
    for leaf in leaves:
        by_column.setdefault(leaf[2], []).append(leaf)
    for column, items in by_column.items():
        values = [c[k] if isinstance(c[k], str) else str(c[k]) for c, k, _ in items]
        batch = pa.record_batch({column: pa.array(values, pa.string())})
        new = deid.table_batch(batch).column(0).to_pylist()
        for (container, key, _), old, value in zip(items, values, new, strict=True):
            if value != old:
                container[key] = value
    deid.summary.records -= sum(len(v) for v in by_column.values())
    deid.summary.records += len(records)
    return [box[0] for box in boxes]


def _load_json_records(src: Path, fmt: str) -> tuple[list[Any], str]:
    """All records of a JSON/JSONL file (blank lines skipped; a bad line is an error)."""
    try:
        text = src.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "source.decode_failed", source=str(src), encoding="utf-8", reason=exc.reason
        ) from exc
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                "source.bad_json",
                source=str(src),
                line=exc.lineno,
                column=exc.colno,
                reason=exc.msg,
            ) from exc
        return (data, "list") if isinstance(data, list) else ([data], "one")
    records, bad = [], []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            bad.append(lineno)
    if bad:
        listed = ", ".join(str(n) for n in bad[:5]) + (" ..." if len(bad) > 5 else "")
        raise InputError("source.bad_json_lines", source=str(src), count=len(bad), lines=listed)
    return records, "lines"


def _jsonl(src: Path, dst: Path, deid: Deidentifier, progress: Callable[[int], None] | None) -> int:
    count = 0
    bad: list[int] = []

    def flush(buffer: list[tuple[str, Any]], out: Any) -> None:
        parsed = [obj for kind, obj in buffer if kind == "json"]
        cleaned = iter(_deid_records(parsed, deid))
        for kind, obj in buffer:
            if kind == "json":
                out.write(json.dumps(next(cleaned), ensure_ascii=False) + "\n")
            else:
                out.write(obj)

    try:
        with open(src, encoding="utf-8-sig") as fh, open(dst, "w", encoding="utf-8") as out:
            buffer: list[tuple[str, Any]] = []
            for lineno, line in enumerate(fh, start=1):
                if progress is not None:
                    progress(len(line.encode("utf-8")))
                if not line.strip():
                    buffer.append(("raw", line))
                    continue
                try:
                    buffer.append(("json", json.loads(line)))
                except json.JSONDecodeError:
                    bad.append(lineno)
                    continue
                count += 1
                if len(buffer) >= RECORDS_PER_BATCH:
                    flush(buffer, out)
                    buffer = []
            flush(buffer, out)
    except UnicodeDecodeError as exc:
        raise InputError(
            "source.decode_failed", source=str(src), encoding="utf-8", reason=exc.reason
        ) from exc
    if bad:  # never copy an unparseable line through: it could hold anything
        listed = ", ".join(str(n) for n in bad[:5]) + (" ..." if len(bad) > 5 else "")
        raise InputError("source.bad_json_lines", source=str(src), count=len(bad), lines=listed)
    return count


def _json(src: Path, dst: Path, deid: Deidentifier, progress: Callable[[int], None] | None) -> int:
    try:
        data = json.loads(src.read_text("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(
            "source.decode_failed", source=str(src), encoding="utf-8", reason=exc.reason
        ) from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            "source.bad_json", source=str(src), line=exc.lineno, column=exc.colno, reason=exc.msg
        ) from exc
    items = data if isinstance(data, list) else [data]
    cleaned: list[Any] = []
    for start in range(0, len(items), RECORDS_PER_BATCH):
        cleaned.extend(_deid_records(items[start : start + RECORDS_PER_BATCH], deid))
    dst.write_text(
        json.dumps(cleaned if isinstance(data, list) else cleaned[0], ensure_ascii=False, indent=2)
        + "\n",
        "utf-8",
    )
    if progress is not None:
        progress(src.stat().st_size)
    return len(items)


# ---- Parquet -----------------------------------------------------------------------------
def _flat(batch: pa.RecordBatch) -> pa.RecordBatch:
    table = pa.Table.from_batches([batch])
    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    return table.combine_chunks().to_batches()[0] if table.num_rows else batch


def _out_field(f: pa.Field, deid: Deidentifier) -> pa.Field:
    """The output field: whole-cell operators and scanned non-text columns give text."""
    if f.name in RESERVED:
        return f
    rule = deid.column_rule(f.name)
    if isinstance(rule, Keep):
        return f
    if rule is None and (pa.types.is_string(f.type) or not _scannable(f.type)):
        return f
    return pa.field(f.name, pa.string())


def _parquet(
    src: Path, dst: Path, deid: Deidentifier, progress: Callable[[int], None] | None
) -> int:
    try:
        pf = pq.ParquetFile(src)
    except (pa.ArrowException, OSError) as exc:
        raise InputError("source.parse_failed", source=str(src), reason=str(exc)) from exc
    count = 0
    writer: pq.ParquetWriter | None = None
    schema: pa.Schema | None = None
    size = max(src.stat().st_size, 1)
    total = max(pf.metadata.num_rows, 1)
    try:
        for raw in pf.iter_batches(batch_size=65_536):
            batch = _flat(raw)
            if schema is None:
                schema = pa.schema([_out_field(f, deid) for f in batch.schema])
                writer = pq.ParquetWriter(str(dst), schema)
            out = deid.table_batch(batch).cast(schema)
            assert writer is not None
            writer.write_batch(out)
            count += out.num_rows
            if progress is not None:
                progress(size * raw.num_rows // total)
        if writer is None:
            pq.write_table(pf.schema_arrow.empty_table(), str(dst))
    except pa.ArrowException as exc:
        raise InputError("source.parse_failed", source=str(src), reason=str(exc)) from exc
    finally:
        if writer is not None:
            writer.close()
    return count


# ---- plan ----------------------------------------------------------------------------------
WHOLE_CELL_SHARE = 0.8
"""A column whose non-empty cells are at least this share whole-cell findings of one entity
is planned as a whole-cell rule for that entity."""


def plan_file(
    src: str | Path, *, policy: Policy | None = None, scanner: Scanner | None = None
) -> Policy:
    """Scan ``src`` and return the policy ``deidentify_file`` would apply, with counts found.

    Columns whose cells are (almost) all one entity get a whole-cell rule with that entity's
    operator; other columns are scanned. Counts go to ``discovered`` (never values).
    """
    src = Path(src)
    if not src.exists():
        raise InputError("error.path_not_found", path=str(src))
    base = policy or Policy()
    scanner = scanner if scanner is not None else Scanner(min_score=base.min_score)
    base.check({d.entity for d in scanner.detectors})
    source = open_file(src)
    counts: dict[str, dict[str, int]] = {}
    whole: dict[str, dict[str, int]] = {}
    filled: dict[str, int] = {}
    for raw in source.batches():
        batch = _flat(raw)
        keep = [n for n in batch.schema.names if n not in RESERVED]
        plain = batch.select(keep)
        for f in scanner.scan_batch_findings(plain):
            col = f.column or "(text)"
            counts.setdefault(col, {}).setdefault(f.entity, 0)
            counts[col][f.entity] += 1
            if source.kind == "table" and f.column is not None and f.record is not None:
                value = plain.column(keep.index(f.column))[f.record].as_py()
                if f.start == 0 and f.end == len(str(value).strip()):
                    whole.setdefault(f.column, {}).setdefault(f.entity, 0)
                    whole[f.column][f.entity] += 1
        if source.kind == "table":
            for name in keep:
                column = plain.column(keep.index(name))
                if _scannable(column.type):
                    empty = column.null_count + (
                        pc.sum(pc.equal(column.cast(pa.string()), "")).as_py() or 0
                    )
                    filled[name] = filled.get(name, 0) + len(column) - empty
    columns: dict[str, Any] = dict(base.columns)
    for name, by_entity in whole.items():
        if name in columns or not filled.get(name):
            continue
        entity, n = max(by_entity.items(), key=lambda kv: kv[1])
        if n >= WHOLE_CELL_SHARE * filled[name]:
            rule = base.rule_for(entity)
            columns[name] = rule.model_copy(update={"entity": entity})
    for name in filled:
        columns.setdefault(name, "scan")
    return base.model_copy(update={"columns": columns, "discovered": counts})

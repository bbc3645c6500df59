"""k-anonymise a table file: read it whole, de-identify the other columns, generalise the
quasi-identifiers, write it back in its format, and report risk and utility (JSON + HTML)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from senim.deid._engine import Deidentifier
from senim.deid._files import _check_paths, _delimiter, _flat
from senim.deid._kanon import AnonymityConfig, AnonymityResult, anonymise_table
from senim.discovery._scanner import RESERVED
from senim.errors import UsageError
from senim.sources import open_file

__all__ = ["anonymise_file", "render_report"]


def anonymise_file(
    src: str | Path, dst: str | Path, *, config: AnonymityConfig, deidentifier: Deidentifier
) -> AnonymityResult:
    """De-identify the non-QI columns with ``deidentifier`` and k-anonymise the QIs."""
    src, dst = Path(src), Path(dst)
    fmt = _check_paths(src, dst)
    if fmt == "text":
        raise UsageError("deid.kanon_table_only", format=fmt)
    keep = set(config.quasi_identifiers) | set(config.l_diversity) | set(config.t_closeness)
    policy = deidentifier.policy
    from senim.deid.operators import Keep

    deidentifier.policy = policy.model_copy(
        update={"columns": {**policy.columns, **{c: Keep() for c in keep}}}
    )
    try:
        if fmt in ("json", "jsonl"):
            return _anonymise_json(src, dst, fmt, config, deidentifier, sorted(keep))
        batches = [_flat(b) for b in open_file(src).batches()]
        cleaned = [deidentifier.table_batch(b) for b in batches]
    finally:
        deidentifier.policy = policy
    table = pa.Table.from_batches(cleaned) if cleaned else pa.table({})
    table = table.select([n for n in table.column_names if n not in RESERVED])
    result = anonymise_table(table, config)
    out = result.table
    if fmt == "csv":
        out = out.cast(pa.schema([pa.field(n, pa.string()) for n in out.column_names]))
        pacsv.write_csv(out, dst, write_options=pacsv.WriteOptions(delimiter=_delimiter(src)))
    else:
        pq.write_table(out, dst)
    return result


def _get(record: Any, path: str) -> Any:
    node = record
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return None if isinstance(node, dict | list) else node


def _set(record: Any, path: str, value: str) -> None:
    *parents, last = path.split(".")
    node = record
    for part in parents:
        node = node.setdefault(part, {}) if isinstance(node, dict) else {}
    if isinstance(node, dict):
        node[last] = value


def _column(values: list[Any]) -> pa.Array:
    """An Arrow column of JSON leaves; mixed types are read as text."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def _anonymise_json(
    src: Path,
    dst: Path,
    fmt: str,
    config: AnonymityConfig,
    deidentifier: Deidentifier,
    columns: list[str],
) -> AnonymityResult:
    """JSON/JSONL: de-identify leaves in place (types kept), then generalise the QI leaves."""
    from senim.deid._files import _deid_records, _load_json_records

    records, layout = _load_json_records(src, fmt)
    cleaned = _deid_records(records, deidentifier)
    table = pa.table({c: _column([_get(r, c) for r in cleaned]) for c in columns})
    result = anonymise_table(table, config)
    for q in config.quasi_identifiers:
        for record, label in zip(cleaned, result.table.column(q).to_pylist(), strict=True):
            _set(record, q, label)
    with open(dst, "w", encoding="utf-8") as fh:
        if fmt == "json":
            json.dump(cleaned if layout == "list" else cleaned[0], fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        else:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in cleaned)
    return result


def render_report(result: AnonymityResult, *, lang: str | None = None, html: bool) -> str:
    """The anonymity report as JSON or self-contained HTML (figures only, never values)."""
    data: dict[str, Any] = result.to_dict()
    if not html:
        return json.dumps(data, ensure_ascii=False, indent=2)
    from senim.report import render_html

    return render_html("anonymity.html.j2", {"r": data}, lang=lang, package="senim.deid")

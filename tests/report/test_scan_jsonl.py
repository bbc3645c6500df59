"""JSON Lines encoding of findings: the ARCHITECTURE.md contract, field by field."""

from __future__ import annotations

import json

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from senim.discovery._model import FINDINGS_SCHEMA
from senim.report.scan import jsonl_bytes, jsonl_lines

_text = st.text(max_size=12)
_row = st.fixed_dictionaries(
    {
        "source": _text,
        "record": st.none() | st.integers(0, 2**40),
        "column": st.none() | _text,
        "start": st.integers(0, 10**6),
        "end": st.integers(0, 10**6),
        "entity": st.sampled_from(["KZ_IIN", "PERSON", "EMAIL"]),
        "score": st.floats(0, 1, allow_nan=False),
        "detector": _text,
        "preview": _text,
        "digest": st.text("0123456789abcdef", min_size=16, max_size=16),
        "explanation": st.none() | st.just('{"detector":"kz_iin","adjustments":[]}'),
        "key": st.none() | _text,
    }
)


def _reference(row: dict[str, object]) -> dict[str, object]:
    """What a finding's line must hold: every field, ``key`` only when set."""
    out = {k: row[k] for k in FINDINGS_SCHEMA.names if k not in ("explanation", "key")}
    if row["key"] is not None:
        out["key"] = row["key"]
    if row["explanation"] is not None:
        out["explanation"] = json.loads(str(row["explanation"]))
    return out


@given(st.lists(_row, max_size=8))
def test_lines_hold_exactly_the_fields(rows: list[dict[str, object]]) -> None:
    batch = pa.RecordBatch.from_pylist(rows, schema=FINDINGS_SCHEMA)
    lines = list(jsonl_lines(batch))
    assert len(lines) == len(rows)
    for line, row in zip(lines, rows, strict=True):
        assert "\n" not in line
        parsed = json.loads(line)
        assert parsed == _reference(row)
        assert list(parsed) == list(_reference(row))  # field order is part of the contract


def test_cyrillic_key_and_order() -> None:
    row = {
        "source": "db/clients",
        "record": 3,
        "column": "fio",
        "start": 0,
        "end": 6,
        "entity": "PERSON",
        "score": 0.85,
        "detector": "person",
        "preview": "И•••••",
        "digest": "0123456789abcdef",
        "explanation": None,
        "key": "id=Ә••••",
    }
    (line,) = jsonl_lines(pa.RecordBatch.from_pylist([row], schema=FINDINGS_SCHEMA))
    assert json.loads(line)["key"] == "id=Ә••••"
    assert line.endswith('"key":"id=Ә••••"}')


@given(st.lists(_row, max_size=8))
def test_written_lines_are_the_lines(rows: list[dict[str, object]]) -> None:
    batch = pa.RecordBatch.from_pylist(rows, schema=FINDINGS_SCHEMA)
    written = b"".join(bytes(part) for part in jsonl_bytes(batch)).decode("utf-8")
    assert written == "".join(f"{x}\n" for x in jsonl_lines(batch))

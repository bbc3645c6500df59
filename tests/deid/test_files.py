from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from senim.deid import Deidentifier, DeidKeys, deidentify_file, parse_policy, plan_file
from senim.discovery import Scanner
from senim.errors import InputError, UsageError

SECRETS = ["900101300007", "Иванова Анна Сергеевна", "+7 701 123 45 67", "ivanov@mail.kz"]
SENTENCE = "Клиент Иванова Анна Сергеевна, ИИН 900101300007, тел. +7 701 123 45 67, ivanov@mail.kz"


def _no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_text_keeps_lines_blank_lines_and_endings(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text(SENTENCE + "\n\n   \r\nбез данных\r\n" + SENTENCE, "utf-8", newline="")
    result = deidentify_file(src, tmp_path / "out.txt")
    out = (tmp_path / "out.txt").read_bytes().decode("utf-8")
    lines_in = src.read_bytes().split(b"\n")
    lines_out = (tmp_path / "out.txt").read_bytes().split(b"\n")
    assert len(lines_in) == len(lines_out)
    assert result.records == 5
    assert "\r\nбез данных\r\n" in out
    _no_secret(out)
    assert out.count("<KZ_IIN>") == 2


def test_csv_rows_order_and_columns(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    rows = ["iin;name;note;age"] + [
        f"{'900101300007' if i % 2 else '061211600012'};Иванов Петр;звонил {i};{20 + i}"
        for i in range(50)
    ]
    src.write_text("\n".join(rows) + "\n", "utf-8")
    deidentify_file(src, tmp_path / "out.csv")
    table = pa.csv.read_csv(tmp_path / "out.csv", parse_options=pa.csv.ParseOptions(delimiter=";"))
    assert table.column_names == ["iin", "name", "note", "age"]
    assert table.num_rows == 50
    assert table.column("note").to_pylist() == [f"звонил {i}" for i in range(50)]
    assert set(table.column("iin").to_pylist()) == {"<KZ_IIN>"}


def test_jsonl_nested_and_numbers(tmp_path: Path, keys: DeidKeys) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps(
            {
                "client": {"iin": "900101300007", "phones": ["+77011234567"]},
                "n": 900101300007,
                "ok": True,
            }
        )
        + "\n\n"
        + json.dumps({"client": {"iin": "900101300007"}, "n": 5})
        + "\n",
        "utf-8",
    )
    policy = parse_policy({"entities": {"KZ_IIN": {"operator": "pseudonym"}}})
    deidentify_file(
        src, tmp_path / "out.jsonl", deidentifier=Deidentifier(policy=policy, keys=keys)
    )
    lines = (tmp_path / "out.jsonl").read_text("utf-8").split("\n")
    first, second = json.loads(lines[0]), json.loads(lines[2])
    assert lines[1] == ""
    assert first["client"]["iin"] == first["n"] == second["client"]["iin"]  # joins survive
    assert first["client"]["iin"].startswith("KZ_IIN_")
    assert first["ok"] is True
    assert second["n"] == 5
    assert first["client"]["phones"] == ["<KZ_PHONE>"]


def test_bad_jsonl_line_is_an_error_not_copied(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"a": "900101300007"}\n{broken 900101300007\n', "utf-8")
    with pytest.raises(InputError) as info:
        deidentify_file(src, tmp_path / "out.jsonl")
    assert info.value.key == "source.bad_json_lines"
    assert not (tmp_path / "out.jsonl").exists()


def test_parquet_streams_and_keeps_types_of_kept_columns(tmp_path: Path, keys: DeidKeys) -> None:
    src = tmp_path / "in.parquet"
    n = 70_000
    pq.write_table(
        pa.table(
            {
                "iin": ["900101300007"] * n,
                "note": [f"row {i}" for i in range(n)],
                "age": list(range(n)),
                "score": [0.5] * n,
            }
        ),
        src,
    )
    policy = parse_policy(
        {"columns": {"iin": {"operator": "surrogate", "entity": "KZ_IIN"}, "age": "keep"}}
    )
    result = deidentify_file(
        src, tmp_path / "out.parquet", deidentifier=Deidentifier(policy=policy, keys=keys)
    )
    out = pq.read_table(tmp_path / "out.parquet")
    assert result.records == n == out.num_rows
    assert out.schema.field("age").type == pa.int64()
    assert out.schema.field("score").type == pa.float64()
    assert out.column("note").to_pylist()[-1] == f"row {n - 1}"
    assert len(set(out.column("iin").to_pylist())) == 1
    assert out.column("iin")[0].as_py() != "900101300007"


def test_plan_only_proposes_whole_cell_rules(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("iin,comment\n900101300007,звонил +7 701 123 45 67\n061211600012,ok\n", "utf-8")
    plan = plan_file(src)
    assert plan.columns["comment"] == "scan"
    iin_rule = plan.columns["iin"]
    assert not isinstance(iin_rule, str)
    assert iin_rule.entity == "KZ_IIN"
    assert plan.discovered == {"iin": {"KZ_IIN": 2}, "comment": {"KZ_PHONE": 1}}


@pytest.mark.parametrize(
    ("name_in", "name_out", "key"),
    [("a.csv", "b.parquet", "deid.format_mismatch"), ("a.csv", "a.csv", "deid.same_file")],
)
def test_bad_paths(tmp_path: Path, name_in: str, name_out: str, key: str) -> None:
    (tmp_path / name_in).write_text("a\n1\n", "utf-8")
    with pytest.raises(UsageError) as info:
        deidentify_file(tmp_path / name_in, tmp_path / name_out)
    assert info.value.key == key


# ---- the central property: nothing scan finds survives default de-identification ----------
_SCANNER = Scanner()
pieces = st.sampled_from(
    [
        "ИИН 900101300007",
        "тел. +7 701 123 45 67",
        "email ivanov@mail.kz",
        "Иванова Анна Сергеевна",
        "IBAN KZ86125KZT5004100100",
        "карта 4400 4301 2345 6781",
        "БИН 990140000385",
        "IP 95.56.1.2",
        "дата рождения 12.05.1987",
        "просто текст",
        "Алматы",
        ", ",
        " и ",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pieces, min_size=1, max_size=8), st.text(max_size=20))
def test_nothing_scan_finds_survives_default_deid(parts: list[str], noise: str) -> None:
    text = " ".join(parts) + " " + noise
    found = [text[f.start : f.end] for f in _SCANNER.scan_text(text)]
    out = Deidentifier(scanner=_SCANNER).text(text)
    for value in found:
        assert value not in out


def test_a_found_value_is_replaced_where_it_repeats() -> None:
    """The second IP reads as a version number ("... V"), yet it is the same value."""
    text = "IP 95.56.1.2 ИИН 900101300007 ИИН 900101300007 IP 95.56.1.2 V; 95.56.1.23"
    found = [text[f.start : f.end] for f in _SCANNER.scan_text(text)]
    assert found.count("95.56.1.2") == 1
    out = Deidentifier(scanner=_SCANNER).text(text)
    assert "95.56.1.2 " not in out
    assert out.endswith("; 95.56.1.23")  # a longer token is another value

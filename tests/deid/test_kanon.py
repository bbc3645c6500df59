from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from pycanon import anonymity

from senim.deid._kanon import AnonymityConfig, anonymise_table
from senim.deid._risk import risk_metrics
from senim.errors import UsageError

CITIES = ["Алматы", "Талгар", "Караганда", "Темиртау", "Астана", "Шымкент", "Семей", "Актобе"]


def _table(n: int = 3000, seed: int = 7) -> pa.Table:
    rng = random.Random(seed)
    return pa.table(
        {
            "age": [rng.randint(18, 90) for _ in range(n)],
            "sex": [rng.choice("MF") for _ in range(n)],
            "city": [rng.choice(CITIES) for _ in range(n)],
            "born": [
                f"{rng.randint(1940, 2005)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                for _ in range(n)
            ],
            "diagnosis": [rng.choice(["a", "b", "c", "d"]) for _ in range(n)],
            "income": [rng.choice([100.0, 200.0, 300.0, 5000.0]) for _ in range(n)],
        }
    )


@pytest.mark.parametrize(
    ("k", "l_div", "t_close"),
    [(5, {}, {}), (10, {"diagnosis": 2}, {}), (10, {"diagnosis": 3}, {"income": 0.3})],
)
def test_k_anonymity_checked_independently_with_pycanon(
    k: int, l_div: dict[str, int], t_close: dict[str, float]
) -> None:
    qis = ["age", "sex", "city", "born"]
    result = anonymise_table(
        _table(),
        AnonymityConfig(quasi_identifiers=qis, k=k, l_diversity=l_div, t_closeness=t_close),
    )
    out = result.table.to_pandas()
    assert len(out) == 3000
    assert out["diagnosis"].tolist() == _table().column("diagnosis").to_pylist()  # order kept
    released = out[out["age"] != "*"].reset_index(drop=True)
    assert result.suppressed == len(out) - len(released)
    assert result.suppressed <= 0.05 * 3000
    assert anonymity.k_anonymity(released, qis) >= k
    for column, l_min in l_div.items():
        assert anonymity.l_diversity(released, qis, [column]) >= l_min
    if t_close:
        assert anonymity.t_closeness(released, qis, list(t_close)) <= max(t_close.values()) + 1e-9
    assert result.risk_after.prosecutor_max <= 1 / k
    assert result.risk_before.prosecutor_max == 1.0


def test_regions_generalise_city_to_oblast() -> None:
    rows = 40
    table = pa.table(
        {
            "city": ["Талгар"] * 6 + ["Каскелен"] * 6 + ["Караганда"] * rows,
            "x": list(range(rows + 12)),
        }
    )
    out = anonymise_table(
        table, AnonymityConfig(quasi_identifiers=["city"], k=10, max_suppression=0.0)
    )
    labels = out.table.column("city").to_pylist()
    assert labels[:12] == ["Алматинская область"] * 12
    assert set(labels[12:]) == {"Караганда"}


def test_metrics_are_invariant_to_row_order() -> None:
    table = _table(800)
    perm = np.random.default_rng(3).permutation(800)
    config = AnonymityConfig(quasi_identifiers=["age", "sex", "city"], k=5, max_suppression=0.0)
    a = anonymise_table(table, config)
    b = anonymise_table(table.take(perm), config)
    assert a.risk_before == b.risk_before


def test_risk_metrics_definitions() -> None:
    m = risk_metrics(np.array([1, 2, 5, 12]))
    assert m.records == 20
    assert m.prosecutor_max == 1.0
    assert m.prosecutor_avg == m.marketer == 4 / 20
    assert m.uniques == 1 / 20
    assert m.at_risk == 3 / 20


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"quasi_identifiers": ["nope"]}, "deid.kanon_unknown_column"),
        ({"quasi_identifiers": ["sex"], "k": 5000}, "deid.kanon_too_few"),
        ({"quasi_identifiers": ["sex"], "l_diversity": {"diagnosis": 9}}, "deid.kanon_unreachable"),
    ],
)
def test_kanon_errors(config: dict[str, object], key: str) -> None:
    with pytest.raises(UsageError) as info:
        anonymise_table(_table(), AnonymityConfig.model_validate(config))
    assert info.value.key == key


def test_cli_k_anonymity_with_report(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from senim.cli import app

    src = tmp_path / "in.csv"
    table = _table(600)
    pa.csv.write_csv(table, src)
    result = CliRunner().invoke(
        app,
        ["deid", str(src), "--out", str(tmp_path / "out.csv"), "-q", "age,sex,city", "--k", "5",
         "--l-diversity", "diagnosis:2", "--report", str(tmp_path / "r.html")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = pa.csv.read_csv(tmp_path / "out.csv").to_pandas()
    assert len(out) == 600
    html = (tmp_path / "r.html").read_text("utf-8")
    assert "Prosecutor risk, highest" in html


def test_user_tree_hierarchy_and_policy_section(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from senim.cli import app

    src = tmp_path / "in.jsonl"
    jobs = ["nurse"] * 6 + ["surgeon"] * 6 + ["teacher"] * 12
    src.write_text(
        "".join(f'{{"job": "{j}", "iin": "900101300007", "n": {i}}}\n' for i, j in enumerate(jobs)),
        "utf-8",
    )
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "anonymity:\n  quasi_identifiers: [job]\n  k: 10\n  max_suppression: 0\n"
        "  hierarchies:\n    job: {health: [nurse, surgeon], education: [teacher]}\n",
        "utf-8",
    )
    result = CliRunner().invoke(
        app, ["deid", str(src), "--out", str(tmp_path / "out.jsonl"), "--policy", str(policy)]
    )
    assert result.exit_code == 0, result.output
    rows = [
        __import__("json").loads(x)
        for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()
    ]
    assert [r["n"] for r in rows] == list(range(24))
    assert {r["job"] for r in rows[:12]} == {"health"}
    assert {r["job"] for r in rows[12:]} == {"teacher"}
    assert {r["iin"] for r in rows} == {"<KZ_IIN>"}  # the other columns are de-identified too


def test_bad_hierarchy_kind_is_rejected() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        AnonymityConfig(quasi_identifiers=["a"], hierarchies={"a": "postcode"})  # type: ignore[dict-item]

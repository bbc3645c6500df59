from __future__ import annotations

import uuid
from pathlib import Path

import polars as pl
import pytest
from pydantic import ValidationError

from senim.deid._dp import DPQuery, DPSession, parse_query
from senim.errors import UsageError
from senim.store import Store

FRAME = pl.DataFrame(
    {
        "sex": ["M", "F"] * 2000,
        "age": [float(20 + i % 50) for i in range(4000)],
        "city": ["Алматы", "Астана", "Шымкент", "Семей"] * 1000,
    }
)


def test_releases_are_close_to_truth_and_charged() -> None:
    session = DPSession(budget=3.0)
    count = session.release(FRAME, DPQuery(kind="count", epsilon=1.0)).values["*"]
    mean = session.release(
        FRAME,
        DPQuery(
            kind="mean", column="age", bounds=(0, 100), epsilon=1.0, by="sex", groups=["M", "F"]
        ),
    )
    hist = session.release(
        FRAME,
        DPQuery(kind="histogram", column="city", categories=["Алматы", "Астана"], epsilon=1.0),
    )
    assert abs(count - 4000) < 60
    assert all(abs(v - FRAME["age"].mean()) < 3 for v in mean.values.values())  # type: ignore[operator]
    assert abs(hist.values["*"]["Алматы"] - 1000) < 60
    assert "(other)" in hist.values["*"]
    assert session.spent == pytest.approx(3.0)
    assert session.remaining == pytest.approx(0.0)


def test_budget_cannot_be_exceeded() -> None:
    session = DPSession(budget=1.0)
    session.release(FRAME, DPQuery(kind="count", epsilon=0.7))
    with pytest.raises(UsageError) as info:
        session.release(FRAME, DPQuery(kind="count", epsilon=0.5))
    assert info.value.key == "deid.dp_budget_exceeded"
    assert session.spent == pytest.approx(0.7)
    assert len(session.releases) == 1


def test_persisted_session_shares_budget_across_runs(db_url: str) -> None:
    name = "s-" + uuid.uuid4().hex[:8]
    with Store.open(db_url) as store:
        DPSession(budget=1.0, store=store, name=name).release(
            FRAME, DPQuery(kind="count", epsilon=0.6)
        )
        again = DPSession(budget=1.0, store=store, name=name)
        assert again.spent == pytest.approx(0.6)
        with pytest.raises(UsageError):
            again.release(FRAME, DPQuery(kind="count", epsilon=0.6))
        with pytest.raises(UsageError) as fixed:
            DPSession(budget=5.0, store=store, name=name)
        assert fixed.value.key == "deid.dp_budget_fixed"


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "sum", "epsilon": 1.0},
        {"kind": "mean", "column": "age", "bounds": (5, 1), "epsilon": 1.0},
        {"kind": "histogram", "column": "city", "epsilon": 1.0},
        {"kind": "count", "by": "sex", "epsilon": 1.0},
        {"kind": "count", "epsilon": 0.0},
    ],
)
def test_queries_are_validated(params: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        DPQuery(**params)  # type: ignore[arg-type]


def test_parse_query() -> None:
    q = parse_query("mean:age:0:100", epsilon=0.5, by=None, groups=None)
    assert (q.kind, q.column, q.bounds) == ("mean", "age", (0.0, 100.0))
    with pytest.raises(UsageError) as info:
        parse_query("median:age", epsilon=0.5, by=None, groups=None)
    assert info.value.key == "deid.dp_bad_query"


def test_cli_dp(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from senim.cli import app

    src = tmp_path / "t.csv"
    FRAME.write_csv(src)
    result = CliRunner().invoke(
        app,
        ["deid-dp", str(src), "--query", "count", "--query", "mean:age:0:100", "--budget", "1",
         "--epsilon", "0.6", "--out", str(tmp_path / "r.json")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "Refused: 'mean age' needs epsilon 0.6" in result.output

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from senim.cli import app

runner = CliRunner()


def make_decisions(rows: int = 3000, seed: int = 3) -> pl.DataFrame:
    """Loan decisions where rural applicants are approved less often."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], rows)
    region = rng.choice(["urban", "rural", "mountain"], rows, p=[0.6, 0.394, 0.006])
    label = rng.random(rows) < 0.45
    score = np.clip(
        0.25 + 0.4 * label + rng.normal(0, 0.15, rows) - 0.12 * (region == "rural"), 0, 1
    )
    return pl.DataFrame(
        {
            "sex": sex,
            "region": region,
            "repaid": label.astype(np.int64),
            "score": score,
            "approved": (score >= 0.5).astype(np.int64),
        }
    )


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli-audit") / "decisions.csv"
    make_decisions().write_csv(path)
    return str(path)


BASE = ["--prediction", "approved", "--label", "repaid"]


def test_json_contract(csv_path: str) -> None:
    result = runner.invoke(
        app, ["audit", csv_path, *BASE, "--sensitive", "sex,region", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sensitive"] == ["sex", "region"]
    groups = data["groups"]
    assert {tuple(g["features"]) for g in groups} == {("sex",), ("region",)}
    for group in groups:
        assert isinstance(group["count"], int)
        for name in (
            "selection_rate",
            "false_positive_rate",
            "false_negative_rate",
            "true_positive_rate",
            "true_negative_rate",
            "positive_predictive_value",
            "negative_predictive_value",
            "accuracy",
            "base_rate",
        ):
            assert name in group
            assert f"{name}_ci" in group
    assert data["status"] == "fail"


def test_fail_on_exit_code(csv_path: str) -> None:
    args = ["audit", csv_path, *BASE, "--sensitive", "region", "--format", "json"]
    assert runner.invoke(app, args).exit_code == 0
    result = runner.invoke(app, [*args, "--fail-on", "fail"])
    assert result.exit_code == 1
    assert "fairness criterion result(s) failed the policy" in result.stderr


def test_intersectional_reference_and_bootstrap(csv_path: str) -> None:
    result = runner.invoke(
        app,
        [
            "audit", csv_path, *BASE, "--sensitive", "sex,region", "--intersectional",
            "--reference", "sex=F", "--bootstrap", "50", "--seed", "3", "--format", "json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["columns"] for d in data["dimensions"]] == [["sex"], ["region"], ["sex", "region"]]
    assert data["dimensions"][0]["reference"] == {"sex": "F"}
    assert "selection_rate_bootstrap_ci" in data["groups"][0]
    assert data["method"]["seed"] == 3


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_table_and_html_in_each_language(csv_path: str, tmp_path: Path, lang: str) -> None:
    table = runner.invoke(app, ["audit", csv_path, *BASE, "--sensitive", "region", "--lang", lang])
    assert table.exit_code == 0, table.output
    expected = {"en": "Overall result", "ru": "Общий результат", "kk": "Жалпы нәтиже"}[lang]
    assert expected in table.stdout
    out = tmp_path / f"report-{lang}.html"
    html = runner.invoke(
        app,
        ["audit", csv_path, *BASE, "--score", "score", "--sensitive", "region", "--format",
         "html", "--lang", lang, "-o", str(out)],
    )  # fmt: skip
    assert html.exit_code == 0, html.output
    text = out.read_text("utf-8")
    assert text.startswith("<!doctype html>")
    assert f'<html lang="{lang}">' in text
    assert "<svg" in text
    assert "<script" not in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sensitive", "nope"], "column(s) not found: nope"),
        (["--sensitive", "sex", "--reference", "sex"], "--reference must look like"),
        (["--sensitive", "sex", "--reference", "age=1"], "not a sensitive column"),
        (["--sensitive", "sex", "--table", "t"], "--table applies only to database URLs"),
        (["--sensitive", "sex", "--policy", "/no/such.yaml"], "no such file or directory"),
    ],
)
def test_usage_and_input_errors_exit_2(csv_path: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["audit", csv_path, *BASE, *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_exit_2() -> None:
    result = runner.invoke(app, ["audit", "nope.csv", *BASE, "--sensitive", "sex"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: nope.csv: no such file or directory"


def test_database_url(db_url: str, tmp_path: Path) -> None:
    import sqlalchemy as sa

    url = db_url.replace("postgresql://", "postgresql+psycopg://").replace(
        "mysql://", "mysql+pymysql://"
    )
    engine = sa.create_engine(url)
    make_decisions(rows=500).to_pandas().to_sql(
        "senim_cli_audit", engine, if_exists="replace", index=False
    )
    engine.dispose()
    try:
        result = runner.invoke(
            app,
            ["audit", db_url, "--table", "senim_cli_audit", *BASE, "--sensitive", "sex",
             "--format", "json"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert sum(g["count"] for g in json.loads(result.stdout)["groups"]) == 500
    finally:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS senim_cli_audit"))
        engine.dispose()

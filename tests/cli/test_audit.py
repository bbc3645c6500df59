from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from tests.audit._decisions import make_decisions
from typer.testing import CliRunner

from senim.cli import app
from senim.store._store import normalise_url

runner = CliRunner()


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli-audit") / "decisions.csv"
    make_decisions(rows=3000).write_csv(path)
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


def test_group_names_are_never_read_as_markup(tmp_path: Path) -> None:
    """A region named "[/x]" ended the table with an internal error (rich's MarkupError)."""
    frame = make_decisions(rows=3000)
    frame = frame.with_columns(pl.col("region").cast(pl.Utf8) + pl.lit(" [/x] [bold]"))
    path = tmp_path / "decisions.csv"
    frame.write_csv(path)
    result = runner.invoke(app, ["audit", str(path), *BASE, "--sensitive", "region"])
    assert result.exit_code == 0, result.output
    assert "[/x] [bold]" in result.stdout


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
            "audit",
            csv_path,
            *BASE,
            "--sensitive",
            "sex,region",
            "--intersectional",
            "--reference",
            "sex=F",
            "--bootstrap",
            "50",
            "--seed",
            "3",
            "--format",
            "json",
        ],
    )
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
        [
            "audit",
            csv_path,
            *BASE,
            "--score",
            "score",
            "--sensitive",
            "region",
            "--format",
            "html",
            "--lang",
            lang,
            "-o",
            str(out),
        ],
    )
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

    engine = sa.create_engine(normalise_url(db_url))
    make_decisions(rows=500).to_pandas().to_sql(
        "senim_cli_audit", engine, if_exists="replace", index=False
    )
    engine.dispose()
    try:
        result = runner.invoke(
            app,
            [
                "audit",
                db_url,
                "--table",
                "senim_cli_audit",
                *BASE,
                "--sensitive",
                "sex",
                "--format",
                "json",
            ],
        )
        assert result.exit_code == 0, result.output
        assert sum(g["count"] for g in json.loads(result.stdout)["groups"]) == 500
    finally:
        engine = sa.create_engine(normalise_url(db_url))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS senim_cli_audit"))
        engine.dispose()


@pytest.fixture(scope="module")
def model_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    import joblib
    from skl2onnx import to_onnx
    from sklearn.linear_model import LogisticRegression

    folder = tmp_path_factory.mktemp("cli-model")
    rng = np.random.default_rng(1)
    income = rng.normal(300, 80, 800)
    debt = rng.normal(100, 40, 800)
    y = ((income - 300) / 50 - (debt - 100) / 30 + rng.normal(0, 1, 800) > 0).astype(np.int64)
    frame = pl.DataFrame(
        {"income": income, "debt": debt, "sex": rng.choice(["F", "M"], 800), "repaid": y}
    )
    data = folder / "apps.csv"
    frame.write_csv(data)
    x = frame.select("income", "debt").to_numpy()
    model = LogisticRegression().fit(x, y)
    joblib.dump(model, folder / "model.joblib")
    onnx = to_onnx(model, x[:1].astype(np.float32), options={"zipmap": False})
    (folder / "model.onnx").write_bytes(onnx.SerializeToString())
    return str(data), str(folder / "model.joblib"), str(folder / "model.onnx")


@pytest.mark.parametrize("kind", [1, 2])
def test_explain_json(model_files: tuple[str, str, str], kind: int) -> None:
    data, *models = model_files
    result = runner.invoke(
        app,
        [
            "explain",
            data,
            "--model",
            models[kind - 1],
            "--features",
            "income,debt",
            "--label",
            "repaid",
            "--sensitive",
            "sex",
            "--limit",
            "2",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["importance"][0]["feature"] in ("income", "debt")
    assert len(out["decisions"]) == 2
    assert out["decisions"][0]["counterfactual_text"].startswith("The decision would have been")
    assert set(out["robustness"]["flip_rate_by_group"]["sex"]) == {"F", "M"}


def test_explain_text_and_html(model_files: tuple[str, str, str], tmp_path: Path) -> None:
    data, model, _ = model_files
    args = ["explain", data, "--model", model, "--features", "income,debt", "--rows", "0,1"]
    text = runner.invoke(app, [*args, "--lang", "ru"])
    assert text.exit_code == 0, text.output
    assert "Решение в строке 0" in text.stdout
    out = tmp_path / "explain.html"
    html = runner.invoke(app, [*args, "--format", "html", "-o", str(out)])
    assert html.exit_code == 0
    assert "<svg" in out.read_text("utf-8")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--rows", "x"], "--rows must be row numbers"),
        (["--rows", "99999"], "Row 99999 does not exist"),
        (["--features", "income"], "The model expects 2 features but 1 were given"),
    ],
)
def test_explain_errors(model_files: tuple[str, str, str], extra: list[str], message: str) -> None:
    data, model, _ = model_files
    result = runner.invoke(
        app, ["explain", data, "--model", model, "--features", "income,debt", *extra]
    )
    assert result.exit_code == 2
    assert message in result.stderr


def test_drift_command(model_files: tuple[str, str, str], tmp_path: Path) -> None:
    data, _, _ = model_files
    shifted = tmp_path / "later.csv"
    pl.read_csv(data).with_columns(pl.col("income") * 1.5).write_csv(shifted)
    same = runner.invoke(
        app, ["drift", data, data, "--features", "income,debt", "--fail-on", "moderate"]
    )
    assert same.exit_code == 0, same.output
    assert "Largest drift: stable" in same.stdout
    moved = runner.invoke(
        app,
        [
            "drift",
            data,
            str(shifted),
            "--features",
            "income",
            "--sensitive",
            "sex",
            "--format",
            "json",
            "--fail-on",
            "significant",
        ],
    )
    assert moved.exit_code == 1
    assert json.loads(moved.stdout)["status"] == "significant"

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from senim.audit import METRIC_NAMES, audit_decisions, audit_fairness, load_policy
from senim.audit._render import render_json
from senim.errors import ConfigError, InputError, UsageError
from senim.store._store import normalise_url

from ._decisions import make_decisions

FAIRLEARN_METRICS = {
    "selection_rate": "selection_rate",
    "true_positive_rate": "true_positive_rate",
    "false_positive_rate": "false_positive_rate",
    "false_negative_rate": "false_negative_rate",
    "true_negative_rate": "true_negative_rate",
}


def _fairlearn_frame(frame: pl.DataFrame, sensitive: list[str]):  # type: ignore[no-untyped-def]
    import fairlearn.metrics as flm
    from sklearn.metrics import accuracy_score, precision_score

    pdf = frame.to_pandas()
    metrics = {name: getattr(flm, name) for name in FAIRLEARN_METRICS.values()}
    metrics["positive_predictive_value"] = lambda y, p: precision_score(y, p, zero_division=0)
    metrics["accuracy"] = accuracy_score
    metrics["count"] = flm.count
    return flm.MetricFrame(
        metrics=metrics,
        y_true=pdf["repaid"],
        y_pred=pdf["approved"],
        sensitive_features=pdf[sensitive],
    )


@pytest.mark.parametrize("sensitive", [["sex"], ["region"], ["sex", "region"]])
def test_matches_fairlearn_metricframe(decisions: pl.DataFrame, sensitive: list[str]) -> None:
    report = audit_fairness(
        decisions,
        prediction="approved",
        label="repaid",
        sensitive=sensitive,
        intersectional=True,
    )
    frame = _fairlearn_frame(decisions, sensitive)
    ours = {
        tuple(g.features[c] for c in sensitive): g
        for g in report.groups
        if tuple(g.features) == tuple(sensitive)
    }
    assert len(ours) == len(frame.by_group)
    for key, row in frame.by_group.iterrows():
        group = ours[key if isinstance(key, tuple) else (key,)]
        assert group.count == row["count"]
        for name in [*FAIRLEARN_METRICS, "positive_predictive_value", "accuracy"]:
            assert group.metrics[name].value == pytest.approx(row[name], abs=1e-9), name
    for name in FAIRLEARN_METRICS:
        assert report.overall.metrics[name].value == pytest.approx(frame.overall[name], abs=1e-9)


def test_summary_criteria_match_fairlearn_differences(decisions: pl.DataFrame) -> None:
    from fairlearn.metrics import (
        demographic_parity_difference,
        demographic_parity_ratio,
        equalized_odds_difference,
    )

    pdf = decisions.to_pandas()
    report = audit_fairness(
        decisions, prediction="approved", label="repaid", sensitive=["sex"], min_group_size=1
    )
    crit = {c.criterion: c for c in report.criteria}
    kwargs = {"sensitive_features": pdf["sex"]}
    assert crit["demographic_parity"].value == pytest.approx(
        demographic_parity_difference(pdf["repaid"], pdf["approved"], **kwargs), abs=1e-12
    )
    assert crit["four_fifths_rule"].value == pytest.approx(
        demographic_parity_ratio(pdf["repaid"], pdf["approved"], **kwargs), abs=1e-12
    )
    assert crit["equalized_odds"].value == pytest.approx(
        equalized_odds_difference(pdf["repaid"], pdf["approved"], **kwargs), abs=1e-12
    )


def test_detects_built_in_disparity_and_flags_small_group(decisions: pl.DataFrame) -> None:
    report = audit_fairness(decisions, prediction="approved", label="repaid", sensitive=["region"])
    dim = report.dimensions[0]
    assert dim.reference == {"region": "urban"}
    assert dim.reference_rule == "largest"
    by_region = {g.features["region"]: g for g in dim.groups}
    assert by_region["mountain"].small
    assert not by_region["rural"].small
    crit = {c.criterion: c for c in dim.criteria}
    assert crit["four_fifths_rule"].status == "fail"
    assert crit["four_fifths_rule"].group == {"region": "rural"}
    assert crit["four_fifths_rule"].significant is True
    assert {"region": "mountain"} in crit["four_fifths_rule"].excluded_small
    assert crit["representation"].status == "fail"
    assert crit["representation"].group == {"region": "mountain"}
    assert report.status == "fail"
    rural_sr = next(
        d
        for d in dim.disparities
        if d.metric == "selection_rate" and d.features["region"] == "rural"
    )
    assert rural_sr.difference is not None
    assert rural_sr.difference < 0
    assert rural_sr.difference_low is not None
    assert rural_sr.difference_high is not None
    assert rural_sr.difference_low < rural_sr.difference < rural_sr.difference_high < 0
    assert rural_sr.significant


def test_reference_group_can_be_chosen(decisions: pl.DataFrame) -> None:
    report = audit_fairness(
        decisions,
        prediction="approved",
        label="repaid",
        sensitive=["sex", "region"],
        reference={"region": "rural"},
    )
    by_cols = {d.columns: d for d in report.dimensions}
    assert by_cols[("region",)].reference == {"region": "rural"}
    assert by_cols[("region",)].reference_rule == "given"
    assert by_cols[("sex",)].reference_rule == "largest"
    with pytest.raises(UsageError) as err:
        audit_fairness(
            decisions, prediction="approved", sensitive=["region"], reference={"region": "moon"}
        )
    assert err.value.message("en") == "Reference group region=moon does not occur in the data"


def test_intersectional_adds_every_combination(decisions: pl.DataFrame) -> None:
    plain = audit_fairness(decisions, prediction="approved", sensitive=["sex", "region"])
    inter = audit_fairness(
        decisions, prediction="approved", sensitive=["sex", "region"], intersectional=True
    )
    assert [d.columns for d in plain.dimensions] == [("sex",), ("region",)]
    assert [d.columns for d in inter.dimensions] == [("sex",), ("region",), ("sex", "region")]
    assert sum(g.count for g in inter.dimensions[2].groups) == decisions.height


def test_score_threshold_and_calibration(decisions: pl.DataFrame) -> None:
    by_score = audit_fairness(
        decisions, score="score", threshold=0.5, label="repaid", sensitive=["sex"], bins=5
    )
    by_column = audit_fairness(decisions, prediction="approved", label="repaid", sensitive=["sex"])
    for a, b in zip(by_score.groups, by_column.groups, strict=True):
        assert a.metrics == b.metrics
    group = by_score.groups[0]
    assert len(group.calibration) <= 5
    assert sum(b.count for b in group.calibration) == group.count
    assert group.calibration_error is not None
    for b in group.calibration:
        assert b.low <= b.mean_score <= b.high
        assert b.observed_low <= b.observed_rate <= b.observed_high


def test_predictions_only_audit(decisions: pl.DataFrame) -> None:
    report = audit_fairness(decisions, prediction="approved", sensitive=["sex"])
    assert report.metric_names == ("selection_rate",)
    statuses = {c.criterion: c.status for c in report.criteria}
    assert statuses["equal_opportunity"] == "not_applicable"
    assert statuses["demographic_parity"] in ("pass", "fail")
    data = report.to_dict()
    assert "false_positive_rate" not in data["groups"][0]


def test_missing_values_are_counted_not_skipped_silently() -> None:
    frame = pl.DataFrame(
        {
            "g": ["a", "a", "b", None, "b", "a"],
            "y": [1, None, 0, 1, 1, 0],
            "p": [1, 1, None, 0, 1, 0],
        }
    )
    report = audit_fairness(frame, prediction="p", label="y", sensitive=["g"], min_group_size=1)
    assert report.rows == 6
    assert report.rows_used == 4
    assert report.excluded == {"missing_prediction": 1, "missing_label": 1}
    values = [g.features["g"] for g in report.groups]
    assert values == ["a", "b", None]


def test_bootstrap_is_seeded_and_brackets_estimate(decisions: pl.DataFrame) -> None:
    args = {"prediction": "approved", "label": "repaid", "sensitive": ["sex"], "bootstrap": 300}
    first = audit_fairness(decisions, seed=11, **args)
    again = audit_fairness(decisions, seed=11, **args)
    other = audit_fairness(decisions, seed=12, **args)
    assert first.to_dict() == again.to_dict()
    assert first.to_dict() != other.to_dict()
    est = first.groups[0].metrics["selection_rate"]
    assert est.boot_low is not None
    assert est.boot_high is not None
    assert est.boot_low < est.value < est.boot_high  # type: ignore[operator]
    assert est.boot_low == pytest.approx(est.low, abs=0.02)


def _shuffled(frame: pl.DataFrame, seed: int) -> pl.DataFrame:
    return frame.sample(fraction=1.0, shuffle=True, seed=seed)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_metrics_invariant_to_row_order(seed: int) -> None:
    frame = make_decisions(rows=600, seed=5)
    args = {"prediction": "approved", "label": "repaid", "sensitive": ["sex", "region"]}
    base = audit_fairness(frame, intersectional=True, **args).to_dict()
    moved = audit_fairness(_shuffled(frame, seed), intersectional=True, **args).to_dict()
    assert base == moved


def test_json_contract(decisions: pl.DataFrame) -> None:
    data = json.loads(
        render_json(
            audit_fairness(decisions, prediction="approved", label="repaid", sensitive=["sex"])
        )
    )
    group = data["groups"][0]
    assert set(group["features"]) == {"sex"}
    assert isinstance(group["count"], int)
    for name in METRIC_NAMES:
        assert 0.0 <= group[name] <= 1.0
        low, high = group[f"{name}_ci"]
        assert low <= group[name] <= high
    assert {"tp", "fp", "fn", "tn"} == set(group["confusion"])
    crit = data["dimensions"][0]["criteria"][1]
    assert crit["criterion"] == "four_fifths_rule"
    assert "AI Law 230-VIII, Art. 6" in crit["basis"]


def test_json_never_holds_nan_even_for_undefined_rates() -> None:
    frame = pl.DataFrame({"g": ["a", "a", "b", "b"], "y": [1, 1, 0, 0], "p": [1, 0, 1, 1]})
    data = json.loads(
        render_json(audit_fairness(frame, prediction="p", label="y", sensitive=["g"]))
    )
    b = next(g for g in data["groups"] if g["features"]["g"] == "b")
    assert b["true_positive_rate"] is None
    assert b["true_positive_rate_ci"] is None


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"sensitive": []}, "audit.error.no_sensitive"),
        ({"sensitive": ["sex"], "threshold": 0.5}, "audit.error.threshold_needs_score"),
        ({"sensitive": ["sex"], "prediction": None}, "audit.error.no_prediction"),
        (
            {"sensitive": ["sex"], "score": "score", "threshold": 0.5},
            "audit.error.prediction_and_threshold",
        ),
        ({"sensitive": ["approved"]}, "audit.error.column_twice"),
        ({"sensitive": ["sex"], "bootstrap": -1}, "audit.error.bootstrap_negative"),
        ({"sensitive": ["score"], "max_groups": 10}, "audit.error.too_many_groups"),
    ],
)
def test_usage_errors(decisions: pl.DataFrame, kwargs: dict[str, object], key: str) -> None:
    args: dict[str, object] = {"prediction": "approved", **kwargs}
    with pytest.raises(UsageError) as err:
        audit_fairness(decisions, **args)  # type: ignore[arg-type]
    assert err.value.key == key


def test_non_binary_column_needs_positive() -> None:
    frame = pl.DataFrame({"g": ["a", "b"], "p": ["approve", "deny"]})
    with pytest.raises(InputError) as err:
        audit_fairness(frame, prediction="p", sensitive=["g"])
    assert err.value.message("en") == (
        "Column p is not binary (0/1, true/false, yes/no); name the positive value with --positive"
    )
    report = audit_fairness(frame, prediction="p", sensitive=["g"], positive="approve")
    assert [g.metrics["selection_rate"].value for g in report.groups] == [1.0, 0.0]


def test_yes_no_and_boolean_columns() -> None:
    frame = pl.DataFrame(
        {"g": ["a", "a", "b"], "p": ["Yes", "no", "YES"], "y": [True, False, True]}
    )
    report = audit_fairness(frame, prediction="p", label="y", sensitive=["g"], min_group_size=1)
    assert report.overall.metrics["accuracy"].value == 1.0


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_reads_files(tmp_path: Path, decisions: pl.DataFrame, suffix: str) -> None:
    path = tmp_path / f"d{suffix}"
    {
        ".csv": decisions.write_csv,
        ".parquet": decisions.write_parquet,
        ".jsonl": decisions.write_ndjson,
    }[suffix](path)
    report = audit_decisions(str(path), prediction="approved", label="repaid", sensitive=["sex"])
    direct = audit_fairness(decisions, prediction="approved", label="repaid", sensitive=["sex"])
    assert [g.metrics for g in report.groups] == [g.metrics for g in direct.groups]
    assert report.source == str(path)


def test_codes_keep_leading_zeros(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("region,p\n01,1\n02,0\n01,0\n")
    report = audit_decisions(str(path), prediction="p", sensitive=["region"])
    assert [g.features["region"] for g in report.groups] == ["01", "02"]


def test_reads_database_table(db_url: str, decisions: pl.DataFrame) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(normalise_url(db_url))
    decisions.to_pandas().to_sql("senim_audit_decisions", engine, if_exists="replace", index=False)
    engine.dispose()
    try:
        report = audit_decisions(
            db_url,
            table="senim_audit_decisions",
            prediction="approved",
            label="repaid",
            sensitive=["sex", "region"],
        )
        direct = audit_fairness(
            decisions, prediction="approved", label="repaid", sensitive=["sex", "region"]
        )
        assert [g.metrics for g in report.groups] == [g.metrics for g in direct.groups]
        with pytest.raises(InputError) as err:
            audit_decisions(db_url, table="no_such_table", prediction="p", sensitive=["s"])
        assert err.value.key == "audit.error.no_table"
        with pytest.raises(InputError) as err:
            audit_decisions(
                db_url, table="senim_audit_decisions", prediction="nope", sensitive=["sex"]
            )
        assert err.value.key == "audit.error.missing_columns"
    finally:
        engine = sa.create_engine(normalise_url(db_url))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS senim_audit_decisions"))
        engine.dispose()


@pytest.mark.parametrize(
    ("source", "kwargs", "key"),
    [
        ("missing.csv", {}, "error.path_not_found"),
        ("data.xlsx", {}, "audit.error.unknown_input"),
        ("sqlite:///x.db", {}, "audit.error.table_required"),
        ("data.csv", {"table": "t"}, "audit.error.table_for_file"),
    ],
)
def test_input_errors(source: str, kwargs: dict[str, str], key: str) -> None:
    with pytest.raises((InputError, UsageError)) as err:
        audit_decisions(source, prediction="p", sensitive=["g"], **kwargs)
    assert err.value.key == key


def test_policy_validation(tmp_path: Path) -> None:
    policy = load_policy()
    assert policy.id == "senim-default-fairness"
    assert all(
        "en" in c.rationale and "ru" in c.rationale and "kk" in c.rationale for c in policy.criteria
    )
    assert all(c.basis for c in policy.criteria)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: x\nversion: '1'\ncriteria:\n  - id: a\n    metrics: [nonsense]\n"
        "    statistic: max_difference\n    threshold: 0.1\n    pass_if: '<='\n"
        "    rationale: {en: x}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_policy(bad)
    assert err.value.key == "audit.error.policy_invalid"
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [")
    with pytest.raises(ConfigError) as err:
        load_policy(broken)
    assert err.value.key == "audit.error.policy_yaml"


def test_custom_policy_changes_verdict(tmp_path: Path, decisions: pl.DataFrame) -> None:
    path = tmp_path / "lenient.yaml"
    path.write_text(
        "id: lenient\nversion: '1'\nmin_group_size: 10\ncorrection: bonferroni\ncriteria:\n"
        "  - id: parity_to_reference\n    metrics: [selection_rate]\n"
        "    statistic: max_difference_to_reference\n    threshold: 0.5\n    pass_if: '<='\n"
        "    rationale: {en: 'lenient'}\n"
        "  - id: ratio_to_reference\n    metrics: [selection_rate]\n"
        "    statistic: min_ratio_to_reference\n    threshold: 0.1\n    pass_if: '>='\n"
        "    rationale: {en: 'lenient'}\n"
    )
    report = audit_fairness(
        decisions, prediction="approved", sensitive=["region"], policy=load_policy(path)
    )
    assert report.status == "pass"
    assert report.policy.correction == "bonferroni"
    crit = report.criteria[0]
    assert crit.compared_with == {"region": "urban"}
    assert not math.isnan(crit.value or math.nan)


def test_arrow_table_input(decisions: pl.DataFrame) -> None:
    table = decisions.to_arrow()
    report = audit_fairness(table, prediction="approved", sensitive=["sex"])
    assert report.rows == decisions.height
    assert np.isclose(
        report.overall.metrics["selection_rate"].value or 0.0, decisions["approved"].mean() or 0.0
    )


def test_example_policy_is_valid_and_applies(decisions: pl.DataFrame) -> None:
    path = Path(__file__).resolve().parents[2] / "examples" / "audit" / "bank-credit-policy.yaml"
    policy = load_policy(path)
    assert policy.min_group_size == 100
    report = audit_fairness(
        decisions, prediction="approved", label="repaid", sensitive=["region"], policy=policy
    )
    crit = {c.criterion: c for c in report.criteria}
    assert crit["approval_gap_to_reference"].status == "fail"
    assert crit["approval_gap_to_reference"].compared_with == {"region": "urban"}
    assert crit["missed_good_borrowers"].metric == "false_negative_rate"


@pytest.mark.parametrize("kwargs", [{"confidence": 1.5}, {"min_group_size": 0}])
def test_invalid_overrides_are_usage_errors(
    decisions: pl.DataFrame, kwargs: dict[str, float]
) -> None:
    with pytest.raises(UsageError) as err:
        audit_fairness(decisions, prediction="approved", sensitive=["sex"], **kwargs)  # type: ignore[arg-type]
    assert err.value.key == "audit.error.option_invalid"

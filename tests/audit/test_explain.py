from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import polars as pl
import pytest
from sklearn.linear_model import LogisticRegression

from senim.audit._explain import explain_model, feature_matrix
from senim.audit._explain_render import (
    counterfactual_text,
    model_report_dict,
    reason_text,
    render_model_html,
    render_model_text,
)
from senim.audit._model import load_model
from senim.errors import InputError, UsageError

FEATURES = ["income", "debt", "age"]


def applicants(rows: int = 1500, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    income = rng.normal(300, 80, rows)
    debt = rng.normal(100, 40, rows)
    age = rng.integers(18, 70, rows).astype(float)
    logit = (income - 300) / 50 - (debt - 100) / 30
    repaid = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return pl.DataFrame(
        {
            "income": income,
            "debt": debt,
            "age": age,
            "sex": rng.choice(["F", "M"], rows),
            "repaid": repaid,
        }
    )


@pytest.fixture(scope="module")
def data() -> pl.DataFrame:
    return applicants()


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory, data: pl.DataFrame) -> dict[str, Path]:
    import lightgbm
    import xgboost
    from skl2onnx import to_onnx

    folder = tmp_path_factory.mktemp("models")
    x = data.select(FEATURES).to_numpy()
    y = data["repaid"].to_numpy()
    logistic = LogisticRegression().fit(x, y)
    joblib.dump(logistic, folder / "logistic.joblib")
    onnx = to_onnx(logistic, x[:1].astype(np.float32), options={"zipmap": False})
    (folder / "logistic.onnx").write_bytes(onnx.SerializeToString())
    zipmap = to_onnx(logistic, x[:1].astype(np.float32))
    (folder / "logistic-zipmap.onnx").write_bytes(zipmap.SerializeToString())
    boosted = lightgbm.LGBMClassifier(n_estimators=25, verbose=-1).fit(x, y)
    joblib.dump(boosted, folder / "lightgbm.pkl")
    xgb = xgboost.XGBClassifier(n_estimators=25, max_depth=3, n_jobs=1).fit(x, y)
    joblib.dump(xgb, folder / "xgboost.pkl")
    named = LogisticRegression().fit(data.select(FEATURES).to_pandas(), y)
    joblib.dump(named, folder / "named.pkl")
    return {
        "logistic": folder / "logistic.joblib",
        "onnx": folder / "logistic.onnx",
        "zipmap": folder / "logistic-zipmap.onnx",
        "lightgbm": folder / "lightgbm.pkl",
        "xgboost": folder / "xgboost.pkl",
        "named": folder / "named.pkl",
    }


@pytest.mark.parametrize("name", ["logistic", "onnx", "zipmap", "lightgbm", "xgboost", "named"])
def test_every_model_kind_gives_probabilities(
    models: dict[str, Path], data: pl.DataFrame, name: str
) -> None:
    model = load_model(models[name])
    p = model.predict_proba(feature_matrix(data, FEATURES))
    assert p.shape == (data.height,)
    assert np.all((p >= 0) & (p <= 1))


def test_onnx_matches_scikit_learn(models: dict[str, Path], data: pl.DataFrame) -> None:
    x = feature_matrix(data, FEATURES)
    sk = load_model(models["logistic"]).predict_proba(x)
    onnx = load_model(models["onnx"]).predict_proba(x)
    assert np.allclose(sk, onnx, atol=1e-5)


def test_explanations_find_the_real_drivers(models: dict[str, Path], data: pl.DataFrame) -> None:
    report = explain_model(
        load_model(models["logistic"]), data, FEATURES, label="repaid", sensitive=["sex"], limit=3
    )
    order = [item.feature for item in report.importance]
    assert order[-1] == "age"  # the outcome does not depend on age
    assert report.importance[0].permutation > 0.05
    assert report.metric == "accuracy"
    assert 0.6 < report.baseline_score < 0.95
    assert report.contribution_method is None
    pd_income = next(p for p in report.partial_dependence if p.feature == "income")
    assert list(pd_income.average) == sorted(pd_income.average)  # more income, more approvals
    assert len(report.decisions) == 3
    for decision in report.decisions:
        assert not decision.favourable
        assert decision.reasons
        cf = decision.counterfactual
        assert cf is not None
        assert cf.feature in ("income", "debt")
        assert cf.probability >= 0.5
        x = feature_matrix(data, FEATURES)[decision.row].copy()
        x[FEATURES.index(cf.feature)] = cf.value
        assert load_model(models["logistic"]).predict_proba(x[None, :])[0] >= 0.5


def test_counterfactual_respects_immutable_columns(
    models: dict[str, Path], data: pl.DataFrame
) -> None:
    report = explain_model(
        load_model(models["logistic"]), data, FEATURES, immutable=["income", "age"], limit=3
    )
    for decision in report.decisions:
        assert decision.counterfactual is None or decision.counterfactual.feature == "debt"


def test_tree_shap_from_lightgbm(models: dict[str, Path], data: pl.DataFrame) -> None:
    model = load_model(models["lightgbm"])
    report = explain_model(model, data, FEATURES, rows=[0, 1])
    assert report.contribution_method == "tree_shap"
    assert all(item.contribution_mean_abs is not None for item in report.importance)
    contrib = model.contributions(feature_matrix(data, FEATURES)[:5])
    raw = model.estimator.predict(feature_matrix(data, FEATURES)[:5], raw_score=True)
    assert np.allclose(contrib.sum(axis=1), raw)  # SHAP values add up to the model's output
    assert report.decisions[0].contributions is not None
    assert report.robustness.missing_strategy["income"] == "model"


def test_tree_shap_from_xgboost(models: dict[str, Path], data: pl.DataFrame) -> None:
    import xgboost

    model = load_model(models["xgboost"])
    assert model.kind == "xgboost"
    report = explain_model(model, data, FEATURES, rows=[0, 1])
    assert report.contribution_method == "tree_shap"
    assert all(item.contribution_mean_abs is not None for item in report.importance)
    x = feature_matrix(data, FEATURES)[:5]
    contrib = model.contributions(x)
    assert contrib.shape == (5, len(FEATURES) + 1)
    margin = model.estimator.get_booster().predict(xgboost.DMatrix(x), output_margin=True)
    assert np.allclose(contrib.sum(axis=1), margin, atol=1e-5)  # SHAP adds up to the output
    # the drivers of the outcome carry the weight, not age
    weight = {item.feature: item.contribution_mean_abs for item in report.importance}
    assert weight["age"] < max(weight["income"], weight["debt"])
    assert report.decisions[0].contributions is not None


def test_robustness_and_missing_values(models: dict[str, Path], data: pl.DataFrame) -> None:
    report = explain_model(
        load_model(models["logistic"]), data, FEATURES, sensitive=["sex"], noise=0.0, limit=0
    )
    assert report.robustness.flip_rate == 0.0
    assert set(report.robustness.flip_rate_by_group["sex"]) == {"F", "M"}
    assert report.robustness.missing_strategy == dict.fromkeys(FEATURES, "median")
    assert (
        report.robustness.missing_flip_rate["income"] > report.robustness.missing_flip_rate["age"]
    )
    noisy = explain_model(load_model(models["logistic"]), data, FEATURES, noise=0.5, limit=0)
    assert noisy.robustness.flip_rate > 0.0


def test_favourable_negative_flips_meaning(models: dict[str, Path], data: pl.DataFrame) -> None:
    pos = explain_model(load_model(models["logistic"]), data, FEATURES, rows=[0])
    neg = explain_model(
        load_model(models["logistic"]), data, FEATURES, rows=[0], favourable="negative"
    )
    assert pos.decisions[0].probability == pytest.approx(1 - neg.decisions[0].probability)
    assert pos.decisions[0].favourable != neg.decisions[0].favourable


def test_plain_language_in_three_languages(models: dict[str, Path], data: pl.DataFrame) -> None:
    report = explain_model(load_model(models["logistic"]), data, FEATURES, limit=1)
    decision = report.decisions[0]
    assert decision.counterfactual is not None
    texts = {
        lang: counterfactual_text(decision.counterfactual, lang) for lang in ("en", "ru", "kk")
    }
    assert texts["en"].startswith("The decision would have been favourable if ")
    assert texts["ru"].startswith("Решение было бы благоприятным")
    assert texts["kk"].startswith("Егер ")
    assert "percentage points" in reason_text(decision.reasons[0], "en")
    text = render_model_text(report, "kk")
    assert "жолдағы шешім: қолайсыз" in text
    html = render_model_html(report, "ru")
    assert "<svg" in html
    assert "Как модель принимает решения" in html
    data_dict = model_report_dict(report, "en")
    assert data_dict["decisions"][0]["counterfactual_text"] == texts["en"]


def test_explanations_do_not_echo_raw_values(models: dict[str, Path], data: pl.DataFrame) -> None:
    report = explain_model(load_model(models["logistic"]), data, FEATURES, limit=2)
    text = render_model_text(report, "en")
    row = data.row(report.decisions[0].row, named=True)
    for feature in FEATURES:
        assert f"{row[feature]:.3g}" not in text.replace(
            f"{report.decisions[0].counterfactual.value:.3g}"  # type: ignore[union-attr]
            if report.decisions[0].counterfactual
            else "\0",
            "",
        )


@pytest.mark.parametrize(
    ("kwargs", "error", "key"),
    [
        ({"features": ["income", "debt"]}, InputError, "audit.error.feature_count"),
        ({"features": ["income", "debt", "sex"]}, InputError, "audit.error.features_not_numeric"),
        ({"features": []}, UsageError, "audit.error.no_features"),
        ({"threshold": 1.5}, UsageError, "audit.error.threshold_range"),
        ({"rows": [10**6]}, UsageError, "audit.error.row_range"),
    ],
)
def test_errors(
    models: dict[str, Path],
    data: pl.DataFrame,
    kwargs: dict[str, object],
    error: type[Exception],
    key: str,
) -> None:
    args: dict[str, object] = {"features": FEATURES, **kwargs}
    feats = args.pop("features")
    with pytest.raises(error) as err:
        explain_model(load_model(models["logistic"]), data, feats, **args)  # type: ignore[arg-type]
    assert err.value.key == key  # type: ignore[attr-defined]


def test_named_model_checks_feature_order(models: dict[str, Path], data: pl.DataFrame) -> None:
    with pytest.raises(InputError) as err:
        explain_model(load_model(models["named"]), data, ["debt", "income", "age"])
    assert err.value.message("en") == (
        "The model was trained on features income, debt, age; "
        "pass them with --features in this order"
    )


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("model.txt", b"x", "audit.error.model_type"),
        ("broken.pkl", b"not a pickle", "audit.error.model_load"),
        ("broken.onnx", b"not onnx", "audit.error.model_load"),
    ],
)
def test_model_loading_errors(tmp_path: Path, name: str, content: bytes, key: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        load_model(path)
    assert err.value.key == key
    with pytest.raises(InputError):
        load_model(tmp_path / "absent.onnx")


@pytest.mark.parametrize("kind", ["tree", "forest", "extra", "boosting"])
def test_tree_path_contributions_add_up(data: pl.DataFrame, tmp_path: Path, kind: str) -> None:
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        GradientBoostingClassifier,
        RandomForestClassifier,
    )
    from sklearn.tree import DecisionTreeClassifier

    x = feature_matrix(data, FEATURES)
    y = data["repaid"].to_numpy()
    estimator = {
        "tree": DecisionTreeClassifier(max_depth=5, random_state=0),
        "forest": RandomForestClassifier(n_estimators=15, max_depth=6, random_state=0),
        "extra": ExtraTreesClassifier(n_estimators=10, max_depth=6, random_state=0),
        "boosting": GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0),
    }[kind].fit(x, y)
    path = tmp_path / f"{kind}.joblib"
    joblib.dump(estimator, path)
    model = load_model(path)
    assert model.contribution_method == "tree_path"
    contrib = model.contributions(x[:50])
    target = (
        estimator.decision_function(x[:50])
        if kind == "boosting"
        else estimator.predict_proba(x[:50])[:, 1]
    )
    assert np.allclose(contrib.sum(axis=1), target, atol=1e-9)
    # The outcome does not depend on age: it gets the smallest share of the credit.
    mean_abs = np.abs(contrib[:, :3]).mean(axis=0)
    assert mean_abs[2] < min(mean_abs[0], mean_abs[1])
    report = explain_model(model, data, FEATURES, rows=[0])
    assert report.contribution_method == "tree_path"
    assert report.decisions[0].contributions is not None

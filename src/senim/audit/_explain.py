"""Explanations and robustness for a decision model.

* Global: permutation importance (any model), exact TreeSHAP from LightGBM/XGBoost themselves,
  partial dependence (average probability over a grid of each feature).
* Per decision: the top reasons (how much each feature moved the probability compared with a
  typical value) and a counterfactual (the smallest single-feature change that flips the decision,
  found on the observed range and refined by bisection).
* Robustness: how many decisions flip under small noise on numeric inputs, and when one feature
  is missing (the model's own missing-value handling, or the median if it has none).

Explanations never repeat a person's raw values: reasons name the feature and the effect, and a
counterfactual states the model's threshold, not the input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from senim.audit._data import _require_columns
from senim.audit._model import Model
from senim.errors import InputError, UsageError

FloatArray = npt.NDArray[np.float64]
Favourable = Literal["positive", "negative"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FeatureImportance:
    feature: str
    permutation: float
    permutation_std: float
    contribution_mean_abs: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PartialDependence:
    feature: str
    grid: tuple[float, ...]
    average: tuple[float, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    feature: str
    effect: float  # change in P(favourable) this feature caused, vs a typical value
    direction: Literal["raised", "lowered"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Counterfactual:
    feature: str
    direction: Literal["at_least", "at_most"]
    value: float
    probability: float


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionExplanation:
    row: int
    probability: float
    favourable: bool
    reasons: tuple[Reason, ...]
    counterfactual: Counterfactual | None
    contributions: dict[str, float] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Robustness:
    noise: float
    repeats: int
    flip_rate: float
    flip_rate_by_group: dict[str, dict[str, float]] = field(default_factory=dict)
    missing_flip_rate: dict[str, float] = field(default_factory=dict)
    missing_strategy: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelReport:
    model: str
    kind: str
    features: tuple[str, ...]
    rows: int
    sample: int
    threshold: float
    favourable: Favourable
    metric: str
    baseline_score: float
    importance: tuple[FeatureImportance, ...]
    partial_dependence: tuple[PartialDependence, ...]
    decisions: tuple[DecisionExplanation, ...]
    robustness: Robustness
    seed: int
    contribution_method: str | None = None


def feature_matrix(frame: pl.DataFrame, features: Sequence[str]) -> FloatArray:
    """The features as a float matrix (nulls -> NaN); non-numeric columns are an input error."""
    _require_columns(frame, features)
    bad = [
        f for f in features if not (frame.schema[f].is_numeric() or frame.schema[f] == pl.Boolean)
    ]
    if bad:
        raise InputError("audit.error.features_not_numeric", columns=", ".join(bad))
    cast = frame.select([pl.col(f).cast(pl.Float64).fill_null(float("nan")) for f in features])
    return cast.to_numpy().astype(np.float64, copy=False)


def _favourable_proba(model: Model, x: FloatArray, favourable: Favourable) -> FloatArray:
    p = model.predict_proba(x)
    return p if favourable == "positive" else 1.0 - p


def _decisions(p_fav: FloatArray, threshold: float, favourable: Favourable) -> FloatArray:
    # A positive-class decision is P(positive) >= threshold.
    if favourable == "positive":
        return (p_fav >= threshold).astype(np.float64)
    return ((1.0 - p_fav) < threshold).astype(np.float64)


def explain_model(
    model: Model,
    frame: pl.DataFrame,
    features: Sequence[str],
    *,
    label: str | None = None,
    sensitive: Sequence[str] = (),
    rows: Sequence[int] | None = None,
    limit: int = 5,
    threshold: float = 0.5,
    favourable: Favourable = "positive",
    immutable: Sequence[str] = (),
    sample: int = 2000,
    repeats: int = 5,
    noise: float = 0.05,
    grid: int = 20,
    seed: int = 0,
) -> ModelReport:
    """Global importance, partial dependence, robustness and per-decision explanations."""
    if not features:
        raise UsageError("audit.error.no_features")
    if not 0.0 < threshold < 1.0:
        raise UsageError("audit.error.threshold_range")
    if model.n_features is not None and model.n_features != len(features):
        raise InputError(
            "audit.error.feature_count", expected=model.n_features, given=len(features)
        )
    if model.feature_names is not None and tuple(model.feature_names) != tuple(features):
        raise InputError("audit.error.feature_names", expected=", ".join(model.feature_names))
    x_all = feature_matrix(frame, features)
    rng = np.random.default_rng(seed)
    n = x_all.shape[0]
    if n == 0:
        raise InputError("audit.error.no_rows")
    idx = np.sort(rng.choice(n, size=min(sample, n), replace=False))
    x = x_all[idx]
    p_fav = _favourable_proba(model, x, favourable)
    decided = _decisions(p_fav, threshold, favourable)
    if label is not None:
        y = frame.get_column(label).cast(pl.Float64).to_numpy()[idx]
        target = y if favourable == "positive" else 1.0 - y
        metric = "accuracy"
    else:
        target = decided
        metric = "agreement"

    def score(matrix: FloatArray) -> float:
        return float(
            np.nanmean(
                _decisions(_favourable_proba(model, matrix, favourable), threshold, favourable)
                == target
            )
        )

    baseline = score(x)
    importance = _permutation(score, x, baseline, repeats, rng)
    shap_means: FloatArray | None = None
    if model.contribution_method is not None:
        contrib = model.contributions(x)
        shap_means = np.mean(np.abs(contrib[:, : len(features)]), axis=0)
    imp = tuple(
        sorted(
            (
                FeatureImportance(
                    feature=f,
                    permutation=float(importance[j, 0]),
                    permutation_std=float(importance[j, 1]),
                    contribution_mean_abs=(
                        float(shap_means[j]) if shap_means is not None else None
                    ),
                )
                for j, f in enumerate(features)
            ),
            key=lambda item: -item.permutation,
        )
    )
    pd = tuple(
        _partial_dependence(model, x, j, f, grid, favourable) for j, f in enumerate(features)
    )
    typical = np.nanmedian(x, axis=0)
    chosen = (
        list(rows)
        if rows is not None
        else _default_rows(x_all, model, threshold, favourable, limit)
    )
    for r in chosen:
        if not 0 <= r < n:
            raise UsageError("audit.error.row_range", row=r, rows=n)
    mutable = [j for j, f in enumerate(features) if f not in set(immutable) | set(sensitive)]
    decisions = tuple(
        _explain_row(model, x_all, r, features, typical, x, mutable, threshold, favourable)
        for r in chosen
    )
    robust = _robustness(
        model,
        x,
        frame[idx.tolist()] if sensitive else None,
        sensitive,
        features,
        noise,
        repeats,
        rng,
        threshold,
        favourable,
    )
    return ModelReport(
        model=model.path,
        kind=model.kind,
        features=tuple(features),
        rows=n,
        sample=int(x.shape[0]),
        threshold=threshold,
        favourable=favourable,
        metric=metric,
        baseline_score=baseline,
        importance=imp,
        partial_dependence=pd,
        decisions=decisions,
        robustness=robust,
        seed=seed,
        contribution_method=model.contribution_method,
    )


def _default_rows(
    x_all: FloatArray, model: Model, threshold: float, favourable: Favourable, limit: int
) -> list[int]:
    """The first ``limit`` unfavourable decisions (the ones people ask to have explained)."""
    head = x_all[: max(limit * 50, 1000)]
    p = _favourable_proba(model, head, favourable)
    unfavourable = np.flatnonzero(_decisions(p, threshold, favourable) == 0.0)
    return [int(i) for i in unfavourable[:limit]]


def _permutation(
    score: object, x: FloatArray, baseline: float, repeats: int, rng: np.random.Generator
) -> FloatArray:
    fn = score  # callable(matrix) -> float
    out = np.zeros((x.shape[1], 2))
    for j in range(x.shape[1]):
        drops = []
        for _ in range(repeats):
            shuffled = x.copy()
            shuffled[:, j] = rng.permutation(shuffled[:, j])
            drops.append(baseline - fn(shuffled))  # type: ignore[operator]
        out[j] = (float(np.mean(drops)), float(np.std(drops)))
    return out


def _grid(column: FloatArray, size: int) -> FloatArray:
    finite = column[np.isfinite(column)]
    if finite.size == 0:
        return np.array([], dtype=np.float64)
    values = np.unique(finite)
    if values.size <= size:
        return values.astype(np.float64)
    return np.unique(np.quantile(finite, np.linspace(0.0, 1.0, size)))


def _partial_dependence(
    model: Model, x: FloatArray, j: int, feature: str, size: int, favourable: Favourable
) -> PartialDependence:
    grid = _grid(x[:, j], size)
    base = x[: min(len(x), 500)]
    if grid.size == 0:
        return PartialDependence(feature=feature, grid=(), average=())
    stacked = np.repeat(base[None, :, :], grid.size, axis=0)
    stacked[:, :, j] = grid[:, None]
    p = _favourable_proba(model, stacked.reshape(-1, x.shape[1]), favourable)
    averages = p.reshape(grid.size, base.shape[0]).mean(axis=1)
    return PartialDependence(
        feature=feature,
        grid=tuple(float(g) for g in grid),
        average=tuple(float(a) for a in averages),
    )


def _explain_row(
    model: Model,
    x_all: FloatArray,
    r: int,
    features: Sequence[str],
    typical: FloatArray,
    background: FloatArray,
    mutable: Sequence[int],
    threshold: float,
    favourable: Favourable,
) -> DecisionExplanation:
    row = x_all[r]
    k = len(features)
    variants = np.repeat(row[None, :], k + 1, axis=0)
    for j in range(k):
        variants[j + 1, j] = typical[j]
    p = _favourable_proba(model, variants, favourable)
    p_row = float(p[0])
    effects = p_row - p[1:]
    order = np.argsort(-np.abs(effects))
    reasons = tuple(
        Reason(
            feature=features[j],
            effect=float(effects[j]),
            direction="raised" if effects[j] > 0 else "lowered",
        )
        for j in order[:3]
        if abs(effects[j]) > 1e-9
    )
    ok = bool(_decisions(np.array([p_row]), threshold, favourable)[0])
    contributions = None
    if model.contribution_method is not None:
        contrib = model.contributions(row[None, :])[0]
        sign = 1.0 if favourable == "positive" else -1.0
        contributions = {f: float(sign * contrib[j]) for j, f in enumerate(features)}
    counterfactual = None
    if not ok:
        counterfactual = _counterfactual(
            model, row, background, mutable, features, threshold, favourable
        )
    return DecisionExplanation(
        row=r,
        probability=p_row,
        favourable=ok,
        reasons=reasons,
        counterfactual=counterfactual,
        contributions=contributions,
    )


def _counterfactual(
    model: Model,
    row: FloatArray,
    background: FloatArray,
    mutable: Sequence[int],
    features: Sequence[str],
    threshold: float,
    favourable: Favourable,
    points: int = 40,
    steps: int = 12,
) -> Counterfactual | None:
    """The single-feature change, smallest relative to the feature's spread, that flips it."""
    best: tuple[float, Counterfactual] | None = None
    for j in mutable:
        column = background[:, j]
        finite = column[np.isfinite(column)]
        if finite.size == 0 or not math.isfinite(row[j]):
            continue
        spread = float(np.subtract(*np.quantile(finite, [0.75, 0.25]))) or float(np.std(finite))
        spread = spread or 1.0
        lo, hi = float(finite.min()), float(finite.max())
        for end, direction in ((hi, "at_least"), (lo, "at_most")):
            if (direction == "at_least" and end <= row[j]) or (
                direction == "at_most" and end >= row[j]
            ):
                continue
            candidates = np.linspace(row[j], end, points + 1)[1:]
            batch = np.repeat(row[None, :], candidates.size, axis=0)
            batch[:, j] = candidates
            ok = _decisions(_favourable_proba(model, batch, favourable), threshold, favourable)
            hits = np.flatnonzero(ok == 1.0)
            if hits.size == 0:
                continue
            first = int(hits[0])
            good, bad = (
                float(candidates[first]),
                float(candidates[first - 1]) if first else float(row[j]),
            )
            for _ in range(steps):
                mid = (good + bad) / 2.0
                probe = row.copy()
                probe[j] = mid
                fav = _decisions(
                    _favourable_proba(model, probe[None, :], favourable), threshold, favourable
                )[0]
                good, bad = (mid, bad) if fav == 1.0 else (good, mid)
            probe = row.copy()
            probe[j] = good
            prob = float(_favourable_proba(model, probe[None, :], favourable)[0])
            distance = abs(good - row[j]) / spread
            cf = Counterfactual(
                feature=features[j],
                direction=direction,  # type: ignore[arg-type]
                value=good,
                probability=prob,
            )
            if best is None or distance < best[0]:
                best = (distance, cf)
    return best[1] if best else None


def _robustness(
    model: Model,
    x: FloatArray,
    groups_frame: pl.DataFrame | None,
    sensitive: Sequence[str],
    features: Sequence[str],
    noise: float,
    repeats: int,
    rng: np.random.Generator,
    threshold: float,
    favourable: Favourable,
) -> Robustness:
    base = _decisions(_favourable_proba(model, x, favourable), threshold, favourable)
    std = np.nanstd(x, axis=0)
    flips = np.zeros(x.shape[0])
    for _ in range(repeats):
        noisy = x + rng.normal(0.0, 1.0, size=x.shape) * (noise * std)[None, :]
        flips += (
            _decisions(_favourable_proba(model, noisy, favourable), threshold, favourable) != base
        )
    per_row = flips / max(repeats, 1)
    by_group: dict[str, dict[str, float]] = {}
    if groups_frame is not None:
        for column in sensitive:
            values = groups_frame.get_column(column).cast(pl.String).to_list()
            rates: dict[str, list[float]] = {}
            for value, rate in zip(values, per_row, strict=True):
                rates.setdefault("(missing)" if value is None else value, []).append(float(rate))
            by_group[column] = {k: float(np.mean(v)) for k, v in sorted(rates.items())}
    missing: dict[str, float] = {}
    strategy: dict[str, str] = {}
    medians = np.nanmedian(x, axis=0)
    for j, f in enumerate(features):
        blanked = x.copy()
        blanked[:, j] = np.nan
        try:
            p = _favourable_proba(model, blanked, favourable)
            if not np.all(np.isfinite(p)):
                raise InputError("audit.error.model_predict", path=model.path, reason="NaN")
            strategy[f] = "model"
        except InputError:
            blanked[:, j] = medians[j]
            p = _favourable_proba(model, blanked, favourable)
            strategy[f] = "median"
        missing[f] = float(np.mean(_decisions(p, threshold, favourable) != base))
    return Robustness(
        noise=noise,
        repeats=repeats,
        flip_rate=float(np.mean(per_row)),
        flip_rate_by_group=by_group,
        missing_flip_rate=missing,
        missing_strategy=strategy,
    )

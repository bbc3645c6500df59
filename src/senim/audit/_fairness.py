"""Fairness audit of logged decisions: one counting pass, then everything from the counts.

``audit_fairness`` takes an Arrow table or polars frame of decisions, counts ``n``, ``pp``
(predicted positive), ``lp`` (label positive), ``tp`` and the score sum per finest group (all
sensitive columns, plus the score bin) in a single polars group-by, and derives per-group
metrics, Wilson intervals, disparities against a reference group with Newcombe intervals and
corrected tests, policy criteria and an optional seeded bootstrap from those counts alone.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from senim.audit._data import read_table
from senim.audit._metrics import METRIC_BY_NAME, METRICS, MetricDef, cells, fraction
from senim.audit._policy import Criterion, Policy, load_policy
from senim.audit._stats import adjust_p_values, newcombe, proportion, two_proportion_p_value, wilson
from senim.errors import InputError, UsageError

Status = Literal["pass", "fail", "insufficient_data", "not_applicable"]
Features = dict[str, str | None]
FloatArray = npt.NDArray[np.float64]

_TRUE = frozenset({"1", "true", "t", "yes", "y"})
_FALSE = frozenset({"0", "false", "f", "no", "n"})
_BIN = "__senim_bin"
_PRED = "__senim_pred"
_LABEL = "__senim_label"
_SCORE = "__senim_score"


@dataclass(frozen=True, slots=True, kw_only=True)
class Estimate:
    """A rate with its counts, Wilson interval and (optionally) bootstrap interval."""

    value: float | None
    low: float | None
    high: float | None
    numerator: int
    denominator: int
    boot_low: float | None = None
    boot_high: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CalibrationBin:
    """Observed positive rate of the label among decisions whose score fell in one bin."""

    low: float
    high: float
    count: int
    mean_score: float
    observed_rate: float
    observed_low: float
    observed_high: float


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupResult:
    """Metrics of one group (``features`` maps each sensitive column to its value)."""

    features: Features
    count: int
    share: float
    small: bool
    confusion: dict[str, int] | None
    metrics: dict[str, Estimate]
    calibration: tuple[CalibrationBin, ...] = ()
    calibration_error: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Disparity:
    """One group against the reference group on one metric."""

    features: Features
    metric: str
    value: float | None
    reference_value: float | None
    difference: float | None
    difference_low: float | None
    difference_high: float | None
    ratio: float | None
    p_value: float | None
    p_adjusted: float | None
    significant: bool
    small: bool
    boot_low: float | None = None
    boot_high: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CriterionResult:
    """A policy criterion evaluated on one dimension."""

    criterion: str
    columns: tuple[str, ...]
    statistic: str
    metric: str | None
    value: float | None
    threshold: float
    pass_if: str
    status: Status
    reason: str | None
    worst: Features | None
    best: Features | None
    p_value: float | None = None
    p_adjusted: float | None = None
    significant: bool | None = None
    boot_low: float | None = None
    boot_high: float | None = None
    excluded_small: tuple[Features, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Dimension:
    """The groups formed by one set of sensitive columns."""

    columns: tuple[str, ...]
    reference: Features
    reference_rule: Literal["largest", "given"]
    groups: tuple[GroupResult, ...]
    disparities: tuple[Disparity, ...]
    criteria: tuple[CriterionResult, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FairnessReport:
    """Everything an audit found; ``to_dict()`` is the JSON contract."""

    source: str | None
    rows: int
    rows_used: int
    excluded: dict[str, int]
    prediction: str | None
    label: str | None
    score: str | None
    threshold: float | None
    sensitive: tuple[str, ...]
    intersectional: bool
    policy: Policy
    bootstrap: int
    seed: int | None
    overall: GroupResult
    dimensions: tuple[Dimension, ...]
    status: Status = "pass"
    metric_names: tuple[str, ...] = field(default_factory=tuple)

    @property
    def groups(self) -> list[GroupResult]:
        return [group for dim in self.dimensions for group in dim.groups]

    @property
    def criteria(self) -> list[CriterionResult]:
        return [result for dim in self.dimensions for result in dim.criteria]

    def to_dict(self) -> dict[str, Any]:
        from senim.audit._render import report_to_dict

        return report_to_dict(self)


def audit_decisions(
    source: str,
    *,
    table: str | None = None,
    prediction: str | None = None,
    label: str | None = None,
    sensitive: Sequence[str],
    score: str | None = None,
    **options: Any,
) -> FairnessReport:
    """Read ``source`` (CSV, Parquet, JSONL or a database URL with ``table``) and audit it."""
    _check_columns_given(prediction, label, sensitive, score, options.get("threshold"))
    columns = [c for c in (prediction, label, score, *sensitive) if c]
    frame = read_table(source, columns=columns, table=table, string_columns=sensitive)
    report = audit_fairness(
        frame, prediction=prediction, label=label, sensitive=sensitive, score=score, **options
    )
    return _replace_source(report, source if not table else f"{source} {table}")


def _replace_source(report: FairnessReport, source: str) -> FairnessReport:
    from dataclasses import replace

    return replace(report, source=_safe_source(source))


def _safe_source(source: str) -> str:
    if "://" in source and "@" in source:
        scheme, rest = source.split("://", 1)
        creds, _, host = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else source
    return source


def _check_columns_given(
    prediction: str | None,
    label: str | None,
    sensitive: Sequence[str],
    score: str | None,
    threshold: float | None,
) -> None:
    if not sensitive:
        raise UsageError("audit.error.no_sensitive")
    if threshold is not None and score is None:
        raise UsageError("audit.error.threshold_needs_score")
    if prediction is None and (score is None or threshold is None):
        raise UsageError("audit.error.no_prediction")
    if prediction is not None and threshold is not None:
        raise UsageError("audit.error.prediction_and_threshold")
    used = [c for c in (prediction, label, score) if c]
    overlap = sorted(set(used) & set(sensitive))
    if overlap:
        raise UsageError("audit.error.column_twice", columns=", ".join(overlap))
    if len(set(sensitive)) != len(sensitive):
        raise UsageError("audit.error.column_twice", columns=", ".join(sensitive))


def audit_fairness(
    data: pl.DataFrame | Any,
    *,
    prediction: str | None = None,
    label: str | None = None,
    sensitive: Sequence[str],
    score: str | None = None,
    threshold: float | None = None,
    positive: str | None = None,
    intersectional: bool = False,
    reference: Mapping[str, str] | None = None,
    policy: Policy | None = None,
    min_group_size: int | None = None,
    confidence: float | None = None,
    bins: int = 10,
    bootstrap: int = 0,
    seed: int | None = 0,
    max_groups: int = 100,
) -> FairnessReport:
    """Audit decisions in ``data`` (polars frame or Arrow table) by the ``sensitive`` columns."""
    _check_columns_given(prediction, label, sensitive, score, threshold)
    if bootstrap < 0:
        raise UsageError("audit.error.bootstrap_negative")
    if bins < 1:
        raise UsageError("audit.error.bins")
    frame = data if isinstance(data, pl.DataFrame) else pl.DataFrame(pl.from_arrow(data))
    missing = [c for c in (prediction, label, score, *sensitive) if c and c not in frame.columns]
    if missing:
        raise InputError(
            "audit.error.missing_columns",
            path="data",
            columns=", ".join(missing),
            available=", ".join(frame.columns),
        )
    pol = (policy or load_policy()).with_overrides(
        min_group_size=min_group_size, confidence=confidence
    )
    sens = tuple(sensitive)
    for column in sens:
        distinct = frame.get_column(column).n_unique()
        if distinct > max_groups:
            raise UsageError(
                "audit.error.too_many_groups", column=column, count=distinct, limit=max_groups
            )

    exprs: list[pl.Expr] = [pl.col(c).cast(pl.String) for c in sens]
    if score is not None:
        if not frame.schema[score].is_numeric():
            raise InputError("audit.error.score_not_numeric", column=score)
        exprs.append(pl.col(score).cast(pl.Float64).alias(_SCORE))
    if prediction is not None:
        exprs.append(_binary(frame, prediction, positive).alias(_PRED))
    else:
        assert threshold is not None
        assert score is not None
        exprs.append((pl.col(score) >= threshold).alias(_PRED))
    if label is not None:
        exprs.append(_binary(frame, label, positive).alias(_LABEL))
    work = frame.select(exprs)

    null_counts = work.select(pl.all().null_count()).row(0, named=True)
    excluded = {}
    if null_counts[_PRED]:
        excluded["missing_prediction" if prediction else "missing_score"] = null_counts[_PRED]
    if label is not None and null_counts[_LABEL]:
        excluded["missing_label"] = null_counts[_LABEL]
    if score is not None and prediction is not None and null_counts[_SCORE]:
        excluded["missing_score"] = null_counts[_SCORE]
    required = [_PRED] + ([_LABEL] if label else []) + ([_SCORE] if score else [])
    valid = pl.all_horizontal([pl.col(c).is_not_null() for c in required])
    if score is not None:
        valid = valid & pl.col(_SCORE).is_finite()
    work = work.filter(valid)
    rows_used = work.height
    if rows_used == 0:
        raise InputError("audit.error.no_rows")

    keys = list(sens)
    edges: FloatArray | None = None
    if score is not None:
        lo, hi = work.select(
            pl.col(_SCORE).min().alias("lo"), pl.col(_SCORE).max().alias("hi")
        ).row(0)
        edges = np.linspace(float(lo), float(hi), bins + 1)
        width = (float(hi) - float(lo)) or 1.0
        work = work.with_columns(
            ((pl.col(_SCORE) - float(lo)) / width * bins)
            .floor()
            .clip(0, bins - 1)
            .cast(pl.Int32)
            .alias(_BIN)
        )
        keys.append(_BIN)

    pred = pl.col(_PRED)
    aggs = [pl.len().alias("n"), pred.sum().alias("pp")]
    if label is not None:
        lab = pl.col(_LABEL)
        aggs += [lab.sum().alias("lp"), (pred & lab).sum().alias("tp")]
    if score is not None:
        aggs.append(pl.col(_SCORE).sum().alias("ssum"))
    # The single pass over the rows: everything below works on this small table.
    finest = work.group_by(keys).agg(aggs)

    metric_defs = [m for m in METRICS if label is not None or not m.needs_label]
    dims = _dimensions(sens, intersectional)
    rng = np.random.default_rng(seed) if bootstrap else None
    overall = _groups(finest, (), metric_defs, pol, rows_used, edges, label is not None, None, 0)[0]
    dimensions = [
        _dimension(
            finest,
            cols,
            metric_defs,
            pol,
            rows_used,
            edges,
            label is not None,
            reference,
            rng,
            bootstrap,
        )
        for cols in dims
    ]
    dimensions = _adjust_criteria(dimensions, pol)
    statuses = {c.status for d in dimensions for c in d.criteria}
    status: Status = "pass"
    if "fail" in statuses:
        status = "fail"
    elif "insufficient_data" in statuses:
        status = "insufficient_data"
    elif statuses == {"not_applicable"}:
        status = "not_applicable"
    return FairnessReport(
        source=None,
        rows=frame.height,
        rows_used=rows_used,
        excluded=excluded,
        prediction=prediction,
        label=label,
        score=score,
        threshold=threshold,
        sensitive=sens,
        intersectional=intersectional,
        policy=pol,
        bootstrap=bootstrap,
        seed=seed if bootstrap else None,
        overall=overall,
        dimensions=tuple(dimensions),
        status=status,
        metric_names=tuple(m.name for m in metric_defs),
    )


def _binary(frame: pl.DataFrame, column: str, positive: str | None) -> pl.Expr:
    """A boolean expression for a 0/1, boolean or yes/no column (``positive`` names the class)."""
    dtype = frame.schema[column]
    col = pl.col(column)
    if dtype == pl.Boolean:
        return col
    values = frame.get_column(column).drop_nulls().unique()
    if positive is not None:
        if dtype.is_numeric():
            try:
                target = float(positive)
            except ValueError as exc:
                raise UsageError("audit.error.positive_not_number", column=column) from exc
            return col.cast(pl.Float64) == target
        return col.cast(pl.String) == positive
    if dtype.is_numeric():
        if values.len() and not values.cast(pl.Float64).is_in([0.0, 1.0]).all():
            raise InputError("audit.error.not_binary", column=column)
        return col.cast(pl.Float64) == 1.0
    lowered = {str(v).strip().lower() for v in values.to_list()}
    if lowered <= _TRUE | _FALSE:
        return col.cast(pl.String).str.strip_chars().str.to_lowercase().is_in(list(_TRUE))
    raise InputError("audit.error.not_binary", column=column)


def _dimensions(sens: tuple[str, ...], intersectional: bool) -> list[tuple[str, ...]]:
    if not intersectional:
        return [(c,) for c in sens]
    out: list[tuple[str, ...]] = []
    for size in range(1, len(sens) + 1):
        out.extend(itertools.combinations(sens, size))
    return out


def _rollup(finest: pl.DataFrame, cols: Sequence[str], extra: Sequence[str] = ()) -> pl.DataFrame:
    sums = [pl.col(c).sum() for c in finest.columns if c in ("n", "pp", "lp", "tp", "ssum")]
    keys = [*cols, *extra]
    if not keys:
        return finest.select(sums)
    return finest.group_by(keys).agg(sums).sort(keys, nulls_last=True)


def _counts(table: pl.DataFrame, has_label: bool) -> dict[str, npt.NDArray[np.int64]]:
    n = table.get_column("n").to_numpy().astype(np.int64)
    pp = table.get_column("pp").to_numpy().astype(np.int64)
    if has_label:
        lp = table.get_column("lp").to_numpy().astype(np.int64)
        tp = table.get_column("tp").to_numpy().astype(np.int64)
    else:
        lp = np.zeros_like(n)
        tp = np.zeros_like(n)
    return {"n": n, "pp": pp, "lp": lp, "tp": tp}


def _opt(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _groups(
    finest: pl.DataFrame,
    cols: tuple[str, ...],
    metric_defs: Sequence[MetricDef],
    pol: Policy,
    total: int,
    edges: FloatArray | None,
    has_label: bool,
    boot: dict[str, FloatArray] | None,
    alpha_index: int,
) -> list[GroupResult]:
    table = _rollup(finest, cols)
    counts = _counts(table, has_label)
    cell = cells(counts["n"], counts["pp"], counts["lp"], counts["tp"])
    features = (
        [{c: row[c] for c in cols} for row in table.select(cols).iter_rows(named=True)]
        if cols
        else [{}]
    )
    per_metric: dict[str, tuple[Any, ...]] = {}
    for metric in metric_defs:
        num, den = fraction(metric, cell)
        value = proportion(num, den)
        low, high = wilson(num, den, pol.confidence)
        per_metric[metric.name] = (num, den, value, low, high)
    calibration = _calibration(finest, cols, features, pol, edges) if edges is not None else None
    out = []
    for i, feats in enumerate(features):
        metrics: dict[str, Estimate] = {}
        for name, (num, den, value, low, high) in per_metric.items():
            b_lo = b_hi = None
            if boot is not None:
                b_lo, b_hi = _percentiles(boot[name][:, i], pol.confidence)
            metrics[name] = Estimate(
                value=_opt(value[i]),
                low=_opt(low[i]),
                high=_opt(high[i]),
                numerator=int(num[i]),
                denominator=int(den[i]),
                boot_low=b_lo,
                boot_high=b_hi,
            )
        n = int(counts["n"][i])
        bins_i, ece = calibration[i] if calibration is not None else ((), None)
        out.append(
            GroupResult(
                features=feats,
                count=n,
                share=n / total if total else 0.0,
                small=n < pol.min_group_size,
                confusion={k: int(v[i]) for k, v in cell.items()} if has_label else None,
                metrics=metrics,
                calibration=bins_i,
                calibration_error=ece,
            )
        )
    return out


def _calibration(
    finest: pl.DataFrame,
    cols: tuple[str, ...],
    features: list[Features],
    pol: Policy,
    edges: FloatArray,
) -> list[tuple[tuple[CalibrationBin, ...], float | None]] | None:
    if "lp" not in finest.columns:
        return None
    table = _rollup(finest, cols, (_BIN,))
    index = {tuple(f.get(c) for c in cols): i for i, f in enumerate(features)}
    per_group: list[list[CalibrationBin]] = [[] for _ in features]
    n = table.get_column("n").to_numpy().astype(np.int64)
    lp = table.get_column("lp").to_numpy().astype(np.int64)
    low, high = wilson(lp, n, pol.confidence)
    ssum = table.get_column("ssum").to_numpy()
    bins = table.get_column(_BIN).to_numpy()
    keys = table.select(cols).iter_rows() if cols else itertools.repeat((), table.height)
    for j, key in enumerate(keys):
        b = int(bins[j])
        per_group[index[tuple(key)]].append(
            CalibrationBin(
                low=float(edges[b]),
                high=float(edges[b + 1]),
                count=int(n[j]),
                mean_score=float(ssum[j] / n[j]),
                observed_rate=float(lp[j] / n[j]),
                observed_low=float(low[j]),
                observed_high=float(high[j]),
            )
        )
    probabilistic = float(edges[0]) >= 0.0 and float(edges[-1]) <= 1.0
    out: list[tuple[tuple[CalibrationBin, ...], float | None]] = []
    for group_bins in per_group:
        total = sum(b.count for b in group_bins)
        ece = (
            sum(b.count * abs(b.mean_score - b.observed_rate) for b in group_bins) / total
            if probabilistic and total
            else None
        )
        out.append((tuple(group_bins), ece))
    return out


def _percentiles(samples: FloatArray, confidence: float) -> tuple[float | None, float | None]:
    finite = samples[~np.isnan(samples)]
    if finite.size == 0:
        return None, None
    tail = (1.0 - confidence) / 2.0 * 100.0
    lo, hi = np.percentile(finite, [tail, 100.0 - tail])
    return float(lo), float(hi)


def _bootstrap(
    counts: dict[str, npt.NDArray[np.int64]],
    metric_defs: Sequence[MetricDef],
    rng: np.random.Generator,
    replicates: int,
    has_label: bool,
) -> dict[str, FloatArray]:
    """Stratified bootstrap on counts: resampling rows within a group is a multinomial draw."""
    n = counts["n"]
    groups = n.size
    if has_label:
        cell = cells(n, counts["pp"], counts["lp"], counts["tp"])
        probs = np.stack([cell[c] for c in ("tp", "fp", "fn", "tn")], axis=1) / n[:, None]
        draws = np.stack(
            [rng.multinomial(int(n[g]), probs[g], size=replicates) for g in range(groups)], axis=1
        )  # (B, G, 4)
        tp, fp, fn, tn = (draws[..., k] for k in range(4))
    else:
        pp_draw = np.stack(
            [
                rng.binomial(int(n[g]), counts["pp"][g] / n[g], size=replicates)
                for g in range(groups)
            ],
            axis=1,
        )
        tp, fp, fn, tn = np.zeros_like(pp_draw), pp_draw, np.zeros_like(pp_draw), n - pp_draw
    boot_cells = {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
    out: dict[str, FloatArray] = {}
    for metric in metric_defs:
        num = sum(boot_cells[c] for c in metric.numerator)
        den = sum(boot_cells[c] for c in metric.denominator)
        out[metric.name] = proportion(num, den)
    return out


def _dimension(
    finest: pl.DataFrame,
    cols: tuple[str, ...],
    metric_defs: Sequence[MetricDef],
    pol: Policy,
    total: int,
    edges: FloatArray | None,
    has_label: bool,
    reference: Mapping[str, str] | None,
    rng: np.random.Generator | None,
    replicates: int,
) -> Dimension:
    table = _rollup(finest, cols)
    counts = _counts(table, has_label)
    boot = _bootstrap(counts, metric_defs, rng, replicates, has_label) if rng else None
    groups = _groups(finest, cols, metric_defs, pol, total, edges, has_label, boot, 0)
    ref_index, rule = _reference(groups, cols, reference)
    disparities = _disparities(groups, ref_index, counts, metric_defs, pol, boot)
    criteria = [
        _criterion(crit, cols, groups, ref_index, counts, has_label, pol, boot)
        for crit in pol.criteria
    ]
    return Dimension(
        columns=cols,
        reference=groups[ref_index].features,
        reference_rule=rule,
        groups=tuple(groups),
        disparities=tuple(disparities),
        criteria=tuple(criteria),
    )


def _reference(
    groups: list[GroupResult], cols: tuple[str, ...], reference: Mapping[str, str] | None
) -> tuple[int, Literal["largest", "given"]]:
    if reference and all(c in reference for c in cols):
        for i, group in enumerate(groups):
            if all(group.features[c] == reference[c] for c in cols):
                return i, "given"
        wanted = ", ".join(f"{c}={reference[c]}" for c in cols)
        raise UsageError("audit.error.no_reference_group", group=wanted)
    largest = max(range(len(groups)), key=lambda i: (groups[i].count, -i))
    return largest, "largest"


def _disparities(
    groups: list[GroupResult],
    ref: int,
    counts: dict[str, npt.NDArray[np.int64]],
    metric_defs: Sequence[MetricDef],
    pol: Policy,
    boot: dict[str, FloatArray] | None,
) -> list[Disparity]:
    rows: list[dict[str, Any]] = []
    for metric in metric_defs:
        ref_est = groups[ref].metrics[metric.name]
        others = [i for i in range(len(groups)) if i != ref]
        if not others:
            continue
        k1 = np.array([groups[i].metrics[metric.name].numerator for i in others])
        n1 = np.array([groups[i].metrics[metric.name].denominator for i in others])
        low, high = newcombe(k1, n1, ref_est.numerator, ref_est.denominator, pol.confidence)
        p = two_proportion_p_value(k1, n1, ref_est.numerator, ref_est.denominator)
        for j, i in enumerate(others):
            est = groups[i].metrics[metric.name]
            diff = (
                est.value - ref_est.value
                if est.value is not None and ref_est.value is not None
                else None
            )
            ratio = (
                est.value / ref_est.value
                if est.value is not None and ref_est.value not in (None, 0.0)
                else None
            )
            b_lo = b_hi = None
            if boot is not None:
                b_lo, b_hi = _percentiles(
                    boot[metric.name][:, i] - boot[metric.name][:, ref], pol.confidence
                )
            rows.append(
                {
                    "features": groups[i].features,
                    "metric": metric.name,
                    "value": est.value,
                    "reference_value": ref_est.value,
                    "difference": diff,
                    "difference_low": _opt(low[j]) if diff is not None else None,
                    "difference_high": _opt(high[j]) if diff is not None else None,
                    "ratio": ratio,
                    "p_value": _opt(p[j]),
                    "small": groups[i].small or groups[ref].small,
                    "boot_low": b_lo,
                    "boot_high": b_hi,
                }
            )
    family = np.array(
        [np.nan if r["small"] or r["p_value"] is None else r["p_value"] for r in rows]
    )
    adjusted = adjust_p_values(family, pol.correction) if rows else family
    alpha = 1.0 - pol.confidence
    out = []
    for r, adj in zip(rows, adjusted, strict=True):
        p_adj = _opt(adj)
        out.append(
            Disparity(**r, p_adjusted=p_adj, significant=p_adj is not None and p_adj < alpha)
        )
    return out


def _criterion(
    crit: Criterion,
    cols: tuple[str, ...],
    groups: list[GroupResult],
    ref: int,
    counts: dict[str, npt.NDArray[np.int64]],
    has_label: bool,
    pol: Policy,
    boot: dict[str, FloatArray] | None,
) -> CriterionResult:
    threshold = crit.threshold if crit.threshold is not None else float(pol.min_group_size)

    def make(**fields: Any) -> CriterionResult:
        return CriterionResult(
            criterion=crit.id,
            columns=cols,
            statistic=crit.statistic,
            threshold=threshold,
            pass_if=crit.pass_if,
            **fields,
        )

    if crit.statistic == "min_count":
        i = min(range(len(groups)), key=lambda k: (groups[k].count, k))
        value = float(groups[i].count)
        return make(
            metric="count",
            value=value,
            status=_compare(value, threshold, crit),
            reason=None,
            worst=groups[i].features,
            best=None,
        )
    if any(METRIC_BY_NAME[m].needs_label for m in crit.metrics) and not has_label:
        return make(
            metric=None,
            value=None,
            status="not_applicable",
            reason="no_label",
            worst=None,
            best=None,
        )
    eligible = [i for i, g in enumerate(groups) if not g.small]
    small = tuple(g.features for g in groups if g.small)
    candidates: list[tuple[float, str, int, int, float | None, float | None]] = []
    for name in crit.metrics:
        values = {i: groups[i].metrics[name].value for i in eligible}
        usable = [i for i, v in values.items() if v is not None]
        stat = _statistic(crit, usable, values, ref, boot[name] if boot else None, pol)
        if stat is not None:
            candidates.append((stat[0], name, stat[1], stat[2], stat[3], stat[4]))
    if not candidates:
        return make(
            metric=None,
            value=None,
            status="insufficient_data",
            reason="too_few_groups",
            worst=None,
            best=None,
            excluded_small=small,
        )
    ratio_like = crit.statistic in ("min_ratio", "min_ratio_to_reference")
    chosen = min(candidates) if ratio_like else max(candidates)
    value, name, worst, best, b_lo, b_hi = chosen
    a, b = groups[worst].metrics[name], groups[best].metrics[name]
    p = two_proportion_p_value(a.numerator, a.denominator, b.numerator, b.denominator)
    return make(
        metric=name,
        value=value,
        status=_compare(value, threshold, crit),
        reason=None,
        worst=groups[worst].features,
        best=groups[best].features,
        p_value=_opt(float(p)),
        boot_low=b_lo,
        boot_high=b_hi,
        excluded_small=small,
    )


def _statistic(
    crit: Criterion,
    usable: list[int],
    values: Mapping[int, float | None],
    ref: int,
    samples: FloatArray | None,
    pol: Policy,
) -> tuple[float, int, int, float | None, float | None] | None:
    """``(value, worst group, comparison group, boot low, boot high)`` or None if undefined."""
    vals = {i: float(values[i]) for i in usable}  # type: ignore[arg-type]
    to_ref = crit.statistic.endswith("_to_reference")
    if to_ref:
        if ref not in vals or len(vals) < 2:
            return None
        others = [i for i in vals if i != ref]
        if crit.statistic == "max_difference_to_reference":
            worst = max(others, key=lambda i: abs(vals[i] - vals[ref]))
            value = abs(vals[worst] - vals[ref])
        else:
            ratios = {i: _sym_ratio(vals[i], vals[ref]) for i in others}
            defined = {i: r for i, r in ratios.items() if r is not None}
            if not defined:
                return None
            worst = min(defined, key=lambda i: defined[i])
            value = defined[worst]
        comparison = ref
    else:
        if len(vals) < 2:
            return None
        hi = max(vals, key=lambda i: vals[i])
        lo = min(vals, key=lambda i: vals[i])
        if crit.statistic == "max_difference":
            value = vals[hi] - vals[lo]
        else:
            if vals[hi] == 0.0:
                return None
            value = vals[lo] / vals[hi]
        worst, comparison = lo, hi
    b_lo = b_hi = None
    if samples is not None:
        sub = samples[:, usable]
        with np.errstate(divide="ignore", invalid="ignore"):
            if crit.statistic == "max_difference":
                dist = np.nanmax(sub, axis=1) - np.nanmin(sub, axis=1)
            elif crit.statistic == "min_ratio":
                dist = np.nanmin(sub, axis=1) / np.nanmax(sub, axis=1)
            else:
                r = samples[:, [ref]]
                oth = samples[:, [i for i in usable if i != ref]]
                if crit.statistic == "max_difference_to_reference":
                    dist = np.nanmax(np.abs(oth - r), axis=1)
                else:
                    dist = np.nanmin(np.minimum(oth / r, r / oth), axis=1)
        b_lo, b_hi = _percentiles(np.where(np.isfinite(dist), dist, np.nan), pol.confidence)
    return value, worst, comparison, b_lo, b_hi


def _sym_ratio(a: float, b: float) -> float | None:
    if a == b:
        return 1.0
    if a == 0.0 or b == 0.0:
        return 0.0
    return min(a / b, b / a)


def _compare(value: float, threshold: float, crit: Criterion) -> Status:
    ok = value <= threshold if crit.pass_if == "<=" else value >= threshold
    return "pass" if ok else "fail"


def _adjust_criteria(dimensions: list[Dimension], pol: Policy) -> list[Dimension]:
    """Correct the criteria's worst-pair tests for multiple comparisons, across all dimensions."""
    from dataclasses import replace

    flat = [c for d in dimensions for c in d.criteria]
    p = np.array([np.nan if c.p_value is None else c.p_value for c in flat])
    adjusted = adjust_p_values(p, pol.correction) if flat else p
    alpha = 1.0 - pol.confidence
    it = iter(adjusted)
    out = []
    for dim in dimensions:
        crits = []
        for c in dim.criteria:
            adj = _opt(next(it))
            crits.append(
                replace(
                    c,
                    p_adjusted=adj,
                    significant=None if adj is None else adj < alpha,
                )
            )
        out.append(replace(dim, criteria=tuple(crits)))
    return out

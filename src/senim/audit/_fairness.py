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
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from senim.audit._data import _require_columns, read_table
from senim.audit._metrics import METRIC_BY_NAME, METRICS, MetricDef, cells, fraction
from senim.audit._policy import Criterion, Policy, load_policy
from senim.audit._stats import (
    NAN,
    adjust_p_values,
    newcombe,
    proportion,
    two_proportion_p_value,
    wilson,
)
from senim.errors import InputError, UsageError

if TYPE_CHECKING:
    from senim.audit._bootstrap import BootstrapSamples

Status = Literal["pass", "fail", "insufficient_data", "not_applicable"]
Features = dict[str, str | None]

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
    group: Features | None  # lowest-valued group (or farthest from the reference)
    compared_with: Features | None  # highest-valued group (or the reference)
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
    _require_columns(frame, [c for c in (prediction, label, score, *sensitive) if c])
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
    edges: list[float] | None = None
    if score is not None:
        lo, hi = work.select(
            pl.col(_SCORE).min().alias("lo"), pl.col(_SCORE).max().alias("hi")
        ).row(0)
        step = (float(hi) - float(lo)) / bins
        edges = [float(lo) + k * step for k in range(bins)] + [float(hi)]
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
    rng = None
    if bootstrap:
        from senim.audit._bootstrap import make_rng

        rng = make_rng(seed)
    overall = _groups(
        _rollup(finest, ()), finest, (), metric_defs, pol, rows_used, edges, label is not None, None
    )[0]
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


def _counts(table: pl.DataFrame, has_label: bool) -> list[dict[str, int]]:
    columns = ["n", "pp", *(["lp", "tp"] if has_label else [])]
    rows = [dict(zip(columns, map(int, row), strict=True)) for row in table.select(columns).rows()]
    if not has_label:
        for row in rows:
            row["lp"] = row["tp"] = 0
    return rows


def _opt(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _features(table: pl.DataFrame, cols: tuple[str, ...]) -> list[Features]:
    if not cols:
        return [{}]
    return [dict(row) for row in table.select(cols).iter_rows(named=True)]


def _groups(
    table: pl.DataFrame,
    finest: pl.DataFrame,
    cols: tuple[str, ...],
    metric_defs: Sequence[MetricDef],
    pol: Policy,
    total: int,
    edges: list[float] | None,
    has_label: bool,
    boot: BootstrapSamples | None,
) -> list[GroupResult]:
    counts = _counts(table, has_label)
    features = _features(table, cols)
    calibration = _calibration(finest, cols, features, pol, edges) if edges is not None else None
    out = []
    for i, (feats, c) in enumerate(zip(features, counts, strict=True)):
        cell = cells(c["n"], c["pp"], c["lp"], c["tp"])
        metrics: dict[str, Estimate] = {}
        for metric in metric_defs:
            num, den = fraction(metric, cell)
            low, high = wilson(num, den, pol.confidence)
            b_lo, b_hi = boot.group(metric.name, i) if boot is not None else (None, None)
            metrics[metric.name] = Estimate(
                value=_opt(proportion(num, den)),
                low=_opt(low),
                high=_opt(high),
                numerator=num,
                denominator=den,
                boot_low=b_lo,
                boot_high=b_hi,
            )
        bins_i, ece = calibration[i] if calibration is not None else ((), None)
        out.append(
            GroupResult(
                features=feats,
                count=c["n"],
                share=c["n"] / total if total else 0.0,
                small=c["n"] < pol.min_group_size,
                confusion={str(k): v for k, v in cell.items()} if has_label else None,
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
    edges: list[float],
) -> list[tuple[tuple[CalibrationBin, ...], float | None]] | None:
    if "lp" not in finest.columns:
        return None
    table = _rollup(finest, cols, (_BIN,))
    index = {tuple(f.get(c) for c in cols): i for i, f in enumerate(features)}
    per_group: list[list[CalibrationBin]] = [[] for _ in features]
    for row in table.iter_rows(named=True):
        n, lp, b = int(row["n"]), int(row["lp"]), int(row[_BIN])
        low, high = wilson(lp, n, pol.confidence)
        per_group[index[tuple(row[c] for c in cols)]].append(
            CalibrationBin(
                low=edges[b],
                high=edges[b + 1],
                count=n,
                mean_score=float(row["ssum"]) / n,
                observed_rate=lp / n,
                observed_low=low,
                observed_high=high,
            )
        )
    probabilistic = edges[0] >= 0.0 and edges[-1] <= 1.0
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


def _dimension(
    finest: pl.DataFrame,
    cols: tuple[str, ...],
    metric_defs: Sequence[MetricDef],
    pol: Policy,
    total: int,
    edges: list[float] | None,
    has_label: bool,
    reference: Mapping[str, str] | None,
    rng: Any,
    replicates: int,
) -> Dimension:
    table = _rollup(finest, cols)
    boot = None
    if rng is not None:
        from senim.audit._bootstrap import bootstrap_counts

        boot = bootstrap_counts(
            _counts(table, has_label), metric_defs, rng, replicates, has_label, pol.confidence
        )
    groups = _groups(table, finest, cols, metric_defs, pol, total, edges, has_label, boot)
    ref_index, rule = _reference(groups, cols, reference)
    disparities = _disparities(groups, ref_index, metric_defs, pol, boot)
    criteria = [
        _criterion(crit, cols, groups, ref_index, has_label, pol, boot) for crit in pol.criteria
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
    metric_defs: Sequence[MetricDef],
    pol: Policy,
    boot: BootstrapSamples | None,
) -> list[Disparity]:
    rows: list[dict[str, Any]] = []
    for metric in metric_defs:
        r = groups[ref].metrics[metric.name]
        for i, group in enumerate(groups):
            if i == ref:
                continue
            e = group.metrics[metric.name]
            defined = e.value is not None and r.value is not None
            low, high = newcombe(
                e.numerator, e.denominator, r.numerator, r.denominator, pol.confidence
            )
            b_lo, b_hi = boot.difference(metric.name, i, ref) if boot else (None, None)
            rows.append(
                {
                    "features": group.features,
                    "metric": metric.name,
                    "value": e.value,
                    "reference_value": r.value,
                    "difference": e.value - r.value
                    if e.value is not None and r.value is not None
                    else None,
                    "difference_low": _opt(low) if defined else None,
                    "difference_high": _opt(high) if defined else None,
                    "ratio": e.value / r.value if e.value is not None and r.value else None,
                    "p_value": _opt(
                        two_proportion_p_value(
                            e.numerator, e.denominator, r.numerator, r.denominator
                        )
                    ),
                    "small": group.small or groups[ref].small,
                    "boot_low": b_lo,
                    "boot_high": b_hi,
                }
            )
    family = [NAN if r["small"] or r["p_value"] is None else r["p_value"] for r in rows]
    adjusted = adjust_p_values(family, pol.correction)
    alpha = 1.0 - pol.confidence
    out = []
    for row, adj in zip(rows, adjusted, strict=True):
        p_adj = _opt(adj)
        out.append(
            Disparity(**row, p_adjusted=p_adj, significant=p_adj is not None and p_adj < alpha)
        )
    return out


def _criterion(
    crit: Criterion,
    cols: tuple[str, ...],
    groups: list[GroupResult],
    ref: int,
    has_label: bool,
    pol: Policy,
    boot: BootstrapSamples | None,
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
            group=groups[i].features,
            compared_with=None,
        )
    if any(METRIC_BY_NAME[m].needs_label for m in crit.metrics) and not has_label:
        return make(
            metric=None,
            value=None,
            status="not_applicable",
            reason="no_label",
            group=None,
            compared_with=None,
        )
    eligible = [i for i, g in enumerate(groups) if not g.small]
    small = tuple(g.features for g in groups if g.small)
    candidates: list[tuple[float, str, int, int, float | None, float | None]] = []
    for name in crit.metrics:
        values = {i: v for i in eligible if (v := groups[i].metrics[name].value) is not None}
        stat = _statistic(crit.statistic, values, ref)
        if stat is None:
            continue
        b_lo, b_hi = (
            boot.statistic(name, crit.statistic, list(values), ref) if boot else (None, None)
        )
        candidates.append((stat[0], name, stat[1], stat[2], b_lo, b_hi))
    if not candidates:
        return make(
            metric=None,
            value=None,
            status="insufficient_data",
            reason="too_few_groups",
            group=None,
            compared_with=None,
            excluded_small=small,
        )
    ratio_like = crit.statistic in ("min_ratio", "min_ratio_to_reference")
    chosen = min(candidates) if ratio_like else max(candidates)
    value, name, worst, best, b_lo, b_hi = chosen
    a, b = groups[worst].metrics[name], groups[best].metrics[name]
    return make(
        metric=name,
        value=value,
        status=_compare(value, threshold, crit),
        reason=None,
        group=groups[worst].features,
        compared_with=groups[best].features,
        p_value=_opt(
            two_proportion_p_value(a.numerator, a.denominator, b.numerator, b.denominator)
        ),
        boot_low=b_lo,
        boot_high=b_hi,
        excluded_small=small,
    )


def _statistic(
    statistic: str, vals: Mapping[int, float], ref: int
) -> tuple[float, int, int] | None:
    """``(value, worst group, comparison group)``, or None when undefined."""
    if len(vals) < 2:
        return None
    if statistic.endswith("_to_reference"):
        if ref not in vals:
            return None
        others = [i for i in vals if i != ref]
        if statistic == "max_difference_to_reference":
            worst = max(others, key=lambda i: abs(vals[i] - vals[ref]))
            return abs(vals[worst] - vals[ref]), worst, ref
        ratios = {i: _sym_ratio(vals[i], vals[ref]) for i in others}
        worst = min(ratios, key=lambda i: ratios[i])
        return ratios[worst], worst, ref
    hi = max(vals, key=lambda i: vals[i])
    lo = min(vals, key=lambda i: vals[i])
    if statistic == "max_difference":
        return vals[hi] - vals[lo], lo, hi
    if vals[hi] == 0.0:
        return None
    return vals[lo] / vals[hi], lo, hi


def _sym_ratio(a: float, b: float) -> float:
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
    flat = [c for d in dimensions for c in d.criteria]
    adjusted = adjust_p_values(
        [NAN if c.p_value is None else c.p_value for c in flat], pol.correction
    )
    alpha = 1.0 - pol.confidence
    it = iter(adjusted)
    out = []
    for dim in dimensions:
        crits = []
        for c in dim.criteria:
            adj = _opt(next(it))
            crits.append(
                replace(c, p_adjusted=adj, significant=None if adj is None else adj < alpha)
            )
        out.append(replace(dim, criteria=tuple(crits)))
    return out

"""Render a fairness report as JSON (the contract), a terminal table, or self-contained HTML."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

from senim._i18n import message, resolve_lang

if TYPE_CHECKING:
    from senim.audit._fairness import (
        CriterionResult,
        Disparity,
        Estimate,
        FairnessReport,
        Features,
        GroupResult,
    )

SCHEMA_VERSION = "1"


def _round(value: float | None) -> float | None:
    return None if value is None else float(value)


def _ci(low: float | None, high: float | None) -> list[float | None] | None:
    return None if low is None and high is None else [_round(low), _round(high)]


def group_to_dict(group: GroupResult, metric_names: tuple[str, ...]) -> dict[str, Any]:
    """One group: ``features``, ``count``, each metric with ``<metric>_ci`` beside it."""
    out: dict[str, Any] = {
        "features": dict(group.features),
        "count": group.count,
        "share": group.share,
        "small": group.small,
    }
    for name in metric_names:
        est: Estimate = group.metrics[name]
        out[name] = _round(est.value)
        out[f"{name}_ci"] = _ci(est.low, est.high)
        if est.boot_low is not None or est.boot_high is not None:
            out[f"{name}_bootstrap_ci"] = _ci(est.boot_low, est.boot_high)
    if group.confusion is not None:
        out["confusion"] = dict(group.confusion)
    if group.calibration:
        out["calibration"] = [
            {
                "score_low": b.low,
                "score_high": b.high,
                "count": b.count,
                "mean_score": b.mean_score,
                "observed_rate": b.observed_rate,
                "observed_rate_ci": [b.observed_low, b.observed_high],
            }
            for b in group.calibration
        ]
        out["calibration_error"] = group.calibration_error
    return out


def _disparity(d: Disparity) -> dict[str, Any]:
    out: dict[str, Any] = {
        "features": dict(d.features),
        "metric": d.metric,
        "value": d.value,
        "reference_value": d.reference_value,
        "difference": d.difference,
        "difference_ci": _ci(d.difference_low, d.difference_high),
        "ratio": d.ratio,
        "p_value": d.p_value,
        "p_adjusted": d.p_adjusted,
        "significant": d.significant,
        "small": d.small,
    }
    if d.boot_low is not None or d.boot_high is not None:
        out["difference_bootstrap_ci"] = _ci(d.boot_low, d.boot_high)
    return out


def _criterion(c: CriterionResult, report: FairnessReport) -> dict[str, Any]:
    crit = next(x for x in report.policy.criteria if x.id == c.criterion)
    out: dict[str, Any] = {
        "criterion": c.criterion,
        "columns": list(c.columns),
        "metric": c.metric,
        "statistic": c.statistic,
        "value": c.value,
        "threshold": c.threshold,
        "pass_if": c.pass_if,
        "status": c.status,
        "reason": c.reason,
        "group": c.group,
        "compared_with": c.compared_with,
        "p_value": c.p_value,
        "p_adjusted": c.p_adjusted,
        "significant": c.significant,
        "excluded_small_groups": [dict(f) for f in c.excluded_small],
        "basis": [cit.label() for cit in crit.basis],
    }
    if c.boot_low is not None or c.boot_high is not None:
        out["bootstrap_ci"] = _ci(c.boot_low, c.boot_high)
    return out


def report_to_dict(report: FairnessReport) -> dict[str, Any]:
    """The JSON contract of ``senim audit --format json``."""
    names = report.metric_names
    pol = report.policy
    return {
        "schema_version": SCHEMA_VERSION,
        "source": report.source,
        "rows": report.rows,
        "rows_used": report.rows_used,
        "excluded_rows": dict(report.excluded),
        "prediction": report.prediction,
        "label": report.label,
        "score": report.score,
        "threshold": report.threshold,
        "sensitive": list(report.sensitive),
        "intersectional": report.intersectional,
        "status": report.status,
        "policy": {
            "id": pol.id,
            "version": pol.version,
            "min_group_size": pol.min_group_size,
            "confidence": pol.confidence,
            "correction": pol.correction,
        },
        "method": {
            "intervals": "wilson",
            "difference_intervals": "newcombe_hybrid_score",
            "test": "two_proportion_z_pooled",
            "correction": pol.correction,
            "bootstrap": report.bootstrap,
            "bootstrap_kind": "stratified_multinomial" if report.bootstrap else None,
            "seed": report.seed,
        },
        "overall": group_to_dict(report.overall, names),
        "groups": [group_to_dict(g, names) for g in report.groups],
        "dimensions": [
            {
                "columns": list(dim.columns),
                "reference": dict(dim.reference),
                "reference_rule": dim.reference_rule,
                "disparities": [_disparity(d) for d in dim.disparities],
                "criteria": [_criterion(c, report) for c in dim.criteria],
            }
            for dim in report.dimensions
        ],
    }


def render_json(report: FairnessReport) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2, allow_nan=False)


def feature_label(features: Features, lang: str | None) -> str:
    if not features:
        return message("audit.label.all", lang)
    missing = message("audit.label.missing", lang)
    return ", ".join(f"{k}={missing if v is None else v}" for k, v in features.items())


def compared_label(group: Features | None, other: Features | None, lang: str | None) -> str:
    """``group ↔ other`` (or just the group, or a dash)."""
    if group is None:
        return "—"
    if other is None:
        return feature_label(group, lang)
    return f"{feature_label(group, lang)} ↔ {feature_label(other, lang)}"


def _fmt(value: float | None, pct: bool = True) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.1f}%" if pct else f"{value:.3g}"


def format_statistic(statistic: str, value: float | None, lang: str | None = None) -> str:
    """A criterion value as read: counts whole, differences in points, ratios to 3 digits."""
    if value is None:
        return "—"
    if statistic == "min_count":
        return str(round(value))
    if statistic in ("max_difference", "max_difference_to_reference"):
        return message("audit.unit.pp", lang, value=f"{100 * value:.1f}")
    return f"{value:.3f}"


def criterion_name(criterion: str, lang: str | None) -> str:
    """The catalogue name of a criterion, or its id for criteria only a custom policy defines."""
    from senim._i18n import catalogue

    key = f"audit.criterion.{criterion}"
    return message(key, lang) if key in catalogue() else criterion


TABLE_METRICS = (
    "selection_rate",
    "base_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "positive_predictive_value",
    "accuracy",
)


def render_table(report: FairnessReport, lang: str | None = None) -> str:
    """A terminal report (rich tables rendered to plain text)."""
    from rich.console import Console
    from rich.table import Table

    code = resolve_lang(lang)
    buffer = io.StringIO()
    # no markup: group names are the data's values ("[/x]" would end the render with a
    # MarkupError), and nothing here is styled
    console = Console(
        file=buffer,
        width=160,
        highlight=False,
        soft_wrap=False,
        color_system=None,
        markup=False,
    )
    console.print(
        message(
            "audit.table.header",
            code,
            rows=report.rows,
            used=report.rows_used,
            policy=f"{report.policy.id} {report.policy.version}",
        )
    )
    for reason, count in report.excluded.items():
        console.print(message("audit.table.excluded", code, count=count, reason=reason))
    names = [m for m in TABLE_METRICS if m in report.metric_names]
    for dim in report.dimensions:
        table = Table(title=", ".join(dim.columns), title_justify="left")
        table.add_column(message("audit.label.group", code))
        table.add_column("n", justify="right")
        for name in names:
            table.add_column(message(f"audit.metric.{name}.short", code), justify="right")
        for group in dim.groups:
            label = feature_label(group.features, code)
            if group.features == dim.reference:
                label += " *"
            if group.small:
                label += " (" + message("audit.label.small", code) + ")"
            table.add_row(
                label,
                str(group.count),
                *[_fmt(group.metrics[n].value) for n in names],
            )
        console.print(table)
        crit_table = Table(show_header=True)
        crit_table.add_column(message("audit.label.criterion", code))
        crit_table.add_column(message("audit.label.value", code), justify="right")
        crit_table.add_column(message("audit.label.threshold", code), justify="right")
        crit_table.add_column(message("audit.label.status", code))
        crit_table.add_column(message("audit.label.groups_compared", code))
        for c in dim.criteria:
            status = message(f"audit.status.{c.status}", code)
            if c.status == "fail" and c.significant is False:
                status += " (" + message("audit.label.not_significant", code) + ")"
            crit_table.add_row(
                criterion_name(c.criterion, code),
                format_statistic(c.statistic, c.value, code),
                f"{c.pass_if} {format_statistic(c.statistic, c.threshold, code)}",
                status,
                compared_label(c.group, c.compared_with, code),
            )
        console.print(crit_table)
    console.print(
        message("audit.table.status", code, status=message(f"audit.status.{report.status}", code))
    )
    return buffer.getvalue()

"""Self-contained HTML fairness report (inline CSS and SVG charts, kk/ru/en)."""

from __future__ import annotations

from typing import Any

from senim._i18n import message, resolve_lang
from senim.audit._fairness import Dimension, FairnessReport
from senim.audit._render import (
    compared_label,
    criterion_name,
    feature_label,
    format_statistic,
)
from senim.report import BarChart, bar_chart_svg, render_html

CHART_METRICS = ("selection_rate", "false_positive_rate", "false_negative_rate")


def _key(features: dict[str, str | None]) -> tuple[tuple[str, str | None], ...]:
    return tuple(sorted(features.items(), key=lambda kv: kv[0]))


def _charts(dim: Dimension, report: FairnessReport, lang: str) -> list[str]:
    charts = []
    for name in CHART_METRICS:
        if name not in report.metric_names:
            continue
        # Red: small groups, and the pairs that make a criterion on this metric fail.
        failing = {
            _key(features)
            for c in dim.criteria
            if c.status == "fail" and c.metric == name
            for features in (c.group, c.compared_with)
            if features
        }
        groups = [g for g in dim.groups if g.metrics[name].value is not None]
        if not groups:
            continue
        chart = BarChart(
            title=message(f"audit.metric.{name}.short", lang),
            labels=[feature_label(g.features, lang) for g in groups],
            values=[g.metrics[name].value or 0.0 for g in groups],
            lower=[g.metrics[name].low or 0.0 for g in groups],
            upper=[g.metrics[name].high or 0.0 for g in groups],
            reference=next(
                (g.metrics[name].value for g in dim.groups if g.features == dim.reference), None
            ),
            max_value=1.0,
            value_format="{:.1%}",
            highlight=[g.small or _key(g.features) in failing for g in groups],
        )
        charts.append(bar_chart_svg(chart))
    return charts


def render_fairness_html(report: FairnessReport, *, lang: str | None = None) -> str:
    """The fairness report as one HTML page."""
    code = resolve_lang(lang)
    policy = report.policy
    rationale = {c.id: c.rationale_in(code) for c in policy.criteria}
    basis = {c.id: [cit.label() for cit in c.basis] for c in policy.criteria}
    dims: list[dict[str, Any]] = []
    for dim in report.dimensions:
        dims.append(
            {
                "columns": ", ".join(dim.columns),
                "reference": feature_label(dim.reference, code),
                "charts": _charts(dim, report, code),
                "groups": [
                    {
                        "label": feature_label(g.features, code),
                        "is_reference": g.features == dim.reference,
                        "group": g,
                    }
                    for g in dim.groups
                ],
                "criteria": [
                    {
                        "name": criterion_name(c.criterion, code),
                        "value": format_statistic(c.statistic, c.value, code),
                        "threshold": f"{c.pass_if} "
                        + format_statistic(c.statistic, c.threshold, code),
                        "result": c,
                        "groups": compared_label(c.group, c.compared_with, code),
                        "rationale": rationale.get(c.criterion, ""),
                        "basis": basis.get(c.criterion, []),
                    }
                    for c in dim.criteria
                ],
                "disparities": [
                    {"label": feature_label(d.features, code), "d": d}
                    for d in dim.disparities
                    if not d.small
                ],
            }
        )
    metrics = [m for m in report.metric_names]
    return render_html(
        "audit.html.j2",
        {
            "report": report,
            "title": policy.title.get(code) or policy.title.get("en") or policy.id,
            "dims": dims,
            "metrics": metrics,
            "failed": sum(1 for c in report.criteria if c.status == "fail"),
            "calibration": [
                {"label": feature_label(g.features, code), "group": g}
                for g in [report.overall, *report.groups]
                if g.calibration
            ],
        },
        lang=code,
        package="senim.audit",
    )

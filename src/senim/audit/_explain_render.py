"""Render model explanations and drift reports: JSON, terminal text, HTML (kk/ru/en)."""

from __future__ import annotations

import dataclasses
import io
import json
import math
from typing import Any

from senim._i18n import message, resolve_lang
from senim.audit._drift import DriftReport
from senim.audit._explain import Counterfactual, DecisionExplanation, ModelReport, Reason
from senim.report import BarChart, bar_chart_svg, render_html


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def format_value(value: float) -> str:
    """A threshold as people read it: whole numbers when large, 3 significant digits otherwise."""
    if abs(value) >= 100:
        return f"{value:,.0f}".replace(",", " ")
    return f"{value:.3g}"


def reason_text(reason: Reason, lang: str | None) -> str:
    points = f"{abs(reason.effect) * 100:.1f}"
    return message(f"audit.reason.{reason.direction}", lang, feature=reason.feature, points=points)


def counterfactual_text(cf: Counterfactual, lang: str | None) -> str:
    return message(
        f"audit.counterfactual.{cf.direction}",
        lang,
        feature=cf.feature,
        value=format_value(cf.value),
    )


def decision_dict(d: DecisionExplanation, lang: str | None) -> dict[str, Any]:
    out = dataclasses.asdict(d)
    out["reasons_text"] = [reason_text(r, lang) for r in d.reasons]
    out["counterfactual_text"] = (
        counterfactual_text(d.counterfactual, lang) if d.counterfactual else None
    )
    return out


def model_report_dict(report: ModelReport, lang: str | None = None) -> dict[str, Any]:
    code = resolve_lang(lang)
    out = dataclasses.asdict(report)
    out["decisions"] = [decision_dict(d, code) for d in report.decisions]
    return _clean(out)  # type: ignore[no-any-return]


def render_model_json(report: ModelReport, lang: str | None = None) -> str:
    return json.dumps(model_report_dict(report, lang), ensure_ascii=False, indent=2)


def render_model_text(report: ModelReport, lang: str | None = None) -> str:
    code = resolve_lang(lang)
    buf = io.StringIO()
    w = buf.write
    w(
        message(
            "audit.explain.header",
            code,
            model=report.model,
            kind=report.kind,
            sample=report.sample,
            rows=report.rows,
        )
        + "\n"
    )
    w(
        message(
            f"audit.explain.metric.{report.metric}",
            code,
            value=f"{100 * report.baseline_score:.1f}",
        )
        + "\n\n"
    )
    w(message("audit.explain.importance", code) + "\n")
    for item in report.importance:
        shap = (
            ""
            if item.contribution_mean_abs is None
            else f"  {report.contribution_method} {item.contribution_mean_abs:.3f}"
        )
        w(
            f"  {item.feature:<24} {100 * item.permutation:6.2f} ± {100 * item.permutation_std:.2f}"
            f"{shap}\n"
        )
    if report.contribution_method is None:
        w(message("audit.explain.no_shap", code) + "\n")
    w(
        "\n"
        + message(
            "audit.explain.robustness",
            code,
            noise=f"{100 * report.robustness.noise:g}",
            rate=f"{100 * report.robustness.flip_rate:.2f}",
        )
        + "\n"
    )
    for feature, rate in report.robustness.missing_flip_rate.items():
        w(
            message(
                "audit.explain.missing",
                code,
                feature=feature,
                rate=f"{100 * rate:.2f}",
                strategy=report.robustness.missing_strategy[feature],
            )
            + "\n"
        )
    for column, groups in report.robustness.flip_rate_by_group.items():
        for group, rate in groups.items():
            w(f"  {column}={group}: {100 * rate:.2f}%\n")
    w("\n")
    for d in report.decisions:
        verdict = message(
            "audit.explain.favourable" if d.favourable else "audit.explain.unfavourable", code
        )
        w(
            message(
                "audit.explain.decision",
                code,
                row=d.row,
                verdict=verdict,
                probability=f"{100 * d.probability:.1f}",
            )
            + "\n"
        )
        for r in d.reasons:
            w("  - " + reason_text(r, code) + "\n")
        if d.counterfactual:
            w("  → " + counterfactual_text(d.counterfactual, code) + "\n")
        elif not d.favourable:
            w("  → " + message("audit.counterfactual.none", code) + "\n")
    return buf.getvalue()


def render_model_html(report: ModelReport, lang: str | None = None) -> str:
    code = resolve_lang(lang)
    chart = bar_chart_svg(
        BarChart(
            title=message("audit.explain.importance", code),
            labels=[i.feature for i in report.importance],
            values=[max(100 * i.permutation, 0.0) for i in report.importance],
            value_format="{:.1f}",
        )
    )
    return render_html(
        "explain.html.j2",
        {
            "report": report,
            "importance_chart": chart,
            "pd_charts": [
                bar_chart_svg(
                    BarChart(
                        title=pd.feature,
                        labels=[format_value(g) for g in pd.grid],
                        values=list(pd.average),
                        max_value=1.0,
                        value_format="{:.1%}",
                    ),
                    bar_height=14,
                )
                for pd in report.partial_dependence
                if pd.grid
            ],
            "decisions": [
                {
                    "d": d,
                    "reasons": [reason_text(r, code) for r in d.reasons],
                    "counterfactual": counterfactual_text(d.counterfactual, code)
                    if d.counterfactual
                    else None,
                }
                for d in report.decisions
            ],
        },
        lang=code,
        package="senim.audit",
    )


def drift_dict(report: DriftReport) -> dict[str, Any]:
    return _clean(  # type: ignore[no-any-return]
        {
            "before": report.before,
            "after": report.after,
            "rows_before": report.rows_before,
            "rows_after": report.rows_after,
            "features": list(report.features),
            "sensitive": list(report.sensitive),
            "thresholds": {
                "moderate": report.policy.drift.moderate,
                "significant": report.policy.drift.significant,
            },
            "status": report.worst,
            "items": [dataclasses.asdict(item) for item in report.items],
        }
    )


def render_drift_json(report: DriftReport) -> str:
    return json.dumps(drift_dict(report), ensure_ascii=False, indent=2)


def render_drift_text(report: DriftReport, lang: str | None = None) -> str:
    code = resolve_lang(lang)
    lines = [
        message("audit.drift.header", code, before=report.rows_before, after=report.rows_after)
    ]
    for item in report.items:
        where = (
            item.feature
            if item.column is None or item.group is None
            else (f"{item.feature} [{item.column}={item.group}]")
        )
        value = "—" if item.psi is None else f"{item.psi:.4f}"
        lines.append(f"  {where:<48} PSI {value:>8}  {message(f'audit.drift.{item.level}', code)}")
    lines.append(
        message("audit.drift.status", code, status=message(f"audit.drift.{report.worst}", code))
    )
    return "\n".join(lines) + "\n"

"""CLI of the audit area: ``senim audit`` (fairness), ``senim explain`` and ``senim drift``.

Thin: parse options, call one library function, render. Heavy imports happen inside commands so
``senim --help`` and every other command stay fast.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from senim.cli._common import (
    DebugOption,
    LangOption,
    check_output,
    handle_errors,
    write_text_output,
)


class Format(StrEnum):
    table = "table"
    json = "json"
    html = "html"


class FailOn(StrEnum):
    fail = "fail"


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _reference(value: str | None, sensitive: list[str]) -> dict[str, str] | None:
    from senim.errors import UsageError

    if not value:
        return None
    out: dict[str, str] = {}
    for part in _split(value):
        column, sep, group = part.partition("=")
        if not sep or not column.strip():
            raise UsageError("audit.error.reference_syntax", value=value)
        if column.strip() not in sensitive:
            raise UsageError("audit.error.reference_column", column=column.strip())
        out[column.strip()] = group.strip()
    return out


def audit_command(
    decisions: Annotated[
        str, typer.Argument(help="Decision log: CSV, Parquet, JSONL file, or a database URL.")
    ],
    sensitive: Annotated[
        str,
        typer.Option("--sensitive", help="Sensitive column(s), comma-separated: sex,region."),
    ],
    prediction: Annotated[
        str | None, typer.Option("--prediction", help="Column with the decision (0/1).")
    ] = None,
    label: Annotated[
        str | None, typer.Option("--label", help="Column with the actual outcome (0/1).")
    ] = None,
    score: Annotated[
        str | None, typer.Option("--score", help="Column with the model's score.")
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="Decision = score >= threshold (with --score)."),
    ] = None,
    positive: Annotated[
        str | None,
        typer.Option("--positive", help="Value meaning 'positive' in text or coded columns."),
    ] = None,
    intersectional: Annotated[
        bool,
        typer.Option("--intersectional", help="Also audit every combination of the columns."),
    ] = False,
    reference: Annotated[
        str | None,
        typer.Option("--reference", help="Reference group, e.g. sex=M (default: largest)."),
    ] = None,
    table: Annotated[
        str | None, typer.Option("--table", help="Table to read when DECISIONS is a database URL.")
    ] = None,
    policy: Annotated[
        str | None, typer.Option("--policy", help="Policy YAML file (default: senim's policy).")
    ] = None,
    min_group_size: Annotated[
        int | None,
        typer.Option("--min-group-size", min=1, help="Flag groups smaller than this."),
    ] = None,
    confidence: Annotated[
        float | None,
        typer.Option("--confidence", min=0.5, max=0.999, help="Interval confidence (0.95)."),
    ] = None,
    bins: Annotated[int, typer.Option("--bins", min=1, help="Score bins for calibration.")] = 10,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", min=0, help="Bootstrap replicates (0 = off).")
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the bootstrap.")] = 0,
    max_groups: Annotated[
        int, typer.Option("--max-groups", min=2, help="Most distinct values per column.")
    ] = 100,
    output_format: Annotated[
        Format, typer.Option("--format", help="Output: table, json or html.")
    ] = Format.table,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="Exit with code 1 when a criterion fails ('fail')."),
    ] = None,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Audit decisions for bias: metrics per group, disparities, policy pass/fail."""
    with handle_errors(lang, debug):
        check_output(output)
        from senim.audit import audit_decisions, load_policy
        from senim.audit._render import render_json, render_table
        from senim.errors import CheckFailed

        columns = _split(sensitive)
        report = audit_decisions(
            decisions,
            table=table,
            prediction=prediction,
            label=label,
            sensitive=columns,
            score=score,
            threshold=threshold,
            positive=positive,
            intersectional=intersectional,
            reference=_reference(reference, columns),
            policy=load_policy(policy),
            min_group_size=min_group_size,
            confidence=confidence,
            bins=bins,
            bootstrap=bootstrap,
            seed=seed,
            max_groups=max_groups,
        )
        if output_format is Format.json:
            text = render_json(report)
        elif output_format is Format.html:
            from senim.audit._html import render_fairness_html

            text = render_fairness_html(report, lang=lang)
        else:
            text = render_table(report, lang)
        write_text_output(text, output)
        failed = sum(1 for c in report.criteria if c.status == "fail")
        if fail_on is FailOn.fail and failed:
            raise CheckFailed("audit.check_failed", count=failed)


class Favourable(StrEnum):
    positive = "positive"
    negative = "negative"


def explain_command(
    data: Annotated[
        str, typer.Argument(help="Inputs of the decisions: CSV, Parquet, JSONL or a database URL.")
    ],
    model: Annotated[
        str, typer.Option("--model", help="Model file: .pkl/.joblib (trusted only) or .onnx.")
    ],
    features: Annotated[
        str, typer.Option("--features", help="Model input columns, in the model's order.")
    ],
    label: Annotated[
        str | None, typer.Option("--label", help="Actual outcome column (0/1), if known.")
    ] = None,
    sensitive: Annotated[
        str | None,
        typer.Option("--sensitive", help="Group columns for robustness by group; never changed."),
    ] = None,
    rows: Annotated[
        str | None, typer.Option("--rows", help="Rows to explain (0-based), e.g. 3,17.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Without --rows: first N unfavourable rows.")
    ] = 5,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Positive class when P >= threshold.")
    ] = 0.5,
    favourable: Annotated[
        Favourable,
        typer.Option("--favourable", help="Which class is good for the person: positive/negative."),
    ] = Favourable.positive,
    immutable: Annotated[
        str | None,
        typer.Option("--immutable", help="Columns a counterfactual must not change (e.g. age)."),
    ] = None,
    table: Annotated[str | None, typer.Option("--table", help="Table for a database URL.")] = None,
    sample: Annotated[
        int, typer.Option("--sample", min=10, help="Rows sampled for global explanations.")
    ] = 2000,
    noise: Annotated[
        float, typer.Option("--noise", min=0.0, help="Perturbation, as a share of each spread.")
    ] = 0.05,
    seed: Annotated[int, typer.Option("--seed", help="Seed for sampling and noise.")] = 0,
    output_format: Annotated[Format, typer.Option("--format", help="table, json or html.")] = (
        Format.table
    ),
    output: Annotated[str | None, typer.Option("--output", "-o", help="Output file.")] = None,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Explain a model: importance, partial dependence, robustness, reasons, counterfactuals."""
    with handle_errors(lang, debug):
        check_output(output)
        from senim.audit._data import read_table
        from senim.audit._explain import explain_model
        from senim.audit._explain_render import (
            render_model_html,
            render_model_json,
            render_model_text,
        )
        from senim.audit._model import load_model
        from senim.errors import UsageError

        feats, groups = _split(features), _split(sensitive)
        columns = [*feats, *groups, *([label] if label else [])]
        frame = read_table(data, columns=columns, table=table, string_columns=groups)
        try:
            chosen = [int(r) for r in _split(rows)] if rows else None
        except ValueError as exc:
            raise UsageError("audit.error.rows_syntax", value=rows) from exc
        report = explain_model(
            load_model(model),
            frame,
            feats,
            label=label,
            sensitive=groups,
            rows=chosen,
            limit=limit,
            threshold=threshold,
            favourable=favourable.value,
            immutable=_split(immutable),
            sample=sample,
            noise=noise,
            seed=seed,
        )
        if output_format is Format.json:
            text = render_model_json(report, lang)
        elif output_format is Format.html:
            text = render_model_html(report, lang)
        else:
            text = render_model_text(report, lang)
        write_text_output(text, output)


class DriftFailOn(StrEnum):
    moderate = "moderate"
    significant = "significant"


def drift_command(
    before: Annotated[str, typer.Argument(help="Earlier period: file or database URL.")],
    after: Annotated[str, typer.Argument(help="Later period: file or database URL.")],
    features: Annotated[str, typer.Option("--features", help="Columns to compare.")],
    sensitive: Annotated[
        str | None, typer.Option("--sensitive", help="Also compare within these groups.")
    ] = None,
    table: Annotated[
        str | None, typer.Option("--table", help="Table name when both are database URLs.")
    ] = None,
    policy: Annotated[str | None, typer.Option("--policy", help="Policy YAML file.")] = None,
    output_format: Annotated[
        Format, typer.Option("--format", help="table or json.")
    ] = Format.table,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Output file.")] = None,
    fail_on: Annotated[
        DriftFailOn | None,
        typer.Option("--fail-on", help="Exit 1 when drift reaches this level."),
    ] = None,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Compare two periods: population stability index per feature and per group."""
    with handle_errors(lang, debug):
        check_output(output)
        from senim.audit import load_policy
        from senim.audit._drift import drift
        from senim.audit._explain_render import render_drift_json, render_drift_text
        from senim.errors import CheckFailed, UsageError

        if output_format is Format.html:
            raise UsageError("error.unknown_format", value="html", choices="table, json")
        report = drift(
            before,
            after,
            features=_split(features),
            sensitive=_split(sensitive),
            table=table,
            policy=load_policy(policy),
        )
        text = (
            render_drift_json(report)
            if output_format is Format.json
            else (render_drift_text(report, lang))
        )
        write_text_output(text, output)
        levels = ["stable", "moderate", "significant"]
        worst = report.worst
        if (
            fail_on is not None
            and worst in levels
            and (levels.index(worst) >= levels.index(fail_on.value))
        ):
            raise CheckFailed("audit.drift.check_failed", level=worst)


def register(app: typer.Typer) -> None:
    """Register this area's commands on ``app``."""
    app.command("audit", no_args_is_help=True)(audit_command)
    app.command("explain", no_args_is_help=True)(explain_command)
    app.command("drift", no_args_is_help=True)(drift_command)

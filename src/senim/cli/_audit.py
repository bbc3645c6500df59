"""CLI of the audit area: ``senim audit`` (fairness), ``senim explain`` and ``senim drift``.

Thin: parse options, call one library function, render. Heavy imports happen inside commands so
``senim --help`` and every other command stay fast.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from senim.cli._common import DebugOption, LangOption, handle_errors, write_text_output


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


def register(app: typer.Typer) -> None:
    """Register this area's commands on ``app``."""
    app.command("audit", no_args_is_help=True)(audit_command)

"""CLI of the risk area: ``senim classify``, ``senim rules``, ``senim card``, ``senim assess``.

Each command parses options, calls one library function and renders the result.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from senim._i18n import message, resolve_lang, shown
from senim.cli._common import (
    DebugOption,
    LangOption,
    check_output,
    handle_errors,
    stderr,
    write_text_output,
)
from senim.errors import CheckFailed, UsageError

CLASSIFY_FORMATS = ("table", "json", "html")
FAIL_ON = ("prohibited", "high")

PackOption = Annotated[
    str | None,
    typer.Option(
        "--pack",
        "-p",
        help="Rule packs, comma-separated: built-in names (kz, eu) or paths to pack files "
        "(default: all built-in packs).",
        show_default=False,
    ),
]
FormatOption = Annotated[
    str, typer.Option("--format", "-f", help="Output format: table, json or html.")
]
OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the report to this file (default: stdout).",
        show_default=False,
    ),
]


def _format(value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise UsageError("error.unknown_format", value=value, choices=", ".join(choices))
    return value


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError("risk.cli.bad_date", value=value) from None


def classify_command(
    cards: Annotated[
        list[Path], typer.Argument(help="System card files (YAML or JSON).", show_default=False)
    ],
    pack: PackOption = None,
    output_format: FormatOption = "table",
    output: OutputOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Apply the rules in force on this date (YYYY-MM-DD; default: today).",
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit with code 1 if any card has a prohibited finding "
            "('prohibited') or a high or prohibited result ('high').",
            show_default=False,
        ),
    ] = None,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Classify AI systems: risk and autonomy level, prohibited findings, obligations, fines.

    Exit codes: 0 done; 1 --fail-on matched; 2 invalid card, pack or option.
    """
    from senim.risk import classify, load_card, load_packs
    from senim.risk._render import classification_html, classification_json, classification_table

    with handle_errors(lang, debug):
        fmt = _format(output_format, CLASSIFY_FORMATS)
        check_output(output)
        if fail_on is not None and fail_on not in FAIL_ON:
            raise UsageError("error.unknown_format", value=fail_on, choices=", ".join(FAIL_ON))
        day = _date(as_of)
        packs = load_packs(pack)
        loaded = [(shown(path), load_card(path)) for path in cards]
        results = [classify(card, packs, source=src, as_of=day) for src, card in loaded]
        render = {
            "table": classification_table,
            "json": classification_json,
            "html": classification_html,
        }[fmt]
        write_text_output(render(results, lang=lang), output)
        if fail_on is not None:
            hits = [
                r
                for r in results
                if any(
                    p.prohibited or (fail_on == "high" and p.risk_level in ("high", "unacceptable"))
                    for p in r.packs
                )
            ]
            if hits:
                raise CheckFailed("risk.check.failed", count=len(hits), what=fail_on)


rules_app = typer.Typer(
    name="rules",
    help="Browse and test the rule packs (kz: AI Law 230-VIII, PD Law 94-V, Digital Code, "
    "Administrative Code; eu: EU AI Act).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@rules_app.command("list")
def rules_list(
    pack: PackOption = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """List every rule of the selected packs with its citation."""
    from senim.risk import load_packs
    from senim.risk._render import finding, pack_list_table

    with handle_errors(lang, debug):
        fmt = _format(output_format, ("table", "json"))
        packs = load_packs(pack)
        if fmt == "table":
            write_text_output(pack_list_table(packs, lang=lang), None)
            return
        code = resolve_lang(lang)
        from senim.risk._classify import RuleResult

        payload = [
            {
                "pack": p.id,
                "version": p.version,
                "title": p.model.title.get(code),
                "rules": [
                    {
                        **{
                            k: v
                            for k, v in finding(
                                p, RuleResult(rule=rule, status="does_not_apply"), code
                            ).items()
                            if k not in ("status", "unknown", "in_force")
                        },
                        "when": rule.when,
                        "fine": rule.outcome.fine,
                    }
                    for rule in p.model.rules
                ],
            }
            for p in packs
        ]
        write_text_output(json.dumps(payload, ensure_ascii=False, indent=2), None)


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. kz.prohibited.social_scoring.")],
    pack: PackOption = None,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Show one rule: condition, fields it reads, rationale and citations."""
    from senim.risk import load_packs
    from senim.risk._render import rule_detail

    with handle_errors(lang, debug):
        for p in load_packs(pack):
            if rule_id in p.rules:
                write_text_output(rule_detail(p, p.rules[rule_id], lang=lang), None)
                return
        raise UsageError("risk.cli.unknown_rule", rule=rule_id)


@rules_app.command("test")
def rules_test(
    pack: PackOption = None,
    golden: Annotated[
        Path | None,
        typer.Option(
            "--golden",
            help="Folder of golden cards (default: the built-in set).",
            show_default=False,
        ),
    ] = None,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Run each pack's golden cards and check that every rule is covered both ways.

    Exit codes: 0 all pass; 1 a golden card failed or a rule is not covered; 2 invalid input.
    """
    from senim.risk import load_packs
    from senim.risk._golden import run_golden
    from senim.risk._render import golden_table

    with handle_errors(lang, debug):
        reports = [run_golden(p, golden) for p in load_packs(pack)]
        write_text_output(golden_table(reports, lang=lang), None)
        failed = [r.pack.id for r in reports if not r.ok]
        if failed:
            raise CheckFailed("risk.golden.failed", packs=", ".join(failed))


card_app = typer.Typer(
    name="card",
    help="AI system cards: validate them and print the JSON Schema.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@card_app.command("validate")
def card_validate(
    cards: Annotated[list[Path], typer.Argument(help="Card files (YAML or JSON).")],
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Check cards against the schema; every problem names the field and line."""
    from senim.risk import CardInvalid, load_card

    with handle_errors(lang, debug):
        problems: list[CardInvalid] = []
        for path in cards:
            try:
                card = load_card(path)
            except CardInvalid as exc:
                problems.append(exc)
                continue
            typer.echo(
                message(
                    "risk.cli.card_valid",
                    lang,
                    source=shown(path),
                    id=card.id,
                    version=card.schema_version,
                )
            )
        if problems:
            for problem in problems[:-1]:
                text = problem.message(resolve_lang(lang))
                stderr.print(f"{message('error.prefix', lang)}: {text}", markup=False)
            raise problems[-1]


@card_app.command("schema")
def card_schema(output: OutputOption = None, debug: DebugOption = False) -> None:
    """Print the JSON Schema of system cards (the published file, version 1)."""
    from senim.risk._schema import card_json_schema

    with handle_errors(None, debug):
        write_text_output(card_json_schema(), output)


def assess_command(
    card: Annotated[Path, typer.Argument(help="System card file (YAML or JSON).")],
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            "-a",
            help="Answers file: question id -> option id (YAML or JSON).",
            show_default=False,
        ),
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            "-i",
            help="Ask in the terminal for every question the answers file and the card leave open.",
        ),
    ] = False,
    use_card: Annotated[
        bool,
        typer.Option("--card-prefill/--no-card-prefill", help="Answer questions the card settles."),
    ] = True,
    save_answers: Annotated[
        Path | None,
        typer.Option(
            "--save-answers", help="Write all answers used to this YAML file.", show_default=False
        ),
    ] = None,
    output_format: FormatOption = "table",
    output: OutputOption = None,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Human-rights impact assessment: score a card, get impact level I-IV and measures.

    Exit codes: 0 done; 2 invalid card or answers, or questions left unanswered.
    """
    from senim.risk import load_card
    from senim.risk._assess import assess, load_answers, load_questionnaire
    from senim.risk._render import assessment_html, assessment_json, assessment_table

    with handle_errors(lang, debug):
        fmt = _format(output_format, CLASSIFY_FORMATS)
        # before the questions are asked, not after they have been answered
        check_output(output, None if save_answers is None else str(save_answers))
        code = resolve_lang(lang)
        system = load_card(card)
        questionnaire = load_questionnaire()
        given = load_answers(answers, questionnaire) if answers else {}
        ask = _terminal_asker(code, questionnaire) if interactive else None
        result = assess(system, answers=given, ask=ask, use_card=use_card)
        if save_answers is not None:
            import yaml

            text = yaml.safe_dump(
                {a.question.id: a.option for a in result.answers},
                allow_unicode=True,
                sort_keys=False,
            )
            write_text_output(text, str(save_answers))
        render = {"table": assessment_table, "json": assessment_json, "html": assessment_html}[fmt]
        write_text_output(render(result, lang=code), output)


def _terminal_asker(lang: str, questionnaire: object):  # type: ignore[no-untyped-def]
    """Ask each open question on the terminal (prompts go to stderr, the report to stdout)."""
    from senim.risk._assess import Option, Question, Questionnaire

    assert isinstance(questionnaire, Questionnaire)
    total = len(questionnaire.questions)
    code = resolve_lang(lang)

    def ask(question: Question, options: list[Option]) -> str:
        index = questionnaire.questions.index(question) + 1
        section = questionnaire.sections[question.section].get(code)
        stderr.print(
            message("risk.assess.prompt_progress", code, index=index, total=total, section=section),
            markup=False,
        )
        stderr.print(question.text.get(code), markup=False)
        for number, option in enumerate(options, 1):
            stderr.print(f"  {number}. {option.label.get(code)} [{option.id}]", markup=False)
        ids = [o.id for o in options]
        while True:
            try:
                reply = str(typer.prompt(message("risk.cli.choose", code), err=True)).strip()
            except typer.Abort:
                raise UsageError("risk.cli.interactive_eof", id=question.id) from None
            if reply.isdigit() and 1 <= int(reply) <= len(options):
                return ids[int(reply) - 1]
            if reply in ids:
                return reply
            stderr.print(
                message("risk.card.bad_choice", code, value=reply, choices=", ".join(ids)),
                markup=False,
            )

    return ask


def register(app: typer.Typer) -> None:
    """Register this area's commands on ``app``."""
    app.command("classify", no_args_is_help=True)(classify_command)
    app.command("assess", no_args_is_help=True)(assess_command)
    app.add_typer(rules_app, name="rules")
    app.add_typer(card_app, name="card")

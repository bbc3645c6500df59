"""`senim scan`: find personal data in files and folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from senim._i18n import message, resolve_lang
from senim.cli._common import DebugOption, LangOption, handle_errors, stderr, write_text_output
from senim.errors import EXIT_PARTIAL, CheckFailed, InputError, UsageError

FORMAT_CHOICES = ("table", "json", "jsonl", "html")


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [v.strip().upper() for v in value.split(",") if v.strip()]


def scan(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders to scan (text, CSV/TSV, JSON, JSONL, Parquet)."),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Output: table, json, jsonl or html.")
    ] = "table",
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write the output to this file (default: stdout)."),
    ] = None,
    entities: Annotated[
        str | None,
        typer.Option(
            "--entities", "-e", help="Only these entities, comma-separated (e.g. KZ_IIN,EMAIL)."
        ),
    ] = None,
    min_score: Annotated[
        float, typer.Option("--min-score", help="Drop findings scored below this (0-1).")
    ] = 0.4,
    ner: Annotated[
        bool,
        typer.Option(
            "--ner/--no-ner",
            help="Also run the offline Russian NER model (natasha) for PERSON; slower.",
        ),
    ] = False,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when one of these entities is found (comma-separated, or 'any').",
        ),
    ] = None,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show a progress bar on stderr.")
    ] = True,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Find personal data (IIN/BIN, IBAN, phones, names, addresses, cards...) in files.

    Exit codes: 0 done; 1 --fail-on entities found; 2 usage or input error;
    3 some inputs could not be read (the rest was scanned).
    """
    from senim.discovery import Scanner
    from senim.discovery._api import scan_paths
    from senim.report import scan as render

    code = resolve_lang(lang)
    with handle_errors(code, debug):
        if fmt not in FORMAT_CHOICES:
            raise UsageError("error.unknown_format", value=fmt, choices=", ".join(FORMAT_CHOICES))
        if not 0.0 <= min_score <= 1.0:
            raise UsageError("scan.bad_min_score", value=min_score)
        wanted_fail = _split(fail_on)
        scanner = Scanner(entities=_split(entities), min_score=min_score, ner=ner)
        if wanted_fail and wanted_fail != ["ANY"]:
            scanner.registry.select(wanted_fail)  # validates the names
        show = progress and stderr.is_terminal
        with Progress(
            TextColumn("[bold]senim scan"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=stderr,
            disable=not show,
            transient=True,
        ) as bar:
            task = bar.add_task("scan", total=None)
            report = scan_paths(
                paths,
                scanner=scanner,
                on_total=lambda total: bar.update(task, total=total or None),
                on_progress=lambda n: bar.advance(task, n),
            )
        if fmt == "jsonl":
            text = "\n".join(render.iter_jsonl(report))
            write_text_output(text + ("\n" if text else ""), output)
        elif fmt == "json":
            write_text_output(render.render_json(report, code), output)
        elif fmt == "html":
            write_text_output(render.render_html_report(report, code), output)
        else:
            from senim.cli._common import stdout

            render.print_table(report, stdout, code)
        scanned = [s for s in report.sources if s.status in ("ok", "partial")]
        if wanted_fail:
            wanted = set(report.entity_counts) if wanted_fail == ["ANY"] else set(wanted_fail)
            hit = sorted(wanted & set(report.entity_counts))
            if hit:
                for problem in report.problems:
                    stderr.print(
                        f"{message('error.prefix', code)}: {problem.message(code)}", markup=False
                    )
                raise CheckFailed("scan.fail_on_found", entities=", ".join(hit))
        if report.problems:
            for problem in report.problems:
                stderr.print(
                    f"{message('error.prefix', code)}: {problem.message(code)}", markup=False
                )
            if not scanned and len(report.problems) == len(report.sources):
                first = report.problems[0]
                raise typer.Exit(first.exit_code if isinstance(first, InputError) else 2)
            stderr.print(message("scan.partial", code, count=len(report.problems)), markup=False)
            raise typer.Exit(EXIT_PARTIAL)


def register(app: typer.Typer) -> None:
    """Register the scan command."""
    app.command("scan")(scan)

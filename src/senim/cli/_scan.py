"""`senim scan`: find personal data in files, folders and databases."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import IO, TYPE_CHECKING, Annotated

import typer

from senim._collector import collector_paused
from senim._i18n import for_terminal, message, resolve_lang
from senim.cli._common import (
    DebugOption,
    LangOption,
    check_output,
    handle_errors,
    stderr,
    write_text_output,
)
from senim.errors import EXIT_PARTIAL, CheckFailed, InputError, UsageError

if TYPE_CHECKING:
    import pyarrow as pa

    from senim.discovery._report import ScanReport

FORMAT_CHOICES = ("table", "json", "jsonl", "html")
ENGINE_CHOICES = ("local", "spark")


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [v.strip().upper() for v in value.split(",") if v.strip()]


def _workers(value: str) -> int | str:
    if value == "auto":
        return "auto"
    try:
        n = int(value)
    except ValueError:
        raise UsageError("engine.bad_workers", value=value) from None
    if n < 1:
        raise UsageError("engine.bad_workers", value=value)
    return n


class _JsonlOut:
    """Writes findings as JSON Lines while the scan runs (memory stays flat)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.partial: str | None = None
        self.text: IO[str] | None = None
        self.fh: IO[bytes] | None = None
        if path in (None, "-"):
            # the bytes under stdout, when there are any (a test runner's stdout is text only)
            self.text = sys.stdout
            self.fh = getattr(sys.stdout, "buffer", None)
        else:
            # a hidden partial file (folders skip hidden files, so a scan never reads its own
            # output), renamed when the scan is done
            head, tail = os.path.split(path)
            self.partial = os.path.join(head, f".{tail}.senim-partial")
            try:
                self.fh = open(self.partial, "wb")  # noqa: SIM115
            except OSError as exc:
                raise InputError(
                    "error.output_write", path=path, reason=exc.strerror or str(exc)
                ) from exc

    def write(self, batch: pa.RecordBatch) -> None:
        from senim.report.scan import jsonl_bytes, jsonl_lines

        if self.fh is not None:
            if self.text is not None:
                self.text.flush()  # what was printed before goes first
            for chunk in jsonl_bytes(batch):
                self.fh.write(chunk)
            return
        assert self.text is not None
        for line in jsonl_lines(batch):
            self.text.write(line + "\n")

    def close(self, *, ok: bool = True) -> None:
        for stream in (self.text, self.fh):
            if stream is not None:
                stream.flush()
        if self.partial is None or self.path is None or self.fh is None:
            return
        self.fh.close()
        if ok:
            try:
                os.replace(self.partial, self.path)
            except OSError as exc:  # the path became a folder, its folder went away, ...
                with contextlib.suppress(OSError):
                    os.unlink(self.partial)
                raise InputError(
                    "error.output_write", path=self.path, reason=exc.strerror or str(exc)
                ) from exc
        else:
            os.unlink(self.partial)


def scan(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders or database URLs to scan: text, CSV/TSV, JSON, JSONL, Parquet, "
            "XLSX/XLS/ODS, DOCX, PDF, .zip/.gz; sqlite:///file.db, postgresql://user@host/db, "
            "mysql://user@host/db; '-' for standard input (format from its bytes: archives, "
            "Parquet, PDF, Office, JSON Lines, else text).",
            show_default=False,
        ),
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
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include",
            help="Databases: scan only tables matching this glob (schema.table or table); "
            "repeatable.",
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="Databases: skip tables matching this glob; repeatable."),
    ] = None,
    sample: Annotated[
        int | None,
        typer.Option(
            "--sample", help="Databases: scan only the first N rows of each table (by key)."
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option("--engine", help="Where to run: local (default) or spark (pyspark)."),
    ] = "local",
    workers: Annotated[
        str,
        typer.Option(
            "--workers",
            help=(
                "Local engine: processes that scan (this one included), or 'auto' "
                "(all cores, within a container's CPU quota, for inputs over 4 MB; "
                "compressed files count four times, "
                "database tables what their statistics say they store)."
            ),
        ),
    ] = "auto",
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            help="Spark master URL (default: $SPARK_MASTER, spark-submit's, or local[*]).",
        ),
    ] = None,
    spark_output: Annotated[
        str | None,
        typer.Option(
            "--spark-output",
            help="Spark: folder or URI (hdfs://, s3://) where executors write findings "
            "(default: a temporary folder, fine for local masters).",
        ),
    ] = None,
    incremental: Annotated[
        bool,
        typer.Option(
            "--incremental/--no-incremental",
            help="Reuse results for sources unchanged since the last scan (size+mtime, row "
            "count), kept in the store.",
        ),
    ] = False,
    store: Annotated[
        str | None,
        typer.Option(
            "--store", help="Store URL for --incremental (default: $SENIM_STORE or .senim/)."
        ),
    ] = None,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show a progress bar on stderr.")
    ] = True,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Find personal data (IIN/BIN, IBAN, phones, names, addresses, cards...) in files and DBs.

    Exit codes: 0 done; 1 --fail-on entities found; 2 usage or input error;
    3 some inputs could not be read (the rest was scanned).
    """
    code = resolve_lang(lang)
    with handle_errors(code, debug), ExitStack() as cleanup:
        if fmt not in FORMAT_CHOICES:
            raise UsageError("error.unknown_format", value=fmt, choices=", ".join(FORMAT_CHOICES))
        if engine not in ENGINE_CHOICES:
            raise UsageError(
                "error.unknown_format", value=engine, choices=", ".join(ENGINE_CHOICES)
            )
        if not 0.0 <= min_score <= 1.0:
            raise UsageError("scan.bad_min_score", value=min_score)
        if sample is not None and sample < 1:
            raise UsageError("scan.bad_sample", value=sample)
        if paths.count("-") > 1 or ("-" in paths and engine != "local"):
            raise UsageError("scan.stdin")
        n_workers = _workers(workers)
        check_output(output)  # before the scan, not after it
        with collector_paused():  # the imports build objects that live as long as the process
            if engine == "local":
                from senim.engine._helpers import arrow_without_numpy, discard_early, start_early

                # helpers start now: their start-up overlaps this process's loading the scanner
                start_early(n_workers, paths)
                cleanup.callback(discard_early)  # unless the scan took them
                arrow_without_numpy()
                from senim.engine import lean_process

                lean_process()
            from senim.discovery import Scanner
            from senim.discovery._api import scan_paths
            from senim.report import scan as render

        wanted_fail = _split(fail_on)
        scanner = Scanner(entities=_split(entities), min_score=min_score, ner=ner)
        if wanted_fail and wanted_fail != ["ANY"]:
            scanner.registry.select(wanted_fail)  # validates the names
        state = None
        opened_store = None
        if incremental:
            from senim.sources._state import ScanState
            from senim.store import Store

            opened_store = Store.open(store)
            state = ScanState(store=opened_store, scanner=scanner)
        jsonl = _JsonlOut(output) if fmt == "jsonl" else None
        show = progress and stderr.is_terminal
        previous_debug = os.environ.get("SENIM_DEBUG")
        if debug:
            os.environ["SENIM_DEBUG"] = "1"  # readers re-raise unexpected errors
        report: ScanReport
        finished = False
        try:
            if engine == "spark":
                from senim.engine._spark import scan_paths_spark

                report = scan_paths_spark(
                    paths, scanner=scanner, master=spark_master, output_dir=spark_output
                )
                if jsonl is not None:
                    for batch in report.findings.to_batches():
                        jsonl.write(batch)
            else:
                with _progress_bar(show) as (on_total, on_progress):
                    report = scan_paths(
                        paths,
                        scanner=scanner,
                        on_total=on_total,
                        on_progress=on_progress,
                        include=include or (),
                        exclude=exclude or (),
                        sample=sample,
                        workers=n_workers,  # type: ignore[arg-type]
                        state=state,
                        keep_findings=jsonl is None,
                        on_findings=jsonl.write if jsonl is not None else None,
                    )
            finished = True
        finally:
            if debug:
                if previous_debug is None:
                    os.environ.pop("SENIM_DEBUG", None)
                else:
                    os.environ["SENIM_DEBUG"] = previous_debug
            if jsonl is not None:
                jsonl.close(ok=finished)
            if opened_store is not None:
                opened_store.close()
        scanned = [s for s in report.sources if s.status in ("ok", "partial")]
        nothing_read = not scanned and 0 < len(report.problems) == len(report.sources)
        if fmt == "json":
            write_text_output(render.render_json(report, code), output)
        elif fmt == "html":
            write_text_output(render.render_html_report(report, code), output)
        tabled = fmt == "table" and not nothing_read  # "no personal data found" would mislead
        if tabled:
            _print_table(report, code, output)
        # a table on the screen lists the problems: standard error does not repeat them there
        listed = tabled and output in (None, "-") and _one_screen()
        reused = getattr(report, "reused", 0)
        if reused:
            stderr.print(message("scan.reused", code, count=reused), markup=False)
        _note_skipped(report, code)
        if wanted_fail:
            wanted = set(report.entity_counts) if wanted_fail == ["ANY"] else set(wanted_fail)
            hit = sorted(wanted & set(report.entity_counts))
            if hit:
                if not listed:
                    _print_problems(report, code)
                raise CheckFailed("scan.fail_on_found", entities=", ".join(hit))
        if report.problems:
            if not listed:
                _print_problems(report, code)
            if nothing_read:
                first = report.problems[0]
                raise typer.Exit(first.exit_code if isinstance(first, InputError) else 2)
            stderr.print(message("scan.partial", code, count=len(report.problems)), markup=False)
            raise typer.Exit(EXIT_PARTIAL)


def _print_problems(report: ScanReport, code: str | None) -> None:
    for problem in report.problems:
        text = for_terminal(problem.message(code))
        stderr.print(f"{message('error.prefix', code)}: {text}", markup=False)


_Counters = tuple[Callable[[int], None] | None, Callable[[int], None] | None]


@contextmanager
def _progress_bar(show: bool) -> Iterator[_Counters]:
    """A rich progress bar on stderr while the block runs, fed by the two callbacks it
    yields (total bytes, bytes read); without ``show``, no bar and no callbacks (nor
    rich's import)."""
    if not show:
        yield None, None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("[bold]senim scan"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=stderr.console,
        transient=True,
    ) as bar:
        task = bar.add_task("scan", total=None)
        yield (
            lambda total: bar.update(task, total=total or None),
            lambda n: bar.advance(task, n),
        )


def _one_screen() -> bool:
    """Do standard output and standard error both go to a terminal (the same screen)?"""
    from senim.cli._common import stdout

    return stdout.is_terminal and stderr.is_terminal


def _print_table(report: ScanReport, code: str | None, output: str | None) -> None:
    """The console tables, on stdout or, as plain text, in the ``--output`` file."""
    from senim.cli._common import stdout
    from senim.report import scan as render

    if output in (None, "-"):
        render.print_table(report, stdout.console, code)
        return
    from rich.console import Console

    plain = Console(record=True, file=io.StringIO(), width=120, color_system=None)
    render.print_table(report, plain, code)
    lines = plain.export_text().splitlines()
    write_text_output("".join(line.rstrip() + "\n" for line in lines), output)


_SKIPPED_SHOWN = 5
"""Skipped files named in the note; the rest are counted (all are in json/html reports)."""


def _note_skipped(report: ScanReport, lang: str | None) -> None:
    """Say which files a folder scan left out (binary files of unknown formats, named
    pipes and devices, links to folders) and which folders held no file to scan, one line
    per reason: not an error, but never silent."""
    by_reason: dict[str, list[str]] = {}
    for s in report.sources:
        if s.status == "skipped":
            by_reason.setdefault(s.skipped or "source.skipped_binary", []).append(s.name)
    for reason, skipped in by_reason.items():
        names = ", ".join(skipped[:_SKIPPED_SHOWN])
        if len(skipped) > _SKIPPED_SHOWN:
            names = message(
                "scan.skipped_more", lang, names=names, count=len(skipped) - _SKIPPED_SHOWN
            )
        key = "scan.folder_empty" if reason == "source.folder_empty" else "scan.skipped"
        text = message(key, lang, count=len(skipped), reason=message(reason, lang), names=names)
        stderr.print(text, markup=False)


def register(app: typer.Typer) -> None:
    """Register the scan command."""
    app.command("scan")(scan)

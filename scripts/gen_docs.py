"""Generate the reference pages that must never drift from the code.

.venv/bin/python scripts/gen_docs.py          # rewrite docs/cli.md and docs/detectors.md
.venv/bin/python scripts/gen_docs.py --check  # exit 1 if they are out of date (tests do this)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer.main
from typer.testing import CliRunner

from senim.cli import app
from senim.discovery import DetectorRegistry

ROOT = Path(__file__).resolve().parent.parent


def _commands(group: Any, prefix: list[str]) -> list[list[str]]:
    """Every sub-command path (typer vendors its own click, so this stays duck-typed)."""
    out: list[list[str]] = []
    ctx = group.make_context(" ".join(["senim", *prefix]), [], resilient_parsing=True)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if cmd is None or getattr(cmd, "hidden", False):
            continue
        out.append([*prefix, name])
        if hasattr(cmd, "list_commands"):
            out += _commands(cmd, [*prefix, name])
    return out


def cli_reference() -> str:
    root = typer.main.get_command(app)
    runner = CliRunner()
    parts = [
        "# CLI reference",
        "",
        "Generated from `--help` by `scripts/gen_docs.py`; a test fails when it is out of date. "
        "The same screens exist in Kazakh and Russian: `senim scan --help --lang kk`, or "
        "`SENIM_LANG=ru senim --help`.",
        "",
        "A file a command is to write (`--output`, `--out`, `--summary`, `--report`, "
        "`--save-answers`) is checked before the work starts: a folder, a file in a folder "
        "that does not exist or a place this user may not write ends the command at once with "
        "exit code 2 and the reason, not after a long scan, after the questions of "
        "`senim assess` were answered, or after `senim deid-dp` charged its session's budget. "
        "Text shown on a terminal (reports, problems, errors) writes control characters that "
        "come from the data, such as an escape sequence in an audited group's value or a "
        "card's name, as `\\xNN`; a file or a pipe gets the text unchanged.",
        "",
    ]
    for path in [[], *_commands(root, [])]:
        env = {"COLUMNS": "100", "LINES": "50", "TERM": "dumb", "NO_COLOR": "1", "CI": None}
        result = runner.invoke(app, [*path, "--help"], terminal_width=100, env=env)
        name = " ".join(["senim", *path])
        parts += [f"## `{name}`", "", "```text", result.stdout.rstrip(), "```", ""]
    return "\n".join(parts)


def detector_reference() -> str:
    parts = [
        "# Detectors",
        "",
        "Generated from the detector registry by `scripts/gen_docs.py`; a test fails when a "
        "detector is missing here. Scores: a pattern match starts at its base score; a passed "
        "checksum or structure check raises it to the validated score; a context word (kk/ru/en, "
        "whole words, `*` = stem) within the same sentence, or a telling column name, adds 0.35 "
        "(capped at 1). Findings below `--min-score` (default 0.4) are dropped. Accuracy on the "
        "evaluation set: `docs/benchmarks.md`.",
        "",
        "| entity | detector | what it finds | context required |",
        "|---|---|---|---|",
    ]
    registry = DetectorRegistry.default(plugins=False)
    for d in registry:
        parts.append(
            f"| `{d.entity}` | `{d.name}` v{d.version} | {d.description} | "
            f"{'yes' if d.context_required else 'no'} |"
        )
    parts.append("")
    for d in registry:
        parts += [f"## `{d.entity}` (`{d.name}`)", "", d.description, ""]
        if d.patterns:
            parts.append("Patterns (base score):")
            parts.append("")
            for p in d.patterns:
                flag = " (case-insensitive)" if p.ignore_case else ""
                parts.append(f"- `{p.name}` {p.score}{flag}: `{p.regex}`")
            parts.append("")
        nearest = (
            " A context word counts only for the candidate it stands nearer to (between two"
            ' matches of this detector: "born 21.09.1952, hired 01.11.2018").'
            if d.context_nearest
            else ""
        )
        parts.append(f"Validated score: {d.validated_score}. Boundary: {d.boundary}.{nearest}")
        parts.append("")
        for lang in ("kk", "ru", "en"):
            words = ", ".join(d.context.get(lang, ()))
            parts.append(f"- context ({lang}): {words}")
        if d.negative_context:
            for lang in ("kk", "ru", "en"):
                words = ", ".join(d.negative_context.get(lang, ()))
                parts.append(f"- negative context ({lang}): {words}")
        parts.append(f"- column names: {', '.join(d.column_hints)}")
        parts.append("")
    return "\n".join(parts)


PAGES = {"docs/cli.md": cli_reference, "docs/detectors.md": detector_reference}


def main() -> int:
    check = "--check" in sys.argv
    stale = []
    for rel, build in PAGES.items():
        path = ROOT / rel
        text = build() + "\n"
        if check:
            if not path.exists() or path.read_text("utf-8") != text:
                stale.append(rel)
        else:
            path.write_text(text, "utf-8")
    if stale:
        print("out of date (run scripts/gen_docs.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

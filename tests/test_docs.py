"""Docs are code: generated references are current, and nothing user-facing is undocumented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from senim.cli import app
from senim.discovery import DetectorRegistry

ROOT = Path(__file__).resolve().parent.parent


def test_generated_references_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_quick_start_has_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "bash scripts/demo" in readme
    assert "bash scripts/test" in readme
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "scripts/test" in ci


def test_readme_links_exist() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for target in re.findall(r"\]\((docs/[^)#]+)\)", readme):
        assert (ROOT / target).exists(), target


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    root = typer.main.get_command(app)
    ctx = root.make_context("senim", [], resilient_parsing=True)
    for name in root.list_commands(ctx):  # type: ignore[attr-defined]
        assert f"senim {name}" in readme, f"`senim {name}` is not mentioned in README.md"


@pytest.mark.parametrize("detector", DetectorRegistry.default(plugins=False), ids=lambda d: d.name)
def test_every_detector_is_documented(detector) -> None:  # type: ignore[no-untyped-def]
    text = (ROOT / "docs" / "detectors.md").read_text("utf-8")
    assert f"`{detector.entity}` (`{detector.name}`)" in text

"""`senim scan` (filled in by the scan core)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Register the scan command."""

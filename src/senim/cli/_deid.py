"""CLI commands of the deid area (owned by that area; registered from senim.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Register this area's commands on ``app``."""

"""Shared data for the audit tests: seeded synthetic decision logs."""

from __future__ import annotations

import polars as pl
import pytest
from tests.audit._decisions import make_decisions


@pytest.fixture(scope="session")
def decisions() -> pl.DataFrame:
    return make_decisions()


@pytest.fixture(scope="session")
def decisions_csv(tmp_path_factory: pytest.TempPathFactory, decisions: pl.DataFrame) -> str:
    path = tmp_path_factory.mktemp("audit") / "decisions.csv"
    decisions.write_csv(path)
    return str(path)

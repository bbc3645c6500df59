"""Suite-wide fixtures and options."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("SENIM_LANG", "en")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db-url",
        action="store",
        default=None,
        help="Run storage/database tests against this SQLAlchemy URL "
        "(e.g. postgresql://postgres@127.0.0.1:5432/test) instead of SQLite.",
    )


@pytest.fixture(scope="session")
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = request.config.getoption("--db-url")
    if url:
        return str(url)
    return "sqlite:///" + str(tmp_path_factory.mktemp("store") / "senim.db")

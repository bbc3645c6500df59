"""Suite-wide fixtures and options."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable

import pytest
from hypothesis import settings

os.environ.setdefault("SENIM_LANG", "en")
# caches senim keeps (the name lexicon's) go to a folder of the run, not the user's own
if "SENIM_CACHE_DIR" not in os.environ:
    os.environ["SENIM_CACHE_DIR"] = tempfile.mkdtemp(prefix="senim-test-cache-")
    atexit.register(shutil.rmtree, os.environ["SENIM_CACHE_DIR"], ignore_errors=True)

# CI runs the property tests on a fixed seed so a landing never hangs on luck; developers'
# runs (no CI variable) explore new examples every time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


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


@pytest.fixture
def engine_totals(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ``total_bytes`` each local engine of the test is given (what ``--workers auto``
    decides by), in order."""
    from senim.engine import _local

    seen: list[int] = []
    real = _local.LocalEngine.__init__

    def spy(self: _local.LocalEngine, **kwargs: object) -> None:
        real(self, **kwargs)  # type: ignore[arg-type]
        seen.append(kwargs["total_bytes"])  # type: ignore[arg-type]

    monkeypatch.setattr(_local.LocalEngine, "__init__", spy)
    return seen


@pytest.fixture
def fresh_python() -> Callable[..., list[str]]:
    """Run Python code in a new interpreter (what a command's process imports), with extra
    environment variables; its stdout lines. Fails on a non-zero exit."""

    def run(code: str, **env: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "SENIM_HASH_KEY": "k", **env},
        )
        return done.stdout.splitlines()

    return run

"""The public API is curated: ``__all__`` lists it, every name resolves, nothing else is public."""

from __future__ import annotations

import subprocess
import sys

import senim


def test_all_is_sorted_and_complete() -> None:
    assert len(senim.__all__) == len(set(senim.__all__))
    eager = [
        name
        for name, value in vars(senim).items()
        if not name.startswith("_")
        and not isinstance(value, type(senim))
        and name not in ("annotations", "importlib", "TYPE_CHECKING", "Any")
    ]
    assert set(eager) <= set(senim.__all__)
    assert sorted(dir(senim)) == sorted(senim.__all__)
    assert set(senim._LAZY) <= set(senim.__all__)


def test_public_names_resolve() -> None:
    for name in senim.__all__:
        assert getattr(senim, name) is not None


def test_import_is_light() -> None:
    heavy = "('polars', 'pandas', 'sqlalchemy', 'pydantic')"
    code = f"import sys, senim; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

from __future__ import annotations

from collections.abc import Iterator

import pytest

from senim.discovery import KeyedHasher, Scanner, _scanner


@pytest.fixture(scope="session")
def scanner() -> Scanner:
    return Scanner(hasher=KeyedHasher(key=b"test-key"))


@pytest.fixture(scope="session")
def found(scanner: Scanner):  # type: ignore[no-untyped-def]
    """``found(text, entity)`` -> the substrings reported as ``entity``."""

    def run(text: str, entity: str) -> list[str]:
        return [text[f.start : f.end] for f in scanner.scan_text(text) if f.entity == entity]

    return run


@pytest.fixture(scope="module", autouse=True)
def columns_through_polars() -> Iterator[None]:
    """The batches of these tests are small: they take the polars path they are written for.

    Below ``_FEW_CHARS`` characters a column is scanned value by value on the per-string
    path instead; ``test_scanner.py`` tests that path against this one.
    """
    saved = _scanner._FEW_CHARS
    _scanner._FEW_CHARS = 0
    yield
    _scanner._FEW_CHARS = saved

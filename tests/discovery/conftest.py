from __future__ import annotations

import pytest

from senim.discovery import KeyedHasher, Scanner


@pytest.fixture(scope="session")
def scanner() -> Scanner:
    return Scanner(hasher=KeyedHasher(key=b"test-key"))


@pytest.fixture(scope="session")
def found(scanner: Scanner):  # type: ignore[no-untyped-def]
    """``found(text, entity)`` -> the substrings reported as ``entity``."""

    def run(text: str, entity: str) -> list[str]:
        return [text[f.start : f.end] for f in scanner.scan_text(text) if f.entity == entity]

    return run

"""The name lexicon's cache file: read back when its inputs are unchanged, rebuilt otherwise."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from senim.discovery import _names
from senim.discovery._names import Lexicon, lexicon


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SENIM_CACHE_DIR", str(folder))
    lexicon.cache_clear()
    yield folder
    lexicon.cache_clear()


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("lexicon-*.marshal"))


def test_the_cache_file_gives_the_lexicon_built_from_the_lists(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _names._built()
    assert lexicon() == built
    (written,) = _files(cache_dir)
    lexicon.cache_clear()

    def never() -> Lexicon:
        raise AssertionError("built again although the cache file holds it")

    monkeypatch.setattr(_names, "_built", never)
    assert lexicon() == built
    assert _files(cache_dir) == [written]
    assert "нұрсұлтан" in built.given
    assert "nursultan" in built.given


def test_a_changed_input_builds_and_keeps_the_lexicon_anew(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key covers the datasets' files: touching one gives a new key and a new file;
    the files of other keys stay (another installation's), the oldest beyond a few go."""
    dataset = tmp_path / "person.json"
    dataset.write_text("{}", encoding="utf-8")
    real = _names._dataset_paths
    monkeypatch.setattr(_names, "_dataset_paths", lambda locale: [dataset, *real(locale)])
    written: list[Path] = []
    for k in range(_names._CACHE_FILES + 2):
        os.utime(dataset, ns=(k + 1, k + 1))
        lexicon.cache_clear()
        assert lexicon() == _names._built()
        (new,) = set(_files(cache_dir)) - set(written)
        written.append(new)
        os.utime(new, ns=(10**9 * (k + 1), 10**9 * (k + 1)))  # written in this order
    assert _files(cache_dir) == sorted(written[-_names._CACHE_FILES :])


@pytest.mark.parametrize("damage", [b"", b"not marshal", b"\xe9\x03\x00\x00\x00"])
def test_a_damaged_cache_file_is_rebuilt(cache_dir: Path, damage: bytes) -> None:
    lexicon()
    (path,) = _files(cache_dir)
    path.write_bytes(damage)
    lexicon.cache_clear()
    assert lexicon() == _names._built()
    lexicon.cache_clear()
    assert _names._cached(path) == _names._built()  # written again, whole


def test_an_unwritable_cache_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("SENIM_CACHE_DIR", str(blocker / "cache"))  # under a file: no folder
    lexicon.cache_clear()
    try:
        assert lexicon() == _names._built()
    finally:
        lexicon.cache_clear()

"""Turn paths (files and folders) into sources, by file extension and content sniffing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from senim.errors import InputError
from senim.sources._base import Source
from senim.sources._csv import CsvFileSource
from senim.sources._json import JsonFileSource, JsonLinesSource
from senim.sources._parquet import ParquetFileSource
from senim.sources._text import TextFileSource

__all__ = ["SUFFIXES", "Skipped", "iter_sources", "open_file"]

SUFFIXES: dict[str, type] = {
    ".csv": CsvFileSource,
    ".tsv": CsvFileSource,
    ".jsonl": JsonLinesSource,
    ".ndjson": JsonLinesSource,
    ".json": JsonFileSource,
    ".parquet": ParquetFileSource,
    ".pq": ParquetFileSource,
    ".txt": TextFileSource,
    ".text": TextFileSource,
    ".log": TextFileSource,
    ".md": TextFileSource,
}


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file found in a folder and deliberately not scanned, with the reason key."""

    name: str
    reason: str


def _looks_binary(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(8192)
    return b"\x00" in head


def open_file(path: Path) -> Source:
    """The source for one file; an unknown extension is scanned as text unless it is binary."""
    suffix = path.suffix.lower()
    factory = SUFFIXES.get(suffix)
    if factory is not None:
        source: Source = factory(path)
        return source
    if _looks_binary(path):
        raise InputError("source.unsupported", source=str(path), suffix=suffix or "-")
    return TextFileSource(path)


def iter_sources(paths: list[str | Path]) -> Iterator[Source | Skipped | InputError]:
    """Sources for ``paths`` in a stable order; folders are walked (hidden entries skipped).

    Problems are yielded, not raised, so one bad path never stops the others.
    """
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            yield InputError("error.path_not_found", path=str(raw))
            continue
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for fname in sorted(files):
                    if fname.startswith("."):
                        continue
                    yield from _one(Path(root) / fname, in_folder=True)
        else:
            yield from _one(path, in_folder=False)


def _one(path: Path, *, in_folder: bool) -> Iterator[Source | Skipped | InputError]:
    try:
        yield open_file(path)
    except InputError as exc:
        if in_folder and exc.key == "source.unsupported":
            yield Skipped(name=str(path), reason="source.skipped_binary")
        else:
            yield exc
    except OSError as exc:
        yield InputError("source.read_failed", source=str(path), reason=exc.strerror or str(exc))

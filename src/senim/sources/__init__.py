"""Readers: every source yields Arrow record batches into the same scanning function."""

from senim.sources._base import Source, SourceKind
from senim.sources._csv import CsvFileSource
from senim.sources._files import SUFFIXES, Skipped, iter_sources, open_file
from senim.sources._json import JsonFileSource, JsonLinesSource
from senim.sources._parquet import ParquetFileSource
from senim.sources._text import TextFileSource

__all__ = [
    "SUFFIXES",
    "CsvFileSource",
    "JsonFileSource",
    "JsonLinesSource",
    "ParquetFileSource",
    "Skipped",
    "Source",
    "SourceKind",
    "TextFileSource",
    "iter_sources",
    "open_file",
]

"""Readers: every source yields Arrow record batches into the same scanning function.

Readers load on first use: scanning a JSON Lines file does not import SQLAlchemy (database
sources, the incremental scan state) or the office-format parsers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from senim._lazy import lazy_attributes as _lazy_attributes

_LAZY: dict[str, str] = {
    "SUFFIXES": "senim.sources._files",
    "ArchiveLimits": "senim.sources._limits",
    "CsvFileSource": "senim.sources._csv",
    "DatabaseSource": "senim.sources._sql",
    "DocxSource": "senim.sources._office",
    "JsonFileSource": "senim.sources._json",
    "JsonLinesSource": "senim.sources._json",
    "ParquetFileSource": "senim.sources._parquet",
    "PdfSource": "senim.sources._office",
    "ScanState": "senim.sources._state",
    "Skipped": "senim.sources._files",
    "Source": "senim.sources._base",
    "SourceKind": "senim.sources._base",
    "SqlTableSource": "senim.sources._sql",
    "TextFileSource": "senim.sources._text",
    "XlsxSource": "senim.sources._office",
    "ZipSource": "senim.sources._archive",
    "detect_encoding": "senim.sources._decode",
    "is_database_url": "senim.sources._sql",
    "iter_sources": "senim.sources._files",
    "open_blob": "senim.sources._files",
    "open_file": "senim.sources._files",
}

__all__ = [
    "SUFFIXES",
    "ArchiveLimits",
    "CsvFileSource",
    "DatabaseSource",
    "DocxSource",
    "JsonFileSource",
    "JsonLinesSource",
    "ParquetFileSource",
    "PdfSource",
    "ScanState",
    "Skipped",
    "Source",
    "SourceKind",
    "SqlTableSource",
    "TextFileSource",
    "XlsxSource",
    "ZipSource",
    "detect_encoding",
    "is_database_url",
    "iter_sources",
    "open_blob",
    "open_file",
]


__getattr__, __dir__ = _lazy_attributes(__name__, _LAZY, globals())


if TYPE_CHECKING:
    from senim.sources._archive import ZipSource
    from senim.sources._base import Source, SourceKind
    from senim.sources._csv import CsvFileSource
    from senim.sources._decode import detect_encoding
    from senim.sources._files import SUFFIXES, Skipped, iter_sources, open_blob, open_file
    from senim.sources._json import JsonFileSource, JsonLinesSource
    from senim.sources._limits import ArchiveLimits
    from senim.sources._office import DocxSource, PdfSource, XlsxSource
    from senim.sources._parquet import ParquetFileSource
    from senim.sources._sql import DatabaseSource, SqlTableSource, is_database_url
    from senim.sources._state import ScanState
    from senim.sources._text import TextFileSource

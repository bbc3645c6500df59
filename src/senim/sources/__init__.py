"""Readers: every source yields Arrow record batches into the same scanning function."""

from senim.sources._archive import ArchiveLimits, ZipSource
from senim.sources._base import Source, SourceKind
from senim.sources._csv import CsvFileSource
from senim.sources._decode import detect_encoding
from senim.sources._files import SUFFIXES, Skipped, iter_sources, open_blob, open_file
from senim.sources._json import JsonFileSource, JsonLinesSource
from senim.sources._office import DocxSource, PdfSource, XlsxSource
from senim.sources._parquet import ParquetFileSource
from senim.sources._sql import DatabaseSource, SqlTableSource, is_database_url
from senim.sources._state import ScanState
from senim.sources._text import TextFileSource

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

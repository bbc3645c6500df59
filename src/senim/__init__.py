"""senim (сенім, "trust"): personal-data and AI compliance workbench for Kazakhstan.

Public API (pinned by ``tests/test_exported_members.py``)::

    from senim import scan_text, scan_table, scan_paths, Scanner
"""

from __future__ import annotations

from senim._version import __version__
from senim.discovery import (
    Detector,
    DetectorRegistry,
    Explanation,
    Finding,
    KeyedHasher,
    Pattern,
    Scanner,
)
from senim.discovery._api import scan_paths, scan_table, scan_text
from senim.discovery._report import ColumnSummary, EntityShare, ScanReport
from senim.errors import (
    CheckFailed,
    ConfigError,
    InputError,
    PartialFailure,
    PluginError,
    SenimError,
    StorageError,
    UsageError,
)
from senim.store import Store

__all__ = [
    # errors
    "CheckFailed",
    # scan
    "ColumnSummary",
    "ConfigError",
    "Detector",
    "DetectorRegistry",
    "EntityShare",
    "Explanation",
    "Finding",
    "InputError",
    "KeyedHasher",
    "PartialFailure",
    "Pattern",
    "PluginError",
    "ScanReport",
    "Scanner",
    "SenimError",
    "StorageError",
    # storage
    "Store",
    "UsageError",
    "__version__",
    "scan_paths",
    "scan_table",
    "scan_text",
]

"""senim (сенім, "trust"): personal-data and AI compliance workbench for Kazakhstan."""

from __future__ import annotations

from senim._version import __version__
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

__all__ = [
    # errors
    "CheckFailed",
    "ConfigError",
    "InputError",
    "PartialFailure",
    "PluginError",
    "SenimError",
    "StorageError",
    "UsageError",
    "__version__",
]

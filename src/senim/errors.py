"""One exception tree for every surface.

Each error carries a message key (rendered in kk/ru/en from the catalogue), a CLI exit code
and an HTTP status. The CLI maps :class:`SenimError` once, in ``senim.cli``; anything else is
an internal error, logged and shown as a generic message.

    SenimError                      exit 2, HTTP 400
     +-- UsageError                 bad arguments or options           (2, 400)
     +-- InputError                 an input cannot be read or parsed   (2, 422)
     +-- ConfigError                invalid configuration / rule file   (2, 422)
     +-- PluginError                a plugin failed to load             (2, 500)
     +-- StorageError               the embedded store failed           (2, 500)
     +-- PartialFailure             some inputs failed, rest processed  (3, 207)
     +-- CheckFailed                ``--fail-on`` found what it seeks   (1, 409)

Exit codes (ARCHITECTURE.md): 0 success, 1 check found, 2 usage/input error, 3 partial.
"""

from __future__ import annotations

from typing import ClassVar

from senim._i18n import message

__all__ = [
    "CheckFailed",
    "ConfigError",
    "InputError",
    "PartialFailure",
    "PluginError",
    "SenimError",
    "StorageError",
    "UsageError",
]

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3


class SenimError(Exception):
    """Root of senim's errors: a message key with parameters, an exit code, an HTTP status."""

    exit_code: ClassVar[int] = EXIT_USAGE
    status: ClassVar[int] = 400

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(message(key, "en", **params))

    def message(self, lang: str | None = None) -> str:
        """The user-facing message in ``lang`` (kk/ru/en)."""
        return message(self.key, lang, **self.params)


class UsageError(SenimError):
    """Bad command-line arguments or API parameters."""

    status = 400


class InputError(SenimError):
    """An input (file, table, value) cannot be read or is not what was expected."""

    status = 422


class ConfigError(SenimError):
    """A configuration, policy or rule file is invalid."""

    status = 422


class PluginError(SenimError):
    """A plugin could not be loaded or registered."""

    status = 500


class StorageError(SenimError):
    """The store could not be opened, migrated or written."""

    status = 500


class PartialFailure(SenimError):
    """Some inputs failed; the rest were processed. ``problems`` lists what failed."""

    exit_code = EXIT_PARTIAL
    status = 207

    def __init__(self, key: str, /, *, problems: list[str] | None = None, **params: object):
        self.problems = list(problems or [])
        super().__init__(key, **params)


class CheckFailed(SenimError):
    """A check asked for with ``--fail-on`` found what it looks for."""

    exit_code = EXIT_FOUND
    status = 409

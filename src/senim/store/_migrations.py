"""Named, ordered, transactional migrations.

Each area declares its tables in its own module and registers migrations on the shared
:data:`MIGRATIONS` set with a unique name (``"0001_scan_state"``, ``"0001_deid_vault"``).
Applied names are recorded in ``senim_migrations``; each migration runs in its own
transaction, so a failure leaves the store at the previous migration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

__all__ = ["MIGRATIONS", "Migration", "Migrations"]


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    apply: Callable[[Connection], None]


class Migrations:
    """An ordered set of migrations; names must be unique."""

    def __init__(self) -> None:
        self._items: dict[str, Migration] = {}

    def __call__(
        self, name: str
    ) -> Callable[[Callable[[Connection], None]], Callable[[Connection], None]]:
        """Decorator: ``@MIGRATIONS("0001_deid_vault")``."""

        def register(fn: Callable[[Connection], None]) -> Callable[[Connection], None]:
            if name in self._items:
                raise ValueError(f"duplicate migration name: {name}")
            self._items[name] = Migration(name, fn)
            return fn

        return register

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._items.values(), key=lambda m: m.name))

    def names(self) -> list[str]:
        return sorted(self._items)


MIGRATIONS = Migrations()
"""The migrations every :class:`~senim.store.Store` applies (modules register on import)."""

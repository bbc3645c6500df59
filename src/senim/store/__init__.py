"""Persistence behind one interface: SQLite (WAL) by default, PostgreSQL/MariaDB by URL."""

from senim.store._migrations import MIGRATIONS, Migration, Migrations
from senim.store._store import DEFAULT_URL, Store

__all__ = ["DEFAULT_URL", "MIGRATIONS", "Migration", "Migrations", "Store"]

"""The store: one SQLAlchemy engine, migrations, and transactions.

``Store.open("sqlite:///path.db")`` (WAL, foreign keys on) or any SQLAlchemy URL such as
``postgresql+psycopg://user@host/db`` or ``mysql+pymysql://root@127.0.0.1/test``; plain
``postgresql://`` and ``mysql://`` are mapped to the installed drivers. ``Store.memory()``
gives an in-memory SQLite store for tests.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from senim.errors import StorageError
from senim.store._migrations import MIGRATIONS, Migrations

__all__ = ["DEFAULT_URL", "Store", "normalise_url"]

DEFAULT_URL = "sqlite:///.senim/senim.db"
"""Default store, relative to the working directory (override with ``$SENIM_STORE``)."""

_meta = MetaData()
_applied = Table(
    "senim_migrations",
    _meta,
    Column("name", String(200), primary_key=True),
    Column("applied_at", DateTime(timezone=True), server_default=func.now()),
)


def normalise_url(url: str) -> str:
    """Map bare ``postgresql://`` / ``mysql://`` to the drivers senim installs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("mysql://") or url.startswith("mariadb://"):
        return "mysql+pymysql://" + url.split("://", 1)[1]
    return url


class Store:
    """A migrated database behind SQLAlchemy Core."""

    def __init__(self, *, engine: Engine, migrations: Migrations = MIGRATIONS) -> None:
        self.engine = engine
        self.migrations = migrations

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True) -> Store:
        """Open (and by default migrate) the store at ``url`` or ``$SENIM_STORE``."""
        raw = url or os.environ.get("SENIM_STORE") or DEFAULT_URL
        target = normalise_url(raw)
        try:
            parsed = make_url(target)
            if parsed.get_backend_name() == "sqlite" and parsed.database not in (
                None,
                "",
                ":memory:",
            ):
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(target, future=True, pool_pre_ping=True)
        except (SQLAlchemyError, ValueError, OSError) as exc:
            raise StorageError("store.open_failed", url=_safe(raw), reason=_reason(exc)) from exc
        if engine.dialect.name == "sqlite":
            _sqlite_pragmas(engine)
        store = cls(engine=engine)
        if migrate:
            store.migrate()
        return store

    @classmethod
    def memory(cls) -> Store:
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        _sqlite_pragmas(engine)
        store = cls(engine=engine)
        store.migrate()
        return store

    def migrate(self, modules: Iterable[str] = ()) -> list[str]:
        """Apply pending migrations (after importing the modules that register them)."""
        from senim.store import _schemas

        for module in (*_schemas.MODULES, *modules):
            importlib.import_module(module)
        done: list[str] = []
        try:
            with self.engine.begin() as conn:
                _meta.create_all(conn)
                applied = set(conn.scalars(select(_applied.c.name)))
            for migration in self.migrations:
                if migration.name in applied:
                    continue
                with self.engine.begin() as conn:
                    migration.apply(conn)
                    conn.execute(insert(_applied).values(name=migration.name))
                done.append(migration.name)
        except SQLAlchemyError as exc:
            raise StorageError(
                "store.migration_failed", url=_safe(str(self.engine.url)), reason=_reason(exc)
            ) from exc
        return done

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection inside one transaction (committed on success, rolled back on error)."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StorageError(
                "store.query_failed", url=_safe(str(self.engine.url)), reason=_reason(exc)
            ) from exc

    def applied(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(conn.scalars(select(_applied.c.name)))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.close()


def _safe(url: str) -> str:
    """The URL without its password (errors and logs never show secrets)."""
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except Exception:
        return "<invalid database URL>"


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

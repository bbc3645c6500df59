"""Databases by SQLAlchemy URL: every table (or ``--include``/``--exclude``), streamed.

``sqlite:///path.db``, ``postgresql://user@host:5432/db`` and ``mysql://user@host/db``
(MariaDB too; bare schemes map to the installed drivers psycopg and PyMySQL). Tables are
read ordered by primary key with a server-side cursor, ``sample`` rows each or all of them.
Findings name the table as ``<url without password>#<schema>.<table>`` and carry the row's
primary key (``id=42``) in ``key``. Text columns are scanned as text; integers (an IIN in a
``bigint``), dates and timestamps in their canonical text form; JSON values as JSON text;
floats, booleans and binary data are not scanned. Column names feed the column classifier.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import fnmatch
import json
import re
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from senim import _i18n
from senim.errors import InputError
from senim.sources._base import KEY_COL, RECORD_COL, Progress, SourceKind, first_line

__all__ = ["DatabaseSource", "SqlTableSource", "is_database_url", "iter_database_sources"]

ROWS_PER_BATCH = 10_000
CONNECT_TIMEOUT_S = 10
_URL = re.compile(r"^(sqlite|postgresql|postgres|mysql|mariadb)(\+[a-z0-9_]+)?://", re.I)
_SYSTEM_SCHEMAS = {
    "information_schema",
    "pg_catalog",
    "pg_toast",
    "mysql",
    "performance_schema",
    "sys",
}


def is_database_url(text: str) -> bool:
    """Does ``text`` look like a database URL senim scans (``postgresql://...``)?"""
    return bool(_URL.match(text))


def safe_url(url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    from senim.store._store import normalise_url

    try:
        parsed = make_url(normalise_url(url))
        shown = parsed.set(drivername=parsed.get_backend_name())
        return shown.render_as_string(hide_password=True)
    except Exception:
        return "<invalid database URL>"


def _engine(url: str) -> Any:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from senim.store._store import normalise_url

    shown = safe_url(url)
    try:
        parsed = make_url(normalise_url(url))
    except Exception as exc:
        raise InputError("source.db_bad_url", source=shown, reason=first_line(exc)) from exc
    backend = parsed.get_backend_name()
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        db = parsed.database or ""
        if db in ("", ":memory:") or not Path(db).is_file():
            raise InputError("source.db_not_found", source=shown)
        target = f"sqlite:///file:{Path(db).resolve()}?mode=ro&uri=true"
        return create_engine(target, poolclass=NullPool), shown
    if backend == "postgresql":
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "senim-scan"}
    elif backend == "mysql":
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_S}
    # options the URL gives itself (``?application_name=nightly&connect_timeout=30``) win
    connect_args = {k: v for k, v in connect_args.items() if k not in parsed.query}
    try:
        # one connection kept between tables (checked before reuse: a server may have
        # dropped it), more opened only while several are in use; closed once every
        # table of the listing has been read (:class:`_Lease`). A new connection per table
        # costs PyMySQL an SSL context and PostgreSQL a handshake.
        engine = create_engine(
            parsed,
            connect_args=connect_args,
            pool_size=1,
            max_overflow=-1,
            pool_pre_ping=True,
        )
        return engine, shown
    except Exception as exc:  # missing driver, bad options
        raise InputError("source.db_bad_url", source=shown, reason=first_line(exc)) from exc


def _reason(exc: BaseException) -> str:
    return first_line(getattr(exc, "orig", None) or exc)


def _matches(name: str, patterns: Sequence[str]) -> bool:
    bare = name.split(".", 1)[-1]
    return any(
        fnmatch.fnmatchcase(name.casefold(), p.casefold())
        or fnmatch.fnmatchcase(bare.casefold(), p.casefold())
        for p in patterns
    )


class DatabaseSource:
    """A database: lists its tables (after include/exclude) as :class:`SqlTableSource`."""

    def __init__(
        self,
        url: str,
        *,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        sample: int | None = None,
    ) -> None:
        self.url = url
        self.include = tuple(include)
        self.exclude = tuple(exclude)
        self.sample = sample

    def tables(self) -> list[SqlTableSource]:
        """The tables to scan; raises :class:`InputError` when the database cannot be read."""
        from sqlalchemy import inspect
        from sqlalchemy.exc import SQLAlchemyError

        engine, shown = _engine(self.url)
        try:
            inspector = inspect(engine)
            default = inspector.default_schema_name
            schemas = (
                [default]
                if engine.dialect.name in ("sqlite", "mysql")
                else [s for s in inspector.get_schema_names() if s not in _SYSTEM_SCHEMAS]
            )
            found: list[SqlTableSource] = []
            for schema in schemas:
                names = []
                for table in sorted(inspector.get_table_names(schema=schema)):
                    qualified = f"{schema}.{table}" if schema else table
                    if self.include and not _matches(qualified, self.include):
                        continue
                    if self.exclude and _matches(qualified, self.exclude):
                        continue
                    names.append(table)
                if not names:
                    continue
                # every table's columns and key in one pass (a query per kind where the
                # dialect can), not a full reflection of each table when it is read
                columns = inspector.get_multi_columns(schema=schema, filter_names=names)
                keys = inspector.get_multi_pk_constraint(schema=schema, filter_names=names)
                stored = _stored_bytes(engine, schema) if self.sample is None else {}
                for table in names:
                    cols = _for_table(columns, schema, table) or []
                    pk = _for_table(keys, schema, table) or {}
                    found.append(
                        SqlTableSource(
                            engine=engine,
                            url_shown=shown,
                            schema=schema,
                            table=table,
                            primary_key=tuple(pk.get("constrained_columns") or ()),
                            sample=self.sample,
                            columns=tuple((c["name"], c["type"]) for c in cols) or None,
                            stored_bytes=stored.get(table, 0),
                        )
                    )
        except SQLAlchemyError as exc:
            engine.dispose()
            raise InputError("source.db_connect_failed", source=shown, reason=_reason(exc)) from exc
        engine.dispose()  # the listing's connection: tables are read later, maybe much later
        if not found:
            raise InputError("source.db_no_tables", source=shown)
        lease = _Lease(engine, len(found))
        for source in found:
            source.lease = lease
        return found


_STORED_BYTES = {
    # heap and TOAST (long text), without indexes
    "postgresql": "SELECT c.relname, pg_table_size(c.oid) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema",
    # InnoDB's estimate of the clustered index (the rows)
    "mysql": "SELECT TABLE_NAME, DATA_LENGTH FROM information_schema.TABLES "
    "WHERE TABLE_SCHEMA = :schema",
    # pages per table, counted from the b-trees without reading the rows (SQLite built
    # with the dbstat table, as Debian's and Python's are)
    "sqlite": "SELECT name, pgsize FROM dbstat(:schema, 1)",
}


def _stored_bytes(engine: Any, schema: str | None) -> dict[str, int]:
    """Bytes each table of ``schema`` takes, as the database's statistics tell (one query;
    empty where the dialect has none or refuses it: the estimate is only a hint)."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    query = _STORED_BYTES.get(engine.dialect.name)
    if query is None:
        return {}
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(query), {"schema": schema or ""}).all()
    except SQLAlchemyError:
        return {}
    return {str(name): int(size or 0) for name, size in rows}


class _Lease:
    """The engine the tables of one listing share: disposed of (its kept connection
    closed) once every table has been read, or else when the last of them is dropped (a
    scan that stopped early, a caller that read only some). Disposing of an engine early
    costs only a new connection for the next table."""

    def __init__(self, engine: Any, tables: int) -> None:
        self.engine = engine
        self.left = tables

    def release(self) -> None:
        self.left -= 1
        if self.left == 0:
            self.engine.dispose()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter exit modules may be gone
            self.engine.dispose()


def _for_table(found: dict[tuple[str | None, str], Any], schema: str | None, table: str) -> Any:
    """A table's entry in an inspector's ``get_multi_*`` answer (keyed by schema and table;
    the default schema may come back as ``None``)."""
    entry = found.get((schema, table))
    return entry if entry is not None else found.get((None, table))


class SqlTableSource:
    """One database table, read in primary-key order with a server-side cursor."""

    kind: SourceKind = "table"

    def __init__(
        self,
        *,
        engine: Any,
        url_shown: str,
        schema: str | None,
        table: str,
        primary_key: tuple[str, ...] = (),
        sample: int | None = None,
        columns: tuple[tuple[str, Any], ...] | None = None,
        stored_bytes: int = 0,
    ) -> None:
        self.engine = engine
        self.schema = schema
        self.table = table
        self.primary_key = primary_key
        self.sample = sample
        self.columns = columns
        """The table's columns (name, SQLAlchemy type) as listed; ``None``: reflected when
        the table is read."""
        self.lease: _Lease | None = None
        """Shared with the other tables of its listing: the engine is disposed of once
        each of them has been read, and again when the last of them is dropped."""
        self._released = False
        qualified = f"{schema}.{table}" if schema else table
        # a name with control characters (a table named with an escape sequence) is shown
        # escaped, as a file's is: it reaches terminals and reports
        self.name = _i18n.shown(f"{url_shown}#{qualified}")
        self.format = engine.dialect.name
        self.size = 0
        """Bytes read, for progress: not known ahead for a table."""
        self.stored_bytes = stored_bytes
        """What the database says the table's data takes (its statistics; 0 when unknown
        or sampled): how much work its scan is, for ``--workers auto``."""
        self.problems: list[InputError] = []

    def _table(self) -> Any:
        from sqlalchemy import MetaData, Table, column, table

        if self.columns is not None:  # listed with the database's tables: no reflection
            return table(
                self.table,
                *(column(name, type_) for name, type_ in self.columns),
                schema=self.schema,
            )
        return Table(self.table, MetaData(), schema=self.schema, autoload_with=self.engine)

    def row_count(self) -> int:
        from sqlalchemy import func, select

        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(self._table())).scalar_one())

    def fingerprint(self) -> str | None:
        """``rows=N`` (+ the sample size): an unchanged row count is taken as unchanged."""
        from sqlalchemy.exc import SQLAlchemyError

        try:
            count = self.row_count()
        except SQLAlchemyError:
            return None
        return f"table:rows={count}:sample={self.sample or 'all'}"

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        from sqlalchemy import select
        from sqlalchemy.exc import SQLAlchemyError

        rows_read = 0
        try:
            table = self._table()
            columns = list(table.columns)
            stmt = select(*columns)
            order = [table.c[c] for c in self.primary_key] or []
            if order:
                stmt = stmt.order_by(*order)
            if self.sample is not None:
                stmt = stmt.limit(self.sample)
            names = [c.name for c in columns]
            pk_index = [names.index(c) for c in self.primary_key if c in names]
            with self.engine.connect() as conn:
                result = conn.execution_options(
                    stream_results=True, yield_per=ROWS_PER_BATCH
                ).execute(stmt)
                cursor = result.cursor
                try:
                    for chunk in result.partitions(ROWS_PER_BATCH):
                        batch = _to_batch(names, chunk, rows_read, pk_index)
                        rows_read += len(chunk)
                        yield batch
                finally:
                    for closer in (result.close, getattr(cursor, "close", None)):
                        if closer is not None:
                            with contextlib.suppress(Exception):
                                closer()
        except SQLAlchemyError as exc:
            raise InputError(
                "source.db_read_failed", source=self.name, rows=rows_read, reason=_reason(exc)
            ) from exc
        finally:
            if self.lease is not None and not self._released:  # once, however often read
                self._released = True
                self.lease.release()


def _to_batch(
    names: list[str], rows: Sequence[Sequence[Any]], start: int, pk_index: list[int]
) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    arrays: dict[str, pa.Array] = {}
    for name, values in zip(names, columns, strict=True):
        arrays[name] = _column(values)
    arrays[RECORD_COL] = pa.array(range(start, start + len(rows)), pa.int64())
    if pk_index:
        arrays[KEY_COL] = pa.array(
            [", ".join(f"{names[i]}={_text(r[i])}" for i in pk_index) for r in rows], pa.string()
        )
    return pa.record_batch(arrays)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _column(values: Sequence[Any]) -> pa.Array:
    """An Arrow column typed by what the database returned (see module doc)."""
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return pa.nulls(len(values), pa.string())
    if kinds <= {int} and all(v is None or -(2**63) <= v < 2**63 for v in values):
        return pa.array(values, pa.int64())
    if kinds <= {float} or kinds <= {bool}:
        return pa.array(values)
    if kinds <= {bytes, bytearray, memoryview}:
        return pa.array([None if v is None else bytes(v) for v in values], pa.binary())
    if kinds <= {dt.date} or kinds <= {dt.datetime}:
        try:
            return pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            pass
    if kinds <= {decimal.Decimal, uuid.UUID, str, int, dict, list, dt.date, dt.datetime, dt.time}:
        return pa.array([_text(v) for v in values], pa.string())
    return pa.array([_text(v) for v in values], pa.string())


def iter_database_sources(
    url: str,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    sample: int | None = None,
) -> Iterator[SqlTableSource | InputError]:
    """The tables of one database, or the one problem that stops it."""
    try:
        yield from DatabaseSource(url, include=include, exclude=exclude, sample=sample).tables()
    except InputError as exc:
        yield exc

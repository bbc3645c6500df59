"""Read decision logs as Arrow-backed polars frames: CSV, Parquet, JSONL or a database table.

Only the columns an audit needs are read. Database tables are read through SQLAlchemy
(``postgresql://`` uses psycopg 3, ``mysql://``/``mariadb://`` use PyMySQL, ``sqlite:///`` is
built in); the result arrives as Arrow.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import polars as pl

from senim.errors import InputError, UsageError

SourceKind = Literal["csv", "parquet", "jsonl", "database"]

_SUFFIXES: dict[str, SourceKind] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


def _require_columns(frame: pl.DataFrame, columns: Sequence[str]) -> None:
    """Fail with the columns ``frame`` lacks, and the ones it has."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            "audit.error.missing_columns",
            path="data",
            columns=", ".join(missing),
            available=", ".join(frame.columns),
        )


def is_database_url(source: str) -> bool:
    """True for SQLAlchemy-style URLs (``scheme://...``)."""
    head = source.split("://", 1)[0]
    return "://" in source and head.replace("+", "").isalnum()


def source_kind(source: str) -> SourceKind:
    """The kind of ``source`` from its URL scheme or file suffix."""
    if is_database_url(source):
        return "database"
    suffixes = [s.lower() for s in Path(source).suffixes]
    if suffixes and suffixes[-1] in (".gz", ".zst") and len(suffixes) > 1:
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    raise InputError("audit.error.unknown_input", path=source, choices=", ".join(sorted(_SUFFIXES)))


def read_table(
    source: str,
    *,
    columns: Sequence[str],
    table: str | None = None,
    string_columns: Sequence[str] = (),
) -> pl.DataFrame:
    """Read ``columns`` of ``source`` (file path or database URL with ``table``).

    ``string_columns`` are read as text (group labels such as region codes keep leading zeros).
    """
    wanted = list(dict.fromkeys(columns))
    kind = source_kind(source)
    if kind == "database":
        if not table:
            raise UsageError("audit.error.table_required")
        return _read_database(source, table, wanted)
    if table:
        raise UsageError("audit.error.table_for_file")
    path = Path(source)
    if not path.exists():
        raise InputError("error.path_not_found", path=source)
    overrides = {name: pl.String for name in string_columns}
    try:
        if kind == "csv":
            separator = "\t" if ".tsv" in [s.lower() for s in path.suffixes] else ","
            lazy = pl.scan_csv(
                path, separator=separator, infer_schema_length=10_000, schema_overrides=overrides
            )
        elif kind == "parquet":
            lazy = pl.scan_parquet(path)
        else:
            lazy = pl.scan_ndjson(path, infer_schema_length=10_000)
        available = lazy.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError("audit.error.read", path=source, reason=_reason(exc)) from exc
    _check_columns(source, wanted, available)
    try:
        frame = lazy.select(wanted).collect()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError("audit.error.read", path=source, reason=_reason(exc)) from exc
    casts = [
        pl.col(name).cast(pl.String)
        for name in string_columns
        if name in frame.columns and frame.schema[name] != pl.String
    ]
    return frame.with_columns(casts) if casts else frame


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _check_columns(source: str, wanted: Sequence[str], available: Sequence[str]) -> None:
    missing = [name for name in wanted if name not in available]
    if missing:
        raise InputError(
            "audit.error.missing_columns",
            path=source,
            columns=", ".join(missing),
            available=", ".join(available),
        )


def _read_database(url: str, table: str, columns: list[str]) -> pl.DataFrame:
    import sqlalchemy as sa

    from senim.store._store import normalise_url

    scheme = url.split("://", 1)[0]
    full_url = normalise_url(url)
    try:
        engine = sa.create_engine(full_url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise InputError("audit.error.database_url", scheme=scheme) from exc
    shown = engine.url.render_as_string(hide_password=True)
    schema, _, name = table.rpartition(".")
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            if not inspector.has_table(name, schema=schema or None):
                raise InputError("audit.error.no_table", table=table, url=shown)
            available = [col["name"] for col in inspector.get_columns(name, schema=schema or None)]
            _check_columns(f"{shown} {table}", columns, available)
            query: Any = sa.select(*[sa.column(c) for c in columns]).select_from(
                sa.table(name, schema=schema or None)
            )
            return pl.read_database(query, connection=connection, infer_schema_length=None)
    except sa.exc.SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None)
        reason = type(orig).__name__ if orig is not None else type(exc).__name__
        raise InputError("audit.error.database", url=shown, reason=reason) from exc
    finally:
        engine.dispose()

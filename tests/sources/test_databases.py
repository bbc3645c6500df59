"""Databases by URL: SQLite, and the real PostgreSQL and MariaDB servers on this machine."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import create_engine, text
from tests.sources._build import EMAIL, IIN, IIN2
from typer.testing import CliRunner

from senim.cli import app
from senim.discovery._api import scan_database, scan_sources
from senim.sources import DatabaseSource

SERVERS = {
    "postgresql": "postgresql://postgres@127.0.0.1:5432/test",
    "mysql": "mysql://root@127.0.0.1:3306/test",
}


def _reachable(url: str) -> bool:
    from senim.store._store import normalise_url

    try:
        engine = create_engine(normalise_url(url), connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


class Db:
    """A scratch database (SQLite file, PostgreSQL schema, MariaDB database) for one test."""

    def __init__(self, backend: str, tmp_path: Path) -> None:
        from senim.store._store import normalise_url

        self.backend = backend
        self.name = "senim_scan_" + uuid.uuid4().hex[:8]
        # senim's PostgreSQL connections carry this name (the URL's option wins over
        # senim-scan), so a test counts or kills only its own, not other workers'
        self.tag = "senim-test-" + self.name
        if backend == "sqlite":
            self.url = f"sqlite:///{tmp_path / 'clients.db'}"
            self.admin = create_engine(self.url)
            self.schema = "main"
        elif backend == "postgresql":
            self.admin = create_engine(normalise_url(SERVERS["postgresql"]))
            with self.admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {self.name}"))
            self.url = f"{SERVERS['postgresql']}?application_name={self.tag}"
            self.schema = self.name
        else:
            root = create_engine(normalise_url(SERVERS["mysql"]))
            with root.begin() as conn:
                conn.execute(text(f"CREATE DATABASE {self.name} CHARACTER SET utf8mb4"))
            root.dispose()
            self.url = f"mysql://root@127.0.0.1:3306/{self.name}"
            self.admin = create_engine(normalise_url(self.url))
            self.schema = self.name
        self.prefix = "" if backend != "postgresql" else f"{self.name}."

    def run(self, *statements: str) -> None:
        with self.admin.begin() as conn:
            for sql in statements:
                conn.execute(text(sql.replace("{s}", self.prefix)))

    def drop(self) -> None:
        if self.backend == "postgresql":
            self.run(f"DROP SCHEMA {self.name} CASCADE")
        elif self.backend == "mysql":
            self.run(f"DROP DATABASE {self.name}")
        self.admin.dispose()

    @property
    def include(self) -> list[str]:
        return [f"{self.schema}.*"]


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    backend = request.param
    if backend != "sqlite" and not _reachable(SERVERS[backend]):
        pytest.skip(f"{backend} server not reachable")
    scratch = Db(backend, tmp_path)
    blob = "BYTEA" if backend == "postgresql" else "BLOB"
    json_type = {"postgresql": "JSONB", "mysql": "JSON", "sqlite": "TEXT"}[backend]
    scratch.run(
        "CREATE TABLE {s}clients (id INTEGER PRIMARY KEY, full_name VARCHAR(200), "
        f"iin_num BIGINT, birth_date DATE, profile {json_type}, score FLOAT, photo {blob})",
        "CREATE TABLE {s}audit_log (note TEXT)",
        "CREATE TABLE {s}orders (id INTEGER PRIMARY KEY, email VARCHAR(100))",
        "CREATE TABLE {s}by_iin (iin VARCHAR(12) PRIMARY KEY, email VARCHAR(100))",
        "INSERT INTO {s}clients VALUES (1, 'Иванов Иван Иванович', "
        f'{IIN}, \'1990-01-01\', \'{{"contacts": {{"email": "{EMAIL}"}}}}\', 0.5, NULL)',
        "INSERT INTO {s}clients VALUES (2, 'nobody', NULL, NULL, NULL, NULL, NULL)",
        f"INSERT INTO {{s}}clients VALUES (3, 'x', {IIN2}, NULL, NULL, NULL, NULL)",
        # an IIN of someone born in 2005, stored as a number: its leading zero is gone
        "INSERT INTO {s}clients VALUES (4, 'y', 51112600010, NULL, NULL, NULL, NULL)",
        f"INSERT INTO {{s}}audit_log VALUES ('client {EMAIL} called')",
        f"INSERT INTO {{s}}orders VALUES (1, '{EMAIL}')",
        f"INSERT INTO {{s}}by_iin VALUES ('{IIN}', '{EMAIL}')",
    )
    yield scratch
    scratch.drop()


def test_tables_columns_and_primary_keys(db: Db) -> None:
    report = scan_database(db.url, include=db.include, exclude=["*orders"])
    assert not report.problems
    names = sorted(s.name for s in report.sources)
    assert [n.rsplit("#", 1)[1] for n in names] == [
        f"{db.schema}.audit_log",
        f"{db.schema}.by_iin",
        f"{db.schema}.clients",
    ]
    assert all("#" in n and n.split("#")[0].startswith(db.backend) for n in names)
    found = {
        (f.source.rsplit("#")[1], f.column, f.record, f.key, f.entity)
        for f in report.finding_list()
    }
    clients = f"{db.schema}.clients"
    assert (clients, "iin_num", 0, "id=1", "KZ_IIN") in found
    assert (clients, "iin_num", 2, "id=3", "KZ_IIN") in found
    assert (clients, "iin_num", 3, "id=4", "KZ_IIN") in found
    assert (clients, "full_name", 0, "id=1", "PERSON") in found
    assert (clients, "profile", 0, "id=1", "EMAIL") in found
    assert (f"{db.schema}.audit_log", "note", 0, None, "EMAIL") in found
    # a primary key that is itself personal data is masked in the findings
    keys = {f.key for f in report.finding_list() if f.source.endswith("by_iin")}
    assert keys == {"iin=90••••••••07"}
    summary = {(c.source.rsplit("#")[1], c.column): c for c in report.columns}
    assert summary[(clients, "iin_num")].rows == 3
    assert summary[(clients, "iin_num")].verdict == "KZ_IIN"
    assert summary[(clients, "score")].rows == 0  # floats are not scanned


def test_tables_are_read_with_the_columns_listed_not_reflected_again(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlalchemy

    from senim.sources._sql import SqlTableSource

    (listed,) = DatabaseSource(db.url, include=[f"{db.schema}.clients"]).tables()
    assert listed.columns is not None
    assert [name for name, _ in listed.columns] == [
        "id", "full_name", "iin_num", "birth_date", "profile", "score", "photo"
    ]  # fmt: skip
    reflected = SqlTableSource(
        engine=listed.engine,
        url_shown="x",
        schema=listed.schema,
        table=listed.table,
        primary_key=listed.primary_key,
    )
    by_reflection = pa.Table.from_batches(list(reflected.batches()))

    def no_reflection(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the table was reflected again")

    monkeypatch.setattr(sqlalchemy, "Table", no_reflection)
    from_listing = pa.Table.from_batches(list(listed.batches()))
    assert from_listing.equals(by_reflection)  # same columns, types and values
    assert listed.row_count() == 4


def test_a_table_name_with_control_characters_is_shown_escaped(tmp_path: Path) -> None:
    """A table named with an escape sequence reached the terminal of whoever read a
    problem or the report; it is named as a file with such a name is (``\\x1b``)."""
    import sqlite3

    path = tmp_path / "esc.db"
    with sqlite3.connect(path) as conn:
        conn.execute('CREATE TABLE "clients\x1b[2J" (iin TEXT)')
        conn.execute(f"INSERT INTO \"clients\x1b[2J\" VALUES ('{IIN}')")
    conn.close()
    report = scan_database(f"sqlite:///{path}")
    assert not report.problems
    (source,) = report.sources
    assert source.name.endswith("#main.clients\\x1b[2J")
    assert report.entity_counts == {"KZ_IIN": 1}


def test_sample_limits_rows_per_table(db: Db) -> None:
    report = scan_database(db.url, include=[f"{db.schema}.clients"], sample=1)
    (source,) = report.sources
    assert source.records == 1
    assert {f.record for f in report.finding_list()} == {0}


def test_include_matching_nothing_is_a_problem(db: Db) -> None:
    report = scan_database(db.url, include=["no_such_table"])
    assert [p.key for p in report.problems] == ["source.db_no_tables"]


class _DropsAfterFirstBatch:
    """Wraps a table source; after its first batch the server kills senim's connection."""

    def __init__(self, inner: Any, db: Db) -> None:
        self.inner = inner
        self.db = db
        self.name = inner.name
        self.kind = inner.kind
        self.format = inner.format
        self.size = 0

    def batches(self, progress: Any = None) -> Iterator[pa.RecordBatch]:
        it = self.inner.batches(progress)
        yield next(it)
        with self.db.admin.begin() as conn:
            if self.db.backend == "postgresql":
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :tag AND pid <> pg_backend_pid()"
                    ),
                    {"tag": self.db.tag},
                )
            else:
                sql = (
                    "SELECT id FROM information_schema.processlist "
                    "WHERE db = :db AND id <> CONNECTION_ID()"
                )
                for (pid,) in conn.execute(text(sql), {"db": self.db.name}).all():
                    conn.execute(text(f"KILL {int(pid)}"))
        yield from it


def test_connection_dropped_mid_scan(db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    if db.backend == "sqlite":
        pytest.skip("SQLite has no server connection to drop")
    import senim.sources._sql as sql

    monkeypatch.setattr(sql, "ROWS_PER_BATCH", 50)
    db.run(
        "CREATE TABLE {s}big (id INTEGER PRIMARY KEY, iin VARCHAR(12))",
        *(f"INSERT INTO {{s}}big VALUES ({i}, '{IIN}')" for i in range(400)),
    )
    (table,) = DatabaseSource(db.url, include=[f"{db.schema}.big"]).tables()
    report = scan_sources([_DropsAfterFirstBatch(table, db)])
    (problem,) = report.problems
    assert problem.key == "source.db_read_failed"
    assert report.sources[0].status == "partial"
    assert 50 <= report.sources[0].records <= 400  # MariaDB may have sent every row already
    assert report.entity_counts["KZ_IIN"] == report.sources[0].records


def _connections(db: Db) -> int:
    """senim's connections to the scratch database (MariaDB) or with the scratch tag
    (PostgreSQL, whose schemas share one database with the other workers' tests)."""
    if db.backend == "postgresql":
        sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = :tag"
    else:
        sql = (
            "SELECT count(*) FROM information_schema.processlist "
            "WHERE db = :db AND id <> CONNECTION_ID()"
        )
    with db.admin.connect() as conn:
        return int(conn.execute(text(sql), {"tag": db.tag, "db": db.name}).scalar_one())


def _settles_at_zero(db: Db) -> int:
    """The count once it reaches 0, or after 10 s: a server drops a closed connection from
    its list a moment after the client has closed it."""
    deadline = time.monotonic() + 10
    while (found := _connections(db)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_a_scan_leaves_no_connection_open(db: Db) -> None:
    """Tables share one connection while a database is scanned; it is closed when every
    table has been read, or when the tables are dropped unread."""
    if db.backend == "sqlite":
        pytest.skip("SQLite has no server connection")
    report = scan_database(db.url, include=db.include)
    assert not report.problems
    assert _settles_at_zero(db) == 0
    tables = DatabaseSource(db.url, include=db.include).tables()
    assert len(tables) > 1
    assert list(tables[0].batches())  # one read, the others not
    tables[0].row_count()
    assert _connections(db) == 1  # kept for the next table
    del tables
    assert _settles_at_zero(db) == 0


def test_url_options_win_over_senims_defaults(db: Db) -> None:
    """The scratch PostgreSQL URL names its connections (``?application_name=``)."""
    if db.backend != "postgresql":
        pytest.skip("application_name is PostgreSQL's")
    (table, *_) = DatabaseSource(db.url, include=db.include).tables()
    assert list(table.batches())
    assert _connections(db) == 1  # under senim's own name it would be 0


def test_refused_connection_is_one_problem_and_exit_3(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(f"iin\n{IIN}\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["scan", str(good), "postgresql://postgres@127.0.0.1:1/test", "--no-progress"]
    )
    assert result.exit_code == 3, result.output
    assert "postgresql://postgres@127.0.0.1:1/test: cannot connect to the database" in result.output
    assert "Traceback" not in result.output


def test_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    report = scan_database(f"sqlite:///{missing}")
    assert [p.key for p in report.problems] == ["source.db_not_found"]
    assert not missing.exists()


def test_password_is_never_shown() -> None:
    report = scan_database("postgresql://postgres:s3cret@127.0.0.1:1/test")
    (problem,) = report.problems
    assert "s3cret" not in problem.message("en")
    assert "***" in problem.message("en")


def test_tables_carry_the_bytes_their_database_stores(db: Db, engine_totals: list[int]) -> None:
    """``--workers auto`` weighs a table by the bytes its database's statistics give (a
    table's size is not known until it is read); a sampled scan is not weighed."""
    from senim.discovery._api import scan_paths

    note = "Клиент Иванов Иван Иванович, ИИН 900101300007, тел. +7 701 123 45 67. " * 4
    db.run(*[f"INSERT INTO {{s}}audit_log VALUES ('{note} {i}')" for i in range(3000)])
    if db.backend == "mysql":
        db.run("ANALYZE TABLE {s}audit_log")  # InnoDB refreshes its statistics lazily
    tables = {t.table: t for t in DatabaseSource(db.url, include=db.include).tables()}
    stored = tables["audit_log"].stored_bytes
    assert 3000 * len(note) * 0.8 < stored < 3000 * len(note) * 4  # Cyrillic: 2 bytes a letter
    assert stored > tables["orders"].stored_bytes
    assert all(t.size == 0 for t in tables.values())  # progress counts what was read
    sampled = DatabaseSource(db.url, include=db.include, sample=10).tables()
    assert {t.stored_bytes for t in sampled} == {0}

    scan_paths([db.url], include=db.include, workers=1)
    assert engine_totals == [sum(t.stored_bytes for t in tables.values())]

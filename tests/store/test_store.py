from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select, text

from senim.errors import StorageError
from senim.store import Migrations, Store
from senim.store._store import _applied, normalise_url


def _fresh(db_url: str, migrations: Migrations) -> Store:
    return Store(engine=create_engine(normalise_url(db_url)), migrations=migrations)


def _forget(store: Store, suffix: str) -> None:
    """Remove this test's rows from the migrations table (a shared database keeps them)."""
    with store.transaction() as conn:
        conn.execute(_applied.delete().where(_applied.c.name.like(f"%{suffix}%")))


def test_migrations_apply_once_in_order(db_url: str) -> None:
    suffix = uuid.uuid4().hex[:8]
    table = Table(
        f"t_{suffix}", MetaData(), Column("id", Integer, primary_key=True), Column("v", String(20))
    )
    migrations = Migrations()
    order: list[str] = []

    @migrations(f"0002_{suffix}_fill")
    def _fill(conn):  # type: ignore[no-untyped-def]
        order.append("fill")
        conn.execute(insert(table).values(id=1, v="x"))

    @migrations(f"0001_{suffix}_create")
    def _create(conn):  # type: ignore[no-untyped-def]
        order.append("create")
        table.create(conn)

    store = _fresh(db_url, migrations)
    try:
        assert store.migrate() == [f"0001_{suffix}_create", f"0002_{suffix}_fill"]
        assert store.migrate() == []
        assert order == ["create", "fill"]
        with store.transaction() as conn:
            assert conn.execute(select(table.c.v)).scalar_one() == "x"
        with store.transaction() as conn:
            table.drop(conn)
        _forget(store, suffix)
        assert not [name for name in store.applied() if suffix in name]
    finally:
        store.close()


def test_failed_migration_rolls_back_and_names_the_store(db_url: str) -> None:
    suffix = uuid.uuid4().hex[:8]
    migrations = Migrations()

    @migrations(f"0001_{suffix}_broken")
    def _broken(conn):  # type: ignore[no-untyped-def]
        conn.execute(text("SELECT * FROM table_that_does_not_exist_" + suffix))

    store = _fresh(db_url, migrations)
    try:
        with pytest.raises(StorageError) as info:
            store.migrate()
        assert info.value.key == "store.migration_failed"
        assert f"0001_{suffix}_broken" not in store.applied()
    finally:
        store.close()


def test_duplicate_migration_name_is_rejected() -> None:
    migrations = Migrations()
    migrations("0001_a")(lambda conn: None)
    with pytest.raises(ValueError, match="duplicate"):
        migrations("0001_a")(lambda conn: None)


def test_unreachable_database_is_a_storage_error_without_password() -> None:
    with pytest.raises(StorageError) as info:
        Store.open("postgresql://user:secret@127.0.0.1:1/none")
    assert "secret" not in info.value.message("en")
    assert info.value.key == "store.migration_failed"


def test_memory_store_and_sqlite_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Store.memory() as store:
        assert isinstance(store.applied(), list)
    path = tmp_path / "sub" / "senim.db"
    with Store.open(f"sqlite:///{path}") as store:
        assert path.exists()
        with store.transaction() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"

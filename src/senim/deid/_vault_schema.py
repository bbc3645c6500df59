"""Store tables of the de-identification vault (registered as migration ``0001_deid_vault``).

``deid_vault``: token -> original value encrypted with AES-256-GCM under the vault sub-key
(the token is the associated data); ``key_id`` is a fingerprint of the key, never the key.
``deid_reid_log``: every re-identification request, granted or not: who, why, when, which token
(tokens are already pseudonymous), and the outcome. Original values are never logged.
``deid_dp_session`` / ``deid_dp_ledger`` (migration ``0002_deid_dp_ledger``): the epsilon budget
of a named differential-privacy session and every release charged to it.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
)

from senim.store import MIGRATIONS

__all__ = ["dp_ledger", "dp_session", "reid_log", "vault"]

metadata = MetaData()

vault = Table(
    "deid_vault",
    metadata,
    Column("token", String(200), primary_key=True),
    Column("entity", String(64), nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)

reid_log = Table(
    "deid_reid_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("reason", String(1000), nullable=False),
    Column("token", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("outcome", String(32), nullable=False),
)


@MIGRATIONS("0001_deid_vault")
def _create(conn: Connection) -> None:
    vault.create(conn, checkfirst=True)
    reid_log.create(conn, checkfirst=True)


dp_session = Table(
    "deid_dp_session",
    metadata,
    Column("session", String(200), primary_key=True),
    Column("budget", Float, nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)

dp_ledger = Table(
    "deid_dp_ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session", String(200), nullable=False, index=True),
    Column("at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    Column("query", String(500), nullable=False),
    Column("epsilon", Float, nullable=False),
)


@MIGRATIONS("0002_deid_dp_ledger")
def _create_dp(conn: Connection) -> None:
    dp_session.create(conn, checkfirst=True)
    dp_ledger.create(conn, checkfirst=True)

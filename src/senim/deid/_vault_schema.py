"""Store tables of the de-identification vault (registered as migration ``0001_deid_vault``).

``deid_vault``: token -> original value encrypted with AES-256-GCM under the vault sub-key
(the token is the associated data); ``key_id`` is a fingerprint of the key, never the key.
``deid_reid_log``: every re-identification request, granted or not: who, why, when, which token
(tokens are already pseudonymous), and the outcome. Original values are never logged.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
)

from senim.store import MIGRATIONS

__all__ = ["reid_log", "vault"]

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
    metadata.create_all(conn)

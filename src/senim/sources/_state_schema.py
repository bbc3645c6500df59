"""Store table of incremental scans (registered as migration ``0001_scan_state``).

``scan_state``: one row per (source, scanner configuration): the source's fingerprint
(``file:size:mtime`` or ``table:rows=N``) when it was last scanned, and what that scan found
(findings as compressed Arrow IPC: masked previews and keyed hashes, never raw values; the
column row counts as JSON). A source whose fingerprint is unchanged is not read again.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects import mysql

from senim.store import MIGRATIONS

__all__ = ["scan_state"]

metadata = MetaData()

scan_state = Table(
    "scan_state",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("source", Text, nullable=False),
    Column("config", String(64), nullable=False),
    Column("fingerprint", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("format", String(32), nullable=False),
    Column("records", BigInteger, nullable=False),
    Column(
        "findings", LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb"), nullable=False
    ),
    Column("row_counts", Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=False),
    Column("scanned_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)


@MIGRATIONS("0001_scan_state")
def _create(conn: Connection) -> None:
    metadata.create_all(conn)

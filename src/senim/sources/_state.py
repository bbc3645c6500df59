"""Incremental re-scans: remember what each source looked like and what it held.

A nightly re-scan of an unchanged share reads only file metadata (size and modification
time) or one ``count(*)`` per table; sources whose fingerprint and scanner configuration
(detectors and versions, minimum score, NER, hash key) are unchanged reuse the stored
findings. Anything that cannot be fingerprinted is scanned again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
from sqlalchemy import delete, insert, select

from senim.discovery._model import FINDINGS_SCHEMA
from senim.discovery._scanner import Scanner
from senim.sources._base import MAX_CACHED_FINDINGS
from senim.sources._state_schema import scan_state
from senim.store import Store

__all__ = ["MAX_CACHED_FINDINGS", "Cached", "ScanState", "scanner_config"]

READER_VERSION = "1"


def scanner_config(scanner: Scanner) -> str:
    """A fingerprint of everything in the scanner that changes findings."""
    parts = [
        f"readers={READER_VERSION}",
        f"min_score={scanner.min_score}",
        f"ner={scanner.ner}",
        f"key={scanner.hasher.digest('senim', 'scan-state-probe')}",
        *sorted(f"{d.name}@{d.version}:{d.entity}" for d in scanner.detectors),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Cached:
    records: int
    findings: pa.Table
    row_counts: list[tuple[str, str, int]]
    kind: str
    format: str


class ScanState:
    """Looks up and records per-source scan state in the store."""

    def __init__(self, *, store: Store, scanner: Scanner) -> None:
        self.store = store
        self.config = scanner_config(scanner)

    def _id(self, source: str) -> str:
        return hashlib.sha256(f"{self.config}\x00{source}".encode()).hexdigest()

    def lookup(self, source: str, fingerprint: str | None) -> Cached | None:
        if fingerprint is None:
            return None
        with self.store.transaction() as conn:
            row = (
                conn.execute(select(scan_state).where(scan_state.c.id == self._id(source)))
                .mappings()
                .first()
            )
        if row is None or row["fingerprint"] != fingerprint:
            return None
        reader = pa.ipc.open_stream(pa.BufferReader(row["findings"]))
        table = reader.read_all()
        counts = [(str(s), str(c), int(n)) for s, c, n in json.loads(row["row_counts"])]
        return Cached(
            records=int(row["records"]),
            findings=table,
            row_counts=counts,
            kind=row["kind"],
            format=row["format"],
        )

    def remember(
        self,
        *,
        source: str,
        fingerprint: str | None,
        kind: str,
        format: str,
        records: int,
        findings: Sequence[pa.RecordBatch],
        row_counts: Sequence[tuple[str, str, int]],
    ) -> bool:
        """Store one source's results; ``False`` when it cannot be remembered."""
        if fingerprint is None or sum(b.num_rows for b in findings) > MAX_CACHED_FINDINGS:
            return False
        sink = pa.BufferOutputStream()
        options = pa.ipc.IpcWriteOptions(compression="zstd")
        with pa.ipc.new_stream(sink, FINDINGS_SCHEMA, options=options) as writer:
            for batch in findings:
                writer.write_batch(batch)
        ident = self._id(source)
        with self.store.transaction() as conn:
            conn.execute(delete(scan_state).where(scan_state.c.id == ident))
            conn.execute(
                insert(scan_state).values(
                    id=ident,
                    source=source,
                    config=self.config,
                    fingerprint=fingerprint,
                    kind=kind,
                    format=format,
                    records=records,
                    findings=sink.getvalue().to_pybytes(),
                    row_counts=json.dumps(list(row_counts), ensure_ascii=False),
                    scanned_at=dt.datetime.now(dt.UTC),
                )
            )
        return True

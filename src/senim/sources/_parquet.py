"""Parquet files, streamed batch by batch; struct columns flattened to dotted names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from senim.errors import InputError
from senim.sources._base import Progress, SourceKind

BATCH_ROWS = 65_536


class ParquetFileSource:
    kind: SourceKind = "table"
    format = "parquet"

    def __init__(self, path: Path, *, name: str | None = None):
        self.path = path
        self.name = name or str(path)
        self.size = path.stat().st_size

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        try:
            pf = pq.ParquetFile(self.path)
            total_rows = max(pf.metadata.num_rows, 1)
            for batch in pf.iter_batches(batch_size=BATCH_ROWS):
                table = pa.Table.from_batches([batch])
                while any(pa.types.is_struct(f.type) for f in table.schema):
                    table = table.flatten()
                if progress is not None:
                    progress(self.size * batch.num_rows // total_rows)
                yield from table.to_batches()
        except (pa.ArrowException, OSError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError("source.parse_failed", source=self.name, reason=reason) from exc

"""Parquet files, streamed batch by batch; struct columns flattened to dotted names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from senim.errors import InputError
from senim.sources._base import (
    RECORD_COL,
    SOURCE_COL,
    Progress,
    SourceKind,
    bounded,
    first_line,
)
from senim.sources._blob import Blob, FileBlob, _BlobSource

__all__ = ["ParquetFileSource"]

BATCH_ROWS = 2048


class ParquetFileSource(_BlobSource):
    """One Parquet file (a partitioned dataset folder is scanned file by file)."""

    kind: SourceKind = "table"
    format = "parquet"

    def __init__(
        self,
        path: str | Path | Blob,
        *,
        name: str | None = None,
        part: str | None = None,
        row_groups: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(path, name=name)
        self.part = part
        self.row_groups = row_groups

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        # loaded here: pyarrow.parquet brings pyarrow's cloud filesystems and ssl with it
        import pyarrow.parquet as pq

        self._require_content()
        handle = self.blob.path if isinstance(self.blob, FileBlob) else self.blob.open()
        try:
            pf = pq.ParquetFile(handle)
            total_rows = max(pf.metadata.num_rows, 1)
            groups = list(range(pf.num_row_groups))
            record = 0
            if self.row_groups is not None:
                first, last = self.row_groups
                record = sum(pf.metadata.row_group(i).num_rows for i in range(first))
                groups = groups[first:last]
            for batch in pf.iter_batches(batch_size=BATCH_ROWS, row_groups=groups):
                table = pa.Table.from_batches([batch])
                while any(pa.types.is_struct(f.type) for f in table.schema):
                    table = table.flatten()
                for reserved in (RECORD_COL, SOURCE_COL):
                    if reserved in table.schema.names:
                        table = table.drop_columns([reserved])
                n = table.num_rows
                table = table.append_column(
                    RECORD_COL, pa.array(range(record, record + n), pa.int64())
                )
                if self.part is not None:
                    table = table.append_column(SOURCE_COL, pa.array([self.part] * n, pa.string()))
                record += n
                if progress is not None:
                    progress(self.size * n // total_rows)
                for whole in table.combine_chunks().to_batches():
                    yield from bounded(whole)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(
                "source.parse_failed", source=self.name, reason=first_line(exc)
            ) from exc
        finally:
            if not isinstance(handle, str | Path):
                handle.close()

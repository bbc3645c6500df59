"""``.zip`` and ``.gz`` archives, read without unpacking to disk and with zip-bomb limits.

Members are scanned in name order and named ``archive.zip!folder/file.csv``. Text formats
stream straight out of the archive; formats that need random access (Parquet, XLSX, DOCX,
PDF, nested zips) are extracted into a spool (memory up to 32 MiB, then a temp file).
Every byte that comes out is counted against :class:`ArchiveLimits`; an archive that
breaks them is reported, not unpacked.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyarrow as pa

from senim._i18n import shown
from senim.errors import InputError
from senim.sources._base import SOURCE_COL, Progress, SourceKind, first_line, problems_of
from senim.sources._blob import Blob, LimitedReader, SpooledBlob, _BlobSource, _Member

if TYPE_CHECKING:
    from senim.sources._limits import ArchiveLimits

__all__ = ["ZipSource"]

STREAMED = (".csv", ".tsv", ".txt", ".text", ".log", ".md", ".json", ".jsonl", ".ndjson")


@dataclass(frozen=True, slots=True)
class _MemberBlob(_Member):
    """A member streamed straight out of a zip (not seekable)."""

    archive: zipfile.ZipFile
    info: zipfile.ZipInfo
    display: str
    level: int
    limit: int
    parent_fingerprint: str | None

    @property
    def filename(self) -> str:
        return self.info.filename.rsplit("/", 1)[-1]

    @property
    def size(self) -> int:
        return self.info.file_size

    def open(self) -> IO[bytes]:
        return LimitedReader(self.archive.open(self.info), self.limit, self.display)  # type: ignore[return-value]


class ZipSource(_BlobSource):
    """A zip archive: every member is opened with the reader its name calls for."""

    kind: SourceKind = "table"
    format = "zip"

    def __init__(
        self,
        path: str | Path | Blob,
        *,
        name: str | None = None,
        limits: ArchiveLimits | None = None,
    ) -> None:
        from senim.sources._limits import archive_limits

        super().__init__(path, name=name)
        self.limits = archive_limits(limits)

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        from senim.sources._files import open_blob

        if self.blob.depth >= self.limits.max_depth + 1:
            raise InputError("source.archive_depth", source=self.name, depth=self.limits.max_depth)
        handle = self.blob.open()
        try:
            try:
                archive = zipfile.ZipFile(handle)
                members = [i for i in archive.infolist() if not i.is_dir()]
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise InputError(
                    "source.parse_failed", source=self.name, reason=first_line(exc)
                ) from exc
            if len(members) > self.limits.max_members:
                raise InputError(
                    "source.archive_members",
                    source=self.name,
                    count=len(members),
                    limit=self.limits.max_members,
                )
            declared = sum(i.file_size for i in members)
            if declared > self.limits.max_total_bytes:
                raise InputError(
                    "source.archive_limit",
                    source=self.name,
                    limit=f"{self.limits.max_total_bytes >> 20} MiB",
                )
            budget = self.limits.max_total_bytes
            level = self.blob.depth + 1
            for info in sorted(members, key=lambda i: i.filename):
                display = f"{self.name}!{shown(info.filename)}"
                base = info.filename.rsplit("/", 1)[-1]
                if base.startswith((".", "__MACOSX")) or info.filename.startswith("__MACOSX/"):
                    continue
                if info.flag_bits & 0x1:
                    self.problems.append(InputError("source.encrypted", source=display))
                    continue
                if (
                    info.file_size > self.limits.ratio_floor
                    and info.file_size > self.limits.max_ratio * max(info.compress_size, 1)
                ):
                    self.problems.append(
                        InputError(
                            "source.archive_ratio",
                            source=display,
                            ratio=f"{info.file_size / max(info.compress_size, 1):.0f}",
                            limit=f"{self.limits.max_ratio:.0f}",
                        )
                    )
                    continue
                limit = min(info.file_size, budget)
                budget -= info.file_size
                member: Blob | None = None
                try:
                    if base.lower().endswith(STREAMED):
                        member = _MemberBlob(
                            archive, info, display, level, limit, self.blob.fingerprint()
                        )
                    else:
                        member = SpooledBlob.extract(
                            archive,
                            info,
                            display=display,
                            level=level,
                            max_bytes=limit,
                            parent_fingerprint=self.blob.fingerprint(),
                        )
                    inner = open_blob(member, in_folder=True, limits=self.limits)
                    if inner is None:
                        continue
                    for batch in inner.batches(None):
                        if SOURCE_COL not in batch.schema.names:
                            batch = batch.append_column(
                                SOURCE_COL, pa.array([display] * batch.num_rows, pa.string())
                            )
                        yield batch
                    self.problems.extend(problems_of(inner))
                except InputError as exc:
                    self.problems.append(exc)
                except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as exc:
                    self.problems.append(
                        InputError("source.parse_failed", source=display, reason=first_line(exc))
                    )
                finally:
                    if isinstance(member, SpooledBlob):
                        member.spool.close()
        finally:
            handle.close()
        if progress is not None:
            progress(self.size)

"""CSV/TSV files, streamed with pyarrow; every column is read as text (no lost zeros)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from senim.errors import InputError
from senim.sources._base import Progress, SourceKind

BLOCK_SIZE = 4 << 20


class CsvFileSource:
    """A delimited text file with a header row; the delimiter is sniffed."""

    kind: SourceKind = "table"
    format = "csv"

    def __init__(self, path: Path, *, name: str | None = None, encoding: str = "utf-8"):
        self.path = path
        self.name = name or str(path)
        self.encoding = encoding
        self.size = path.stat().st_size

    def _dialect(self) -> tuple[str, list[str]]:
        try:
            with open(self.path, encoding="utf-8-sig", newline="") as fh:
                sample = fh.read(64 * 1024)
        except UnicodeDecodeError as exc:
            raise InputError(
                "source.decode_failed", source=self.name, encoding="utf-8", reason=exc.reason
            ) from exc
        if not sample.strip():
            raise InputError("source.empty", source=self.name)
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = "\t" if self.path.suffix.lower() == ".tsv" else ","
        header = next(csv.reader([sample.splitlines()[0]], delimiter=delimiter))
        names = _unique([h.strip() or f"column_{i + 1}" for i, h in enumerate(header)])
        return delimiter, names

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        delimiter, names = self._dialect()
        read = pacsv.ReadOptions(
            column_names=names, skip_rows=1, block_size=BLOCK_SIZE, encoding=self.encoding
        )
        parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
        convert = pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False
        )
        done = 0
        try:
            with pacsv.open_csv(
                self.path, read_options=read, parse_options=parse, convert_options=convert
            ) as reader:
                for batch in reader:
                    if progress is not None:
                        step = min(self.size - done, BLOCK_SIZE)
                        progress(step)
                        done += step
                    if batch.num_rows:
                        yield batch
        except (pa.ArrowInvalid, pa.ArrowException) as exc:
            raise InputError(
                "source.parse_failed", source=self.name, reason=_first_line(exc)
            ) from exc
        except OSError as exc:
            raise InputError(
                "source.read_failed", source=self.name, reason=exc.strerror or str(exc)
            ) from exc
        if progress is not None and done < self.size:
            progress(self.size - done)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            out.append(f"{name}_{seen[name]}")
        else:
            seen[name] = 1
            out.append(name)
    return out


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__

"""CSV/TSV: encoding detected, delimiter sniffed, streamed in bounded batches as text columns.

Every field is read as text (no lost leading zeros in IINs or postal codes). Python's
``csv`` module parses (strict quoting, exact line numbers); it is far faster than the
scanner behind it. Rows with missing fields are padded, extra fields get their own columns
(``column_9``), so nothing is dropped. An unterminated quote or a field over
:data:`MAX_FIELD` characters stops the file with a message naming the line; what came
before is kept.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

import pyarrow as pa

from senim.errors import InputError
from senim.sources._base import Progress, SourceKind, first_line, table_batch, unique_names
from senim.sources._blob import _TextSource, read_error
from senim.sources._decode import DecodedText, decode_error

__all__ = ["CsvFileSource"]

MAX_FIELD = 16 << 20
ROWS_PER_BATCH = 8192
CHARS_PER_BATCH = 1 << 18
DELIMITERS = ",;\t|"

csv.field_size_limit(MAX_FIELD)


class CsvFileSource(_TextSource):
    """A delimited text file with a header row (the first non-empty row)."""

    kind: SourceKind = "table"
    format = "csv"

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        sample = self._sample()
        if not sample.strip():
            raise InputError("source.empty", source=self.name)
        encoding = self._text_encoding(sample, self.encoding)
        head = sample.decode(encoding, errors="replace")
        delimiter = _sniff(head, self.blob.filename)
        with self._reopen(sample) as raw:
            text = DecodedText(raw, encoding)
            reader = csv.reader(text.lines(), delimiter=delimiter, strict=True)
            names: list[str] | None = None
            rows: list[list[str]] = []
            records: list[int] = []
            chars = 0
            record = 0
            done = 0
            start_line = 1
            try:
                for row in reader:
                    if not row or (len(row) == 1 and not row[0].strip()):
                        start_line = reader.line_num + 1
                        continue
                    if names is None:
                        names = unique_names(row)
                        start_line = reader.line_num + 1
                        continue
                    rows.append(row)
                    records.append(record)
                    record += 1
                    chars += sum(len(v) for v in row)
                    start_line = reader.line_num + 1
                    if len(rows) >= ROWS_PER_BATCH or chars >= CHARS_PER_BATCH:
                        yield _to_batch(names, rows, records, self.part)
                        rows, records, chars = [], [], 0
                        if progress is not None:
                            progress(text.bytes_read - done)
                            done = text.bytes_read
            except csv.Error as exc:
                if rows and names is not None:
                    yield _to_batch(names, rows, records, self.part)
                    rows = []
                reason = str(exc)
                if "unexpected end of data" in reason or "field larger" in reason:
                    self.problems.append(
                        InputError("source.csv_unterminated", source=self.name, line=start_line)
                    )
                else:
                    self.problems.append(
                        InputError(
                            "source.csv_malformed",
                            source=self.name,
                            line=reader.line_num,
                            reason=first_line(exc),
                        )
                    )
            except OSError as exc:
                raise read_error(self.name, exc) from exc
            if rows and names is not None:
                yield _to_batch(names, rows, records, self.part)
            if progress is not None:
                progress(max(0, text.bytes_read - done))
            if text.stats.bad:
                self.problems.append(decode_error(self.name, text.stats, encoding))


def _sniff(head: str, filename: str) -> str:
    cut = head[:65536]
    if "\n" in cut:
        cut = cut[: cut.rindex("\n")]
    try:
        return csv.Sniffer().sniff(cut, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    first = cut.split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best]:
        return best
    return "\t" if filename.lower().endswith(".tsv") else ","


def _to_batch(
    names: list[str], rows: list[list[str]], records: list[int], part: str | None
) -> pa.RecordBatch:
    width = max(len(names), max(len(r) for r in rows))
    all_names = (
        names
        + unique_names([*names, *(f"column_{i + 1}" for i in range(len(names), width))])[
            len(names) :
        ]
    )
    padded: list[list[str | None]] = [
        [*r, *([None] * (width - len(r)))] if len(r) < width else list(r) for r in rows
    ]
    columns = [list(c) for c in zip(*padded, strict=True)]
    return table_batch(all_names, columns, records, part=part)

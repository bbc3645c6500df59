"""Office documents and PDF: XLSX/XLS/ODS (every sheet), DOCX (paragraphs and tables), PDF.

Each part is named in the findings: ``book.xlsx#Clients`` (sheet), ``letter.docx#table=2``
(a Word table; paragraphs keep the file name), ``scan.pdf#page=3`` (text layer of a page).
Password-protected files are reported as such, not guessed at.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from senim.errors import InputError
from senim.sources._base import (
    Progress,
    SourceKind,
    first_line,
    table_batch,
    text_batch,
    unique_names,
)
from senim.sources._blob import Blob, _BlobSource
from senim.sources._decode import sniff_magic

__all__ = ["DocxSource", "PdfSource", "XlsxSource"]

ROWS_PER_BATCH = 8192
MAX_PDF_PAGES = 10_000


def _cell_text(value: Any) -> str | None:
    """A spreadsheet cell as text: whole floats without ``.0`` (IINs typed as numbers)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def _encrypted_or_damaged(blob: Blob, name: str, exc: BaseException) -> InputError:
    with blob.open() as fh:
        head = fh.read(8)
    if sniff_magic(head) == "ole":
        return InputError("source.encrypted", source=name)
    return InputError("source.parse_failed", source=name, reason=first_line(exc))


class XlsxSource(_BlobSource):
    """A workbook; every sheet is a table (first non-empty row = header)."""

    kind: SourceKind = "table"
    format = "xlsx"

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        import python_calamine as pc

        self._require_content()
        try:
            with self.blob.open() as fh:
                book = pc.CalamineWorkbook.from_filelike(fh)
                names = list(book.sheet_names)
        except pc.PasswordError as exc:
            raise InputError("source.encrypted", source=self.name) from exc
        except Exception as exc:  # calamine raises several unrelated types for bad input
            raise _encrypted_or_damaged(self.blob, self.name, exc) from exc
        for sheet_name in names:
            part = f"{self.name}#{sheet_name}"
            try:
                sheet = book.get_sheet_by_name(sheet_name)
                rows_iter = sheet.iter_rows()
                header: list[str] | None = None
                rows: list[list[str | None]] = []
                records: list[int] = []
                record = 0
                for raw in rows_iter:
                    cells = [_cell_text(v) for v in raw]
                    if not any(c is not None and c.strip() for c in cells):
                        continue
                    if header is None:
                        header = unique_names([c or "" for c in cells])
                        continue
                    rows.append(cells)
                    records.append(record)
                    record += 1
                    if len(rows) >= ROWS_PER_BATCH:
                        yield _sheet_batch(header, rows, records, part)
                        rows, records = [], []
                if rows and header is not None:
                    yield _sheet_batch(header, rows, records, part)
            except Exception as exc:
                self.problems.append(
                    InputError("source.parse_failed", source=part, reason=first_line(exc))
                )
        if progress is not None:
            progress(self.size)


def _sheet_batch(
    header: list[str], rows: list[list[str | None]], records: list[int], part: str
) -> pa.RecordBatch:
    width = max(len(header), *(len(r) for r in rows))
    names = unique_names([*header, *("" for _ in range(width - len(header)))])
    padded = [[*r, *([None] * (width - len(r)))] for r in rows]
    columns = [list(c) for c in zip(*padded, strict=True)]
    return table_batch(names, columns, records, part=part)


class DocxSource(_BlobSource):
    """A Word document: paragraphs as text (offsets into the joined text), tables as tables."""

    kind: SourceKind = "text"
    format = "docx"

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        self._require_content()
        try:
            with self.blob.open() as fh:
                document = docx.Document(fh)
        except (PackageNotFoundError, KeyError, ValueError, OSError, Exception) as exc:
            raise _encrypted_or_damaged(self.blob, self.name, exc) from exc
        chunks: list[str] = []
        offsets: list[int] = []
        offset = 0
        for paragraph in document.paragraphs:
            text = paragraph.text + "\n"
            if text.strip():
                chunks.append(text)
                offsets.append(offset)
            offset += len(text)
        if chunks:
            yield text_batch(chunks, offsets, part=self.name)
        for number, table in enumerate(document.tables, start=1):
            part = f"{self.name}#table={number}"
            try:
                grid = [[cell.text for cell in row.cells] for row in table.rows]
            except Exception as exc:
                self.problems.append(
                    InputError("source.parse_failed", source=part, reason=first_line(exc))
                )
                continue
            grid = [r for r in grid if any(c.strip() for c in r)]
            if len(grid) < 2:
                if grid:  # a one-row table is text, not a table with a header
                    yield text_batch(["\t".join(grid[0])], [0], part=part)
                continue
            header, body = unique_names(grid[0]), grid[1:]
            yield _sheet_batch(header, [list(r) for r in body], list(range(len(body))), part)
        if progress is not None:
            progress(self.size)


class PdfSource(_BlobSource):
    """The text layer of a PDF, page by page (scans without a text layer need OCR first)."""

    kind: SourceKind = "text"
    format = "pdf"

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        import pypdf
        from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

        self._require_content()
        logging.getLogger("pypdf").setLevel(logging.ERROR)
        with self.blob.open() as fh:
            try:
                reader = pypdf.PdfReader(fh, strict=False)
                if reader.is_encrypted and not _open_without_password(reader):
                    raise InputError("source.encrypted", source=self.name)
                pages = reader.pages
                count = len(pages)
            except InputError:
                raise
            except (PyPdfError, PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
                raise InputError(
                    "source.parse_failed", source=self.name, reason=first_line(exc)
                ) from exc
            except RecursionError as exc:
                raise InputError(
                    "source.parse_failed", source=self.name, reason="nested too deeply"
                ) from exc
            empty = 0
            for number in range(1, min(count, MAX_PDF_PAGES) + 1):
                part = f"{self.name}#page={number}"
                try:
                    text = pages[number - 1].extract_text() or ""
                except FileNotDecryptedError as exc:
                    raise InputError("source.encrypted", source=self.name) from exc
                except (RecursionError, Exception) as exc:
                    self.problems.append(
                        InputError("source.parse_failed", source=part, reason=first_line(exc))
                    )
                    continue
                if not text.strip():
                    empty += 1
                    continue
                lines = text.splitlines(keepends=True)
                offs, pos = [], 0
                for line in lines:
                    offs.append(pos)
                    pos += len(line)
                keep = [(ln, o) for ln, o in zip(lines, offs, strict=True) if ln.strip()]
                yield text_batch([k[0] for k in keep], [k[1] for k in keep], part=part)
        if count and empty == min(count, MAX_PDF_PAGES):
            self.problems.append(InputError("source.pdf_no_text", source=self.name, pages=count))
        if count > MAX_PDF_PAGES:
            self.problems.append(
                InputError("source.pdf_too_many_pages", source=self.name, limit=MAX_PDF_PAGES)
            )
        if progress is not None:
            progress(self.size)


def _open_without_password(reader: Any) -> bool:
    """Files with only an owner password (print/copy restrictions) open with an empty one."""
    try:
        return bool(reader.decrypt(""))
    except Exception:
        return False

"""Library entry points: scan a string, a table, files and folders, or databases."""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from senim.discovery._model import Finding
from senim.discovery._report import ScanReport, SourceResult
from senim.discovery._scanner import Scanner
from senim.errors import InputError, SenimError
from senim.sources import Skipped, Source, SourceKind, iter_sources
from senim.sources._base import MAX_CACHED_FINDINGS, fingerprint_of, first_line, problems_of
from senim.sources._files import STDIN, file_sizes
from senim.sources._sql import is_database_url, iter_database_sources
from senim.sources._text import TextFileSource

__all__ = [
    "scan_database",
    "scan_paths",
    "scan_sources",
    "scan_table",
    "scan_text",
    "to_arrow",
]

if TYPE_CHECKING:  # no import cycle at run time
    from senim.engine import FindingsSink, Workers
    from senim.engine._stream import Part, UnitStream
    from senim.sources._limits import ArchiveLimits
    from senim.sources._state import Cached, ScanState


log = logging.getLogger("senim.scan")


@cache
def _default_scanner() -> Scanner:
    return Scanner()


def scan_text(text: str, *, scanner: Scanner | None = None) -> list[Finding]:
    """Findings in ``text`` with the default detectors.

    >>> [(f.entity, f.start, f.end) for f in scan_text("ЖСН: 061211600012")]
    [('KZ_IIN', 5, 17)]
    """
    return (scanner or _default_scanner()).scan_text(text)


def to_arrow(table: Any) -> pa.Table:
    """Accept a pyarrow Table/RecordBatch, a polars DataFrame or a pandas DataFrame."""
    if isinstance(table, pa.Table):
        return table
    if isinstance(table, pa.RecordBatch):
        return pa.Table.from_batches([table])
    module = type(table).__module__.split(".")[0]
    if module == "polars":
        converted = table.to_arrow()
        assert isinstance(converted, pa.Table)
        return converted
    if module == "pandas":
        return pa.Table.from_pandas(table, preserve_index=False)
    raise InputError("scan.unsupported_table", kind=type(table).__name__)


class _TableSource:
    kind: SourceKind = "table"
    format = "table"
    size = 0

    def __init__(self, table: pa.Table, name: str) -> None:
        self.table = table
        self.name = name

    def batches(self, progress: Callable[[int], None] | None = None) -> Iterator[pa.RecordBatch]:
        yield from self.table.to_batches()


def scan_table(
    table: Any, *, source: str = "<table>", scanner: Scanner | None = None
) -> ScanReport:
    """Scan an Arrow/polars/pandas table; the report has findings and column summaries."""
    return scan_sources([_TableSource(to_arrow(table), source)], scanner=scanner)


class _OutputFailed(Exception):
    """Carries an error of the findings output past the per-source error handling."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _named(item: InputError | Skipped) -> str | None:
    """The path or source a problem or a skipped file names, if any."""
    if isinstance(item, Skipped):
        return item.name
    name = item.params.get("path") or item.params.get("source")
    return str(name) if name else None


def _file_size(item: InputError | Skipped) -> int:
    """The bytes of the progress bar's total that a problem or a skipped file stands for:
    the size of the file a problem names (0 when there is none), a skipped file's own
    count (a link to a folder or a pipe was never counted)."""
    if isinstance(item, Skipped):
        return item.size
    name = _named(item)
    try:
        return os.stat(name).st_size if name else 0
    except (OSError, ValueError):
        return 0


def scan_paths(
    paths: Sequence[str | Path],
    *,
    scanner: Scanner | None = None,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    sample: int | None = None,
    workers: Workers = 1,
    state: ScanState | None = None,
    limits: ArchiveLimits | None = None,
    keep_findings: bool = True,
    on_findings: Callable[[pa.RecordBatch], None] | None = None,
) -> ScanReport:
    """Scan files, folders and database URLs (``"-"``: standard input). Unreadable inputs
    become problems.

    ``include``/``exclude`` (glob patterns on ``schema.table`` or ``table``) and ``sample``
    (rows per table) apply to databases; ``workers`` runs the scan on a local process pool
    (``"auto"``: all cores for large inputs); ``state`` makes the scan incremental.
    """
    from senim.engine._helpers import early_for_auto, scan_weight, source_weight

    report = _new_report()
    # databases and standard input are opened up front (their size is known only then);
    # files are opened one by one as the scan reaches them, so a folder of a million files
    # neither waits for all to be opened nor holds them all
    opened: dict[int, list[Any]] = {}
    total = weight = 0
    for i, raw in enumerate(paths):
        text = str(raw)
        if is_database_url(text):
            opened[i] = list(
                iter_database_sources(text, include=include, exclude=exclude, sample=sample)
            )
        elif isinstance(raw, str) and raw == STDIN:
            opened[i] = list(iter_sources([raw], limits=limits))
        else:
            continue
        for item in opened[i]:
            if not isinstance(item, InputError | Skipped):
                total += item.size
                weight += source_weight(item)
    # the files' sizes, listed before any is read, are the progress bar's total, and tell
    # whether helpers pay off; the pool the command started early was started on that
    # decision, taken on the same sizes (it knows no more than that they reach it)
    if on_total is not None or (workers == "auto" and not early_for_auto()):
        for name, size in file_sizes([raw for i, raw in enumerate(paths) if i not in opened]):
            total += size
            weight += scan_weight(name, size)

    def sources() -> Iterator[Source | InputError | Skipped]:
        for i, raw in enumerate(paths):
            items = opened.pop(i, None)
            files = items is None
            for item in iter_sources([raw], limits=limits) if items is None else items:
                if files and on_progress is not None and isinstance(item, InputError | Skipped):
                    on_progress(_file_size(item))  # counted in the total
                yield item

    if on_total is not None:
        on_total(total)  # what progress counts: bytes read
    return scan_sources(
        sources(),
        scanner=scanner,
        report=report,
        on_progress=on_progress,
        workers=workers,
        total_bytes=weight,
        state=state,
        keep_findings=keep_findings,
        on_findings=on_findings,
    )


def scan_database(
    url: str,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    sample: int | None = None,
    scanner: Scanner | None = None,
    state: ScanState | None = None,
) -> ScanReport:
    """Scan every table of a database (``sqlite:///``, ``postgresql://``, ``mysql://``)."""
    return scan_paths(
        [url], include=include, exclude=exclude, sample=sample, scanner=scanner, state=state
    )


def _new_report() -> ScanReport:
    from senim.engine import StreamedScanReport

    return StreamedScanReport()


def scan_sources(
    sources: Iterable[Source | InputError | Skipped],
    *,
    scanner: Scanner | None = None,
    report: ScanReport | None = None,
    on_progress: Callable[[int], None] | None = None,
    workers: Workers = 1,
    total_bytes: int = 0,
    state: ScanState | None = None,
    keep_findings: bool = True,
    on_findings: Callable[[pa.RecordBatch], None] | None = None,
) -> ScanReport:
    """Scan already-opened sources into one report (the loop every surface uses).

    Paths that could not be opened and files of a folder left out (as
    :func:`~senim.sources.iter_sources` yields them) are listed in their place.

    All sources go through one run of the engine, so helpers stay busy across files, and
    the short text batches of consecutive files are scanned together
    (:class:`~senim.engine.UnitStream`); findings, problems and the incremental state still
    come back per source, in input order.
    """
    from concurrent.futures.process import BrokenProcessPool

    from senim.engine import FindingsSink, LocalEngine, StreamedScanReport, UnitStream

    scanner = scanner or _default_scanner()
    report = report if report is not None else _new_report()
    started = time.perf_counter()
    sink = FindingsSink(keep=keep_findings, on_batch=on_findings)
    if report.findings.num_rows:
        for batch in report.findings.to_batches():
            sink.add(batch, [])
    loop = _Loop(report, sink, state, on_progress)
    stream: UnitStream[_Scanning] = UnitStream()
    units = loop.units(sources, stream)
    with LocalEngine(scanner=scanner, workers=workers, total_bytes=total_bytes) as engine:
        while True:
            try:
                for found, counts in engine.run(units):
                    loop.settle(stream.events)
                    _, parts = stream.events.popleft()
                    loop.deliver(found, counts, parts)
                break
            except _OutputFailed as exc:
                raise exc.error from None
            except Exception as exc:  # a helper died, or a scan failed
                if _debug() and not isinstance(exc, SenimError | BrokenProcessPool):
                    raise
                log.debug("scanning failed", exc_info=True)
                loop.lost(stream.events, exc)
        loop.settle(stream.events)
    if loop.fatal is not None:
        raise loop.fatal
    report.findings = sink.table()
    report.columns = sink.columns(scanner)
    if isinstance(report, StreamedScanReport):
        report.counts = dict(sink.counts)
        report.reused += loop.reused
    report.duration_s += time.perf_counter() - started
    return report


def _scan_failed(source: Source, exc: Exception) -> SenimError:
    """The problem a source gets when its batches were lost to ``exc``."""
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(exc, SenimError):
        return exc
    if isinstance(exc, BrokenProcessPool):
        return InputError("source.worker_failed", source=source.name, reason=str(exc))
    return _parse_failed(source, exc)


def _parse_failed(source: Source, exc: BaseException) -> InputError:
    return InputError("source.parse_failed", source=source.name, reason=first_line(exc))


@dataclass(slots=True, eq=False)
class _Scanning:
    """A source in the scan loop: its row of the report and what the incremental state
    would keep of it."""

    source: Source
    result: SourceResult
    fingerprint: str | None
    remember: bool
    kept: list[pa.RecordBatch] = field(default_factory=list)
    counts: list[tuple[str, str, int]] = field(default_factory=list)
    scanned: bool = False
    """Findings of some of its batches have come back."""
    stopped: bool = False
    """Its scan failed: the rest of it is neither read nor reported."""


class _Loop:
    """The per-source bookkeeping of :func:`scan_sources`: reading sources into units, and
    handing each unit's findings, each source's end and each reused source back in order."""

    def __init__(
        self,
        report: ScanReport,
        sink: FindingsSink,
        state: ScanState | None,
        on_progress: Callable[[int], None] | None,
    ) -> None:
        self.report = report
        self.sink = sink
        self.state = state
        self.on_progress = on_progress
        self.reused = 0
        self.fatal: Exception | None = None

    def units(
        self, sources: Iterable[Source | InputError | Skipped], stream: UnitStream[_Scanning]
    ) -> Iterator[tuple[pa.RecordBatch, str, int]]:
        """Every source's batches as engine units; a reader's failure ends its source only.

        Any other failure (the scan state's store, say) ends the stream and is kept in
        :attr:`fatal`, so the units already handed out are finished before it is raised.
        """
        try:
            yield from self._units(sources, stream)
        except Exception as exc:
            self.fatal = exc

    def _units(
        self, sources: Iterable[Source | InputError | Skipped], stream: UnitStream[_Scanning]
    ) -> Iterator[tuple[pa.RecordBatch, str, int]]:
        state = self.state
        for source in sources:
            if isinstance(source, InputError | Skipped):
                yield from self._not_opened(source, stream)
                continue
            result = SourceResult(
                name=source.name, kind=source.kind, format=source.format, size=source.size
            )
            self.report.sources.append(result)
            fingerprint = fingerprint_of(source) if state is not None else None
            cached = state.lookup(source.name, fingerprint) if state is not None else None
            item = _Scanning(
                source, result, fingerprint, state is not None and fingerprint is not None
            )
            if cached is not None:
                yield from stream.mark(("reused", item, cached), flush=True)
                continue
            error: SenimError | None = None
            try:
                # a short text file's rows go to the stream as they are (no batch per file)
                rows = source.whole_rows() if isinstance(source, TextFileSource) else None
                if rows is not None:
                    result.records = rows.num_rows
                    yield from stream.rows(rows, item, source.name, 0)
                    if self.on_progress is not None:
                        self.on_progress(rows.size)
                else:
                    for batch in source.batches(self.on_progress):
                        if item.stopped:
                            break
                        offset = result.records
                        result.records += batch.num_rows
                        yield from stream.batch(batch, item, source.name, offset)
            except SenimError as exc:
                error = exc
            except Exception as exc:  # a reader library failed in a way it does not document
                if _debug():
                    raise
                log.debug("reading %s failed", source.name, exc_info=True)
                error = _parse_failed(source, exc)
            yield from stream.mark(("end", item, error))
        yield from stream.flush()

    def _not_opened(
        self, item: InputError | Skipped, stream: UnitStream[_Scanning]
    ) -> Iterator[tuple[pa.RecordBatch, str, int]]:
        """A path that could not be opened, or a folder's file left out: listed among the
        sources in its place, its problem after those of the sources before it."""
        name = _named(item) or "?"
        if isinstance(item, Skipped):
            self.report.sources.append(
                SourceResult(name=name, kind="-", format="-", status="skipped", skipped=item.reason)
            )
            return
        self.report.sources.append(
            SourceResult(name=name, kind="-", format="-", status="failed", problem=item)
        )
        yield from stream.mark(("failed", None, item))

    def settle(self, events: deque[Any]) -> None:
        """Handle the markers ahead of the next unit (or all that are left)."""
        while events and events[0][0] == "mark":
            kind, item, extra = events.popleft()[1]
            if kind == "reused":
                self._reuse(item, extra)
            elif kind == "failed":
                self.report.problems.append(extra)
            else:
                self._end(item, extra)

    def deliver(
        self,
        found: pa.RecordBatch,
        counts: list[tuple[str, str, int]],
        parts: list[Part[_Scanning]],
    ) -> None:
        """A unit's findings to the sink and to the sources its rows came from."""
        from senim.engine import split_counts, split_findings

        found, slices = split_findings(found, parts)
        shares = split_counts(counts, parts)
        live = [not p.tag.stopped for p in parts]
        if not any(live):
            return  # its source failed while it was in flight
        if not all(live):
            found = pa.concat_batches([f for f, keep in zip(slices, live, strict=True) if keep])
        counts = [c for share, keep in zip(shares, live, strict=True) if keep for c in share]
        try:
            self.sink.add(found, counts)
        except Exception as exc:  # the output failed, not this source
            raise _OutputFailed(exc) from exc
        for f, share, part in zip(slices, shares, parts, strict=True):
            item: _Scanning = part.tag
            if item.stopped:
                continue
            item.result.findings += f.num_rows
            item.scanned = True
            if item.remember:
                item.kept.append(f)
                item.counts.extend(share)
                if sum(b.num_rows for b in item.kept) > MAX_CACHED_FINDINGS:
                    item.remember, item.kept, item.counts = False, [], []

    def lost(self, events: deque[Any], exc: Exception) -> None:
        """The units in flight when a scan failed: their sources fail (or end partly), and
        what is left of them is not read. Raises when no unit was in flight."""
        marks = []
        units = 0
        while events:
            kind, payload = events.popleft()
            if kind == "mark":
                marks.append((kind, payload))
                continue
            units += 1
            for part in payload:
                item: _Scanning = part.tag
                if not item.stopped:
                    problem = _scan_failed(item.source, exc)
                    self._fail(item, problem, partly=item.scanned)
                    item.stopped = True
        events.extend(marks)
        if not units:
            raise exc

    def _fail(self, item: _Scanning, problem: SenimError, *, partly: bool) -> None:
        result = item.result
        if result.problem is None:
            result.status = "partial" if partly else "failed"
            result.problem = problem
            self.report.problems.append(problem)
        item.remember = False

    def _end(self, item: _Scanning, error: SenimError | None) -> None:
        result = item.result
        if error is not None:
            self._fail(item, error, partly=bool(result.records))
        extra = problems_of(item.source)
        if extra:
            self.report.problems.extend(extra)
            if result.status == "ok":
                result.status = "partial"
                result.problem = extra[0]
        if item.remember and result.status == "ok" and self.state is not None:
            self.state.remember(
                source=result.name,
                fingerprint=item.fingerprint,
                kind=item.source.kind,
                format=item.source.format,
                records=result.records,
                findings=item.kept,
                row_counts=_merge(item.counts),
            )

    def _reuse(self, item: _Scanning, cached: Cached) -> None:
        result = item.result
        for batch in cached.findings.to_batches():
            self.sink.add(batch, [])
            result.findings += batch.num_rows
        self.sink.add(pa.RecordBatch.from_pylist([]), cached.row_counts)
        result.records = cached.records
        if self.on_progress is not None:
            self.on_progress(item.source.size)
        self.reused += 1


def _debug() -> bool:
    return os.environ.get("SENIM_DEBUG", "") not in ("", "0")


def _merge(counts: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    merged: dict[tuple[str, str], int] = {}
    for source, column, n in counts:
        merged[(source, column)] = merged.get((source, column), 0) + n
    return [(s, c, n) for (s, c), n in merged.items()]

"""Helper processes of the local engine: started early, given the scanner with each batch.

A helper costs the scanner's imports and detector data (about 0.4 s). The CLI calls
:func:`start_early` before it loads anything heavy itself, so a helper's start-up overlaps
the CLI's own instead of following it; :class:`~senim.engine.LocalEngine` then takes that
pool (:func:`take_early`) or starts one. A pool started that early is forked (nothing in
this process runs a thread yet), a later one spawned (:func:`start_method`). This module
imports only the standard library (and :mod:`senim._collector`, which does too): what a
helper needs is imported inside the helper.

Each batch travels with the pickled scanner (about 2 KB); a helper unpickles it once and
keeps it while the same bytes come back, so a pool can be started before the scanner
exists.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from functools import cache
from importlib.abc import MetaPathFinder
from pathlib import Path
from typing import TYPE_CHECKING

from senim._collector import collector_paused

if TYPE_CHECKING:
    from multiprocessing.queues import SimpleQueue

    import pyarrow as pa

    from senim.discovery._scanner import Scanner
    from senim.engine._batch import RowCount
    from senim.sources._base import Source

__all__ = [
    "AUTO_POOL_BYTES",
    "arrow_without_numpy",
    "core_groups",
    "cpu_count",
    "cpu_quota",
    "discard_early",
    "early_for_auto",
    "estimate_bytes",
    "hidden",
    "pack",
    "scan_weight",
    "source_weight",
    "start_early",
    "start_method",
    "start_pool",
    "take_early",
    "unpack",
    "warm_up_rows",
]

AUTO_POOL_BYTES = 4 << 20
"""With ``workers="auto"``, inputs smaller than this (bytes of text, :func:`scan_weight`) are
scanned by this process alone.

A helper costs about half a second of start-up (imports, detector state) and a scanning
core does 1-2 MB/s of dense exports, so from about 4 MB on a helper pays for itself."""

_PACKED = frozenset({".parquet", ".pq", ".gz", ".zip", ".xlsx", ".xlsm", ".ods", ".docx"})
PACKED_FACTOR = 4
"""Text a compressed file holds per byte, at least (a zstd Parquet export of a CSV: about
seven; a gzipped CSV: four to ten), when deciding whether helpers pay off."""


def scan_weight(name: str, size: int) -> int:
    """The bytes of text a file of ``size`` bytes stands for: its size, times
    :data:`PACKED_FACTOR` for compressed formats (Parquet, gzip, zip, Office files)."""
    return size * PACKED_FACTOR if os.path.splitext(name.lower())[1] in _PACKED else size


def source_weight(source: Source) -> int:
    """:func:`scan_weight` of a source: a file's by its name and size, a database table's by
    the bytes its database says the table stores (``stored_bytes``; its size is not known
    until it has been read)."""
    return scan_weight(source.name, source.size) or int(getattr(source, "stored_bytes", 0))


_early: tuple[ProcessPoolExecutor, int] | None = None
"""The pool :func:`start_early` started, and its number of helpers."""
_scanner: tuple[bytes, Scanner] | None = None


def cpu_count() -> int:
    """The CPUs this process may use: those it may run on (its affinity), no more than its
    control group's CPU quota allows (:func:`cpu_quota`), as polars sizes its own pool.

    In a container limited to two CPUs' time on a 32-core host, a scan starts one helper,
    not 31 that would share those two CPUs' time (each with its own scanner in memory).
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
    quota = _quota()
    return cpus if quota is None else max(1, min(cpus, quota))


@cache
def _quota() -> int | None:
    """:func:`cpu_quota` of this process, looked up once (a scan's processes agree on it)."""
    return cpu_quota()


_CGROUP_V1_CPU = ("cpu", "cpu,cpuacct", "cpuacct,cpu")
"""Folders where a cgroup v1 CPU controller is mounted under ``/sys/fs/cgroup``."""


def cpu_quota(root: Path = Path("/")) -> int | None:
    """Whole CPUs the CPU quota of this process's control group allows (quota over period,
    rounded down, at least one, the lowest along the group and its parents), or ``None``
    when no quota applies or none can be read (not Linux, no cgroup file system).

    cgroup v2 keeps the quota in ``cpu.max`` (``"200000 100000"``, ``"max 100000"`` for
    none), v1 in ``cpu.cfs_quota_us`` (``-1`` for none) and ``cpu.cfs_period_us``. The group
    is the one ``/proc/self/cgroup`` names; when the file system shows a container's own
    groups under other names, the groups that exist on the way up from it are read.
    ``root`` stands for ``/`` (tests give a fake one).
    """
    try:
        lines = (root / "proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    base = root / "sys/fs/cgroup"
    found: list[int] = []
    for line in lines:
        fields = line.split(":", 2)
        if len(fields) != 3:
            continue
        _, controllers, group = fields
        relative = group.strip("/")
        if controllers == "":  # v2: one hierarchy, every controller
            found += _quotas(base, relative, _v2_quota)
        elif "cpu" in controllers.split(","):
            for name in _CGROUP_V1_CPU:
                if (base / name).is_dir():
                    found += _quotas(base / name, relative, _v1_quota)
                    break
    return min(found) if found else None


def _quotas(mount: Path, relative: str, read: Callable[[Path], int | None]) -> list[int]:
    """The quotas ``read`` finds in the group ``relative`` of the hierarchy at ``mount``
    and in each of its parents (a group the file system does not show reads as none)."""
    parts = relative.split("/") if relative else []
    found = (read(mount.joinpath(*parts[:depth])) for depth in range(len(parts), -1, -1))
    return [quota for quota in found if quota is not None]


def _v2_quota(folder: Path) -> int | None:
    try:
        quota, period = (folder / "cpu.max").read_text().split()
        return None if quota == "max" else _whole(int(quota), int(period))
    except (OSError, ValueError):
        return None


def _v1_quota(folder: Path) -> int | None:
    try:
        quota = int((folder / "cpu.cfs_quota_us").read_text())
        period = int((folder / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return None if quota < 0 else _whole(quota, period)


def _whole(quota: int, period: int) -> int | None:
    """CPUs in ``quota`` microseconds per ``period``: rounded down, at least one."""
    return max(1, quota // period) if period > 0 and quota > 0 else None


_WARM_UP = (
    "ЖСН 791028302728, тел. +7 701 234 56 78, Айгерім Сейтқалиқызы, Алматы қ., Абай даңғылы 10, "
    "жеке куәлік 041234567, пошта индексі A05K8P3.",
    "Договор: клиент Иванов Сергей Петрович, ИИН 061211600012, IBAN KZ86 125K ZT50 0410 0100, "
    "карта 4111 1111 1111 1111, дата рождения 12.03.1985, 8 (727) 250-00-00, "
    "госномер 123 ABC 02.",
    "Contact john.smith@example.kz or 192.168.0.1 / 2001:db8::1, BIN 700140000019, "
    "passport N12345678, DE89 3704 0044 0532 0130 00, +44 20 7946 0958.",
)
"""Synthetic kk/ru/en lines that exercise every built-in detector (published test vectors);
"Договор", a capitalised word no name list holds, has PERSON load pymorphy3's dictionary."""


class _Hidden(MetaPathFinder):
    """Meta-path finder: ``package`` and its modules cannot be found."""

    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == self.package or name.startswith(self.package + "."):
            raise ModuleNotFoundError(name)
        return None


@contextmanager
def hidden(package: str) -> Iterator[None]:
    """Inside the block, importing ``package`` fails as if it were not installed (modules
    already imported stay); afterwards it is importable again."""
    finder = _Hidden(package)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def arrow_without_numpy() -> None:
    """Import pyarrow without numpy, in a process that only scans.

    pyarrow imports numpy, when it is installed, to offer conversions a scan never makes
    (about 50 ms of start-up and 13 MB per process; polars does not need it). A scanning
    process (the ``senim scan`` command on the local engine, its helpers) therefore loads
    pyarrow with numpy hidden; numpy stays importable afterwards, but pyarrow in that
    process converts nothing to or from numpy arrays. Its compute module is not loaded here
    (a scan hands data to polars without it, see :mod:`senim._arrow`); the few steps that
    need it load it through :func:`senim._arrow.compute`, numpy still hidden. Nothing
    happens when either is already imported.
    """
    if "pyarrow" in sys.modules or "numpy" in sys.modules:
        return
    with hidden("numpy"):
        import pyarrow  # noqa: F401


def _init(cores: SimpleQueue[frozenset[int]] | None = None) -> None:
    if cores is not None:
        # before any thread starts here: the threads this helper starts (polars' pool, the
        # allocators') keep to the same CPUs
        group = cores.get()  # one group per helper (core_groups)
        with suppress(OSError):  # CPUs taken away meanwhile: the scheduler's choice then
            os.sched_setaffinity(0, group)
    # a forked helper starts as its parent was: inside collector_paused(), collector off
    gc.enable()
    with collector_paused():  # the imports build objects that live as long as the process
        arrow_without_numpy()
        from senim.engine._local import lean_process

        lean_process()  # and, with it, the scanner's imports before the first batch
    _warm_up()
    # a helper holds nothing to save when it is told to stop: skip the interpreter's
    # teardown of every module and object (about 0.1 s the command would wait for)
    atexit.register(_exit_now)


def _warm_up() -> None:
    """Scan a few synthetic lines while this helper waits for its first batch.

    The first batch of a process pays for loading the name lexicon and pymorphy3's
    dictionary, compiling the detectors' and context words' regular expressions and
    loading libphonenumber's metadata (about 0.2 s); all of it is kept at module level, so
    a helper does it while the CLI is still starting, off the scan's critical path. The
    lines are repeated into a column long enough for the column path (polars compiles and
    keeps its own regexes, :func:`warm_up_rows`): a batch of three short lines would take
    the per-string path, and the helper's first real batch would still pay for polars'.
    """
    import pyarrow as pa

    from senim.discovery._protect import KeyedHasher
    from senim.discovery._registry import DetectorRegistry
    from senim.discovery._scanner import Scanner
    from senim.engine._batch import scan_unit

    # a throwaway key: the user's key (or key file) is the scan's business, not this one's
    hasher = KeyedHasher(key=b"warm-up")
    scanner = Scanner(registry=DetectorRegistry.default(plugins=False), hasher=hasher)
    scan_unit(scanner, pa.record_batch({"text": warm_up_rows()}), source="")


def warm_up_rows() -> list[str]:
    """:data:`_WARM_UP`'s lines, repeated until they are more characters than the scanner
    takes value by value (``_scanner._FEW_CHARS``), so that they are scanned column-wise."""
    from senim.discovery._scanner import _FEW_CHARS

    chars = sum(len(line) for line in _WARM_UP)
    return list(_WARM_UP) * (_FEW_CHARS // chars + 1)


def _exit_now() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _noop() -> None:
    return None


def run(
    blob: bytes, batch: pa.RecordBatch, source: str, offset: int, *, count: bool = True
) -> tuple[bytes, list[RowCount]]:
    """In a helper: scan one batch with the scanner pickled in ``blob``; the findings come
    back packed (:func:`pack`)."""
    global _scanner
    from senim.engine._batch import scan_unit

    if _scanner is None or _scanner[0] != blob:
        _scanner = (blob, pickle.loads(blob))
    found, counts = scan_unit(_scanner[1], batch, source=source, record_offset=offset, count=count)
    return pack(found), counts


def pack(findings: pa.RecordBatch) -> bytes:
    """A findings batch as one compressed Arrow IPC stream, for the pipe back from a helper.

    Findings are several times the size of the text they come from (each explanation, a
    JSON text, is repeated on every finding it explains): 3 MB for 700 letters, more than a
    pipe holds (1 MB, :func:`_widen_pipes`), so a helper sending them waited, batch after
    batch, until this process's thread had read them (a twentieth of a helper's time).
    Compressed (LZ4, else Zstandard, when pyarrow has them) they are about a fifth of that,
    for a millisecond or two on each side.
    """
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=_codec())
    with pa.ipc.new_stream(sink, findings.schema, options=options) as writer:
        writer.write_batch(findings)
    packed: bytes = sink.getvalue().to_pybytes()
    return packed


def unpack(packed: bytes) -> pa.RecordBatch:
    """The findings batch :func:`pack` packed."""
    import pyarrow as pa

    return pa.ipc.open_stream(packed).read_next_batch()


@cache
def _codec() -> str | None:
    """The compression :func:`pack` uses: LZ4, else Zstandard, else none."""
    import pyarrow as pa

    return next((c for c in ("lz4", "zstd") if pa.Codec.is_available(c)), None)


@contextmanager
def _main_script_hidden(visible: bool) -> Iterator[None]:
    """Keep spawned helpers from re-running this process's main script (forked ones never do).

    A helper starts by running the parent's ``__main__`` script again; for the ``senim``
    command that loads the whole CLI (typer, rich, pydantic) in every helper, which needs
    only the scanner. The script stays ``visible`` when the scanner refers to something
    defined in it (a detector class written in the script).
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if visible or main is None or path is None or getattr(main, "__spec__", None) is not None:
        yield  # no script, or a module (``python -m``): helpers do not run it
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


_POLARS_THREADS = "POLARS_MAX_THREADS"


def polars_threads(processes: int) -> str:
    """Threads of polars' pool for each of ``processes`` scanning processes: the cores
    shared among them (at least one each).

    polars starts a pool of one thread per core in every process. When this process and
    its helpers all scan, each of them is busy already, and the pools' threads only
    compete for the same cores (a tenth of a two-core scan was lost to it).
    """
    return str(max(1, cpu_count() // max(1, processes)))


@contextmanager
def _helper_threads(processes: int) -> Iterator[None]:
    """Helpers started inside the block size polars' pool for ``processes`` scanning
    processes (:func:`polars_threads`), unless ``$POLARS_MAX_THREADS`` says otherwise."""
    if _POLARS_THREADS in os.environ:
        yield
        return
    os.environ[_POLARS_THREADS] = polars_threads(processes)
    try:
        yield
    finally:
        os.environ.pop(_POLARS_THREADS, None)


_THREADED = ("polars", "pyarrow", "numpy")
"""Libraries that may run threads of their own once loaded (a thread pool, an allocator's)."""


def start_method() -> str:
    """How :func:`start_pool` starts helpers in this process: ``"fork"`` while nothing
    here runs a thread (one Python thread, none of :data:`_THREADED` loaded; Linux), else
    ``"spawn"``.

    A forked helper starts from this process's memory instead of a new interpreter: no
    Python start, no second import of what this process has loaded, no script run again,
    and no resource-tracker process (spawned pools need one to clean up their named
    semaphores): about 0.05 s of a two-core scan. Forking a process that runs threads can
    leave a lock held forever in the child, so once polars or pyarrow are loaded (their
    thread pools) or a thread runs, helpers are spawned.
    """
    if (
        sys.platform == "linux"
        and threading.active_count() == 1
        and not any(name in sys.modules for name in _THREADED)
    ):
        return "fork"
    return "spawn"


def core_groups(processes: int) -> list[frozenset[int]] | None:
    """The CPUs each helper of a scan by ``processes`` processes keeps to: the last of this
    process's CPUs shared out, one group per helper, those at the start left to this
    process; ``None`` (no helper is pinned) when there are fewer CPUs than processes or
    the system cannot pin (not Linux).

    A scanning process hands each polars query to the thread of its polars pool and waits.
    Left to the scheduler, that thread often stayed on the core where the other process
    was busy (as /proc showed during two-core scans of letter files), queued behind it
    there while its own core had nothing to run. Kept to its own CPUs, a helper's pool
    thread runs where the helper waits. The calling process (the user's, when senim is a
    library) is never pinned.
    """
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is None or not hasattr(os, "sched_setaffinity"):  # pragma: no cover - not Linux
        return None
    cpus = sorted(affinity(0))
    if processes < 2 or len(cpus) < processes:
        return None
    size = len(cpus) // processes
    return [
        frozenset(cpus[len(cpus) - size * (k + 1) : len(cpus) - size * k])
        for k in range(processes - 1)
    ]


def start_pool(helpers: int, *, main_script: bool = False) -> ProcessPoolExecutor:
    """``helpers`` processes, started now (their imports overlap this process's work):
    forked or spawned (:func:`start_method`).

    ``main_script``: spawned helpers must run this process's ``__main__`` script (the
    scanner uses a class defined there). Each helper's polars pool gets its share of the
    cores (:func:`polars_threads`), and each helper its own CPUs (:func:`core_groups`):
    this process scans too.
    """
    context = multiprocessing.get_context(start_method())
    groups = core_groups(helpers + 1)
    cores: SimpleQueue[frozenset[int]] | None = None
    if groups is not None:
        cores = context.SimpleQueue()
        for group in groups:
            cores.put(group)
    pool = ProcessPoolExecutor(
        max_workers=helpers, mp_context=context, initializer=_init, initargs=(cores,)
    )
    _widen_pipes(pool)
    with _main_script_hidden(main_script), _helper_threads(helpers + 1):
        for _ in range(helpers):
            pool.submit(_noop)
    return pool


_PIPE_BYTES = 1 << 20
"""Capacity asked for the pipes that carry batches to helpers and findings back (Linux's
default is 64 KB, and its default ceiling for unprivileged processes 1 MB)."""


def _widen_pipes(pool: ProcessPoolExecutor) -> None:
    """Let a batch (about 0.7 MB of text) or its findings (2-3 MB; packed, a fifth of
    that: :func:`pack`) cross a helper's pipes in a few writes instead of dozens.

    A pipe holds 64 KB by default. The side that writes a batch is a thread of the CLI's
    process, and the side that reads findings too: each of them needs the interpreter lock
    after every 64 KB, which this process's scanning thread holds, so a helper waited
    between batches for its findings to leave and the next batch to arrive.
    Linux only (``F_SETPIPE_SZ``); where a pipe cannot be widened (another system, a lower
    limit) it stays as it is. The pipes are the executor's own queues
    (``concurrent.futures.process``), looked up defensively.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setsize is None:  # pragma: no cover - not Linux
        return
    for queue, end in (("_call_queue", "_writer"), ("_result_queue", "_writer")):
        conn = getattr(getattr(pool, queue, None), end, None)
        try:
            fcntl.fcntl(conn.fileno(), setsize, _PIPE_BYTES)  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            continue


def estimate_bytes(paths: Iterable[str], enough: int) -> int:
    """Bytes of text in the files at ``paths`` (folders walked; :func:`scan_weight`),
    counted until ``enough`` is reached.

    A cheap look before the real listing, to decide whether to start helpers early;
    anything that is not a local file or folder (a database URL) counts as nothing.
    """
    total = 0
    for raw in paths:
        path = Path(raw)
        try:
            if path.is_file():
                total += scan_weight(path.name, path.stat().st_size)
            elif path.is_dir():
                for folder, _, files in os.walk(path):
                    for name in files:
                        try:
                            total += scan_weight(name, os.stat(os.path.join(folder, name)).st_size)
                        except OSError:
                            continue
                        if total >= enough:
                            return total
        except OSError:
            continue
        if total >= enough:
            return total
    return total


def start_early(workers: int | str, paths: Iterable[str]) -> None:
    """Start the helpers a scan of ``paths`` with ``workers`` will use, if it will use any."""
    global _early
    if _early is not None:
        return
    if workers == "auto":
        cores = cpu_count()
        if cores < 2 or estimate_bytes(paths, AUTO_POOL_BYTES) < AUTO_POOL_BYTES:
            return
        workers = cores
    if not isinstance(workers, int) or workers < 2:
        return
    if _POLARS_THREADS not in os.environ and "polars" not in sys.modules:
        # this process scans beside its helpers: its own pool gets its share as well
        os.environ[_POLARS_THREADS] = polars_threads(workers)
    _early = (start_pool(workers - 1), workers - 1)


def early_for_auto() -> bool:
    """Are helpers waiting that :func:`start_early` started for ``workers="auto"`` (its
    look at the input's size found that they pay off), not yet taken by a scan?"""
    return _early is not None and _early[1] == cpu_count() - 1


def take_early(helpers: int, *, main_script: bool = False) -> ProcessPoolExecutor | None:
    """The early pool, if it has ``helpers`` processes and may serve this scanner."""
    global _early
    early, _early = _early, None
    if early is None:
        return None
    pool, started = early
    if main_script or started != helpers:
        pool.shutdown(wait=False, cancel_futures=True)
        return None
    return pool


def discard_early() -> None:
    """Stop an early pool no scan took (the command failed before scanning)."""
    global _early
    if _early is not None:
        _early[0].shutdown(wait=False, cancel_futures=True)
        _early = None

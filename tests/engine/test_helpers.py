"""Helper processes started early, before the scanner exists, and handed the scanner per batch."""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from senim.cli import app
from senim.discovery._api import scan_paths
from senim.discovery._model import findings_from_batch
from senim.discovery._registry import DetectorRegistry
from senim.discovery._scanner import Scanner
from senim.engine import _helpers
from senim.engine._batch import scan_unit


@pytest.fixture(autouse=True)
def no_early_pool() -> Iterator[None]:
    _helpers.discard_early()
    yield
    _helpers.discard_early()


def _file(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    return path


def test_estimate_counts_files_and_folders(tmp_path: Path) -> None:
    one = _file(tmp_path / "a.csv", 100)
    _file(tmp_path / "dir" / "b.jsonl", 200)
    _file(tmp_path / "dir" / "sub" / "c.txt", 300)
    paths = [str(one), str(tmp_path / "dir"), "postgresql://db/x", str(tmp_path / "missing")]
    assert _helpers.estimate_bytes(paths, enough=10_000) == 600
    # it stops counting once there is enough to decide
    assert 150 <= _helpers.estimate_bytes([str(tmp_path / "dir")], enough=150) < 500


@pytest.mark.parametrize(
    ("workers", "size", "cores", "started"),
    [
        (1, 10_000, 2, None),
        ("auto", 10, 2, None),  # small input: this process alone
        ("auto", 10_000, 1, None),  # one core
        ("auto", 10_000, 2, 1),
        (3, 10, 2, 2),  # asked for explicitly: started whatever the size
    ],
)
def test_start_early_starts_what_the_scan_will_use(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    workers: int | str,
    size: int,
    cores: int,
    started: int | None,
) -> None:
    monkeypatch.setattr(_helpers, "AUTO_POOL_BYTES", 1000)
    monkeypatch.setattr(_helpers, "cpu_count", lambda: cores)
    _helpers.start_early(workers, [str(_file(tmp_path / "in.csv", size))])
    if started is None:
        assert _helpers._early is None
        return
    assert _helpers._early is not None
    assert _helpers._early[1] == started
    assert _helpers.take_early(started + 1) is None  # another size: stopped, not handed over
    assert _helpers._early is None


def test_scan_takes_the_early_pool_and_gives_the_serial_findings(tmp_path: Path) -> None:
    rows = "\n".join(f"{i};Иванов Иван Иванович;900101300007;u{i}@mail.kz" for i in range(300))
    data = tmp_path / "clients.csv"
    data.write_text("id;fio;iin;email\n" + rows + "\n", encoding="utf-8")
    serial = scan_paths([data], workers=1)
    _helpers.start_early(2, [str(data)])
    assert _helpers._early is not None
    pooled = scan_paths([data], workers=2)
    assert _helpers._early is None  # taken by the engine (and closed with it)
    assert pooled.findings.drop_columns(["explanation"]).equals(
        serial.findings.drop_columns(["explanation"])
    )


def test_helpers_started_early_spare_the_scan_a_second_look_at_sizes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``workers="auto"`` and no progress bar, a folder's sizes are listed only to
    decide on helpers: when the command started them early (it looked at the same sizes),
    the scan takes them without listing the folder again."""
    import senim.discovery._api as api
    import senim.engine._local as local

    folder = tmp_path / "letters"
    for i in range(3):
        (_file(folder / f"{i}.txt", 0)).write_text(f"ИИН 900101300007, письмо {i}\n", "utf-8")
    listed: list[object] = []
    sizes = api.file_sizes

    def recorded(paths: list[str]) -> object:
        listed.append(paths)
        return sizes(paths)

    monkeypatch.setattr(api, "file_sizes", recorded)
    monkeypatch.setattr(_helpers, "cpu_count", lambda: 2)
    monkeypatch.setattr(local, "cpu_count", lambda: 2)
    monkeypatch.setattr(_helpers, "AUTO_POOL_BYTES", 1)
    serial = scan_paths([folder], workers=1)
    assert listed == []  # a number of workers and no progress bar: nothing to decide
    _helpers.start_early("auto", [str(folder)])
    assert _helpers.early_for_auto()
    pooled = scan_paths([folder], workers="auto")
    assert listed == []
    assert _helpers._early is None  # taken by the engine
    assert pooled.findings.drop_columns(["explanation"]).equals(
        serial.findings.drop_columns(["explanation"])
    )
    # no helpers started: "auto" looks at the sizes (too few bytes: this process alone)
    scan_paths([folder], workers="auto")
    assert len(listed) == 1
    totals: list[int] = []
    scan_paths([folder], workers=1, on_total=totals.append)
    assert len(listed) == 2
    assert totals == [sum(f.stat().st_size for f in folder.iterdir())]


def test_a_helper_keeps_the_scanner_of_the_bytes_it_is_given() -> None:
    batch = pa.record_batch({"text": ["ИИН 900101300007, почта a@mail.kz"]})
    iin = pickle.dumps(Scanner(entities=["KZ_IIN"]))
    email = pickle.dumps(Scanner(entities=["EMAIL"]))
    for blob, entity in [(iin, "KZ_IIN"), (iin, "KZ_IIN"), (email, "EMAIL"), (iin, "KZ_IIN")]:
        packed, _ = _helpers.run(blob, batch, "t", 0)
        found = _helpers.unpack(packed)
        assert [f.entity for f in findings_from_batch(found)] == [entity]


def test_a_failed_command_stops_its_early_helpers(tmp_path: Path) -> None:
    data = _file(tmp_path / "in.txt", 10)
    result = CliRunner().invoke(app, ["scan", str(data), "--workers", "2", "-e", "NOPE"])
    assert result.exit_code == 2
    assert _helpers._early is None


def test_the_warm_up_lines_exercise_every_built_in_detector() -> None:
    registry = DetectorRegistry.default(plugins=False)
    found = {
        f.entity for line in _helpers._WARM_UP for f in Scanner(registry=registry).scan_text(line)
    }
    assert found == {d.entity for d in registry.select(None)}


def test_the_warm_up_takes_the_column_path() -> None:
    """The warm-up batch is long enough for polars' column path (whose regexes a helper's
    first real batch would otherwise compile), and its repetitions are the same lines."""
    from senim.discovery._scanner import _few_chars

    lines: list[str | None] = list(_helpers._WARM_UP)
    rows: list[str | None] = list(_helpers.warm_up_rows())
    assert _few_chars(lines)  # alone, the lines would take the per-string path
    assert not _few_chars(rows)
    assert set(rows) == set(lines)


def test_a_scanning_process_loads_arrow_without_numpy(
    fresh_python: Callable[[str], list[str]],
) -> None:
    """pyarrow works without numpy in a scanning process set up as a helper is, and a text
    scan (polars' column path, the findings' sink and their JSON Lines) does without
    pyarrow's compute module; a step that needs it loads it, numpy still not. numpy itself
    stays importable."""
    probe = (
        "import sys\n"
        "from senim.engine._helpers import arrow_without_numpy\n"
        "arrow_without_numpy()\n"
        "import pyarrow as pa\n"
        "from senim.engine._local import lean_process\n"
        "lean_process()\n"
        "from senim.engine import FindingsSink\n"
        "from senim.engine._batch import scan_unit\n"
        "from senim.discovery._scanner import Scanner\n"
        "from senim.report.scan import jsonl_bytes\n"
        "batch = pa.record_batch({'t': ['ИИН 900101300007'] * 200})\n"
        "found, counts = scan_unit(Scanner(), batch, source='s')\n"
        "FindingsSink(keep=False).add(found, counts)\n"
        "lines = b''.join(jsonl_bytes(found)).splitlines()\n"
        "print(set(found.column('entity').to_pylist()), len(lines), 'numpy' in sys.modules,\n"
        "      'pyarrow.compute' in sys.modules)\n"
        "codes, values = pa.array([0], pa.int32()), pa.array(['900101300007'])\n"
        "table = pa.record_batch({'iin': pa.DictionaryArray.from_arrays(codes, values)})\n"
        "found, _ = scan_unit(Scanner(), table, source='s')\n"
        "print(found.column('entity').to_pylist(), 'numpy' in sys.modules,\n"
        "      'pyarrow.compute' in sys.modules)\n"
        "import numpy\n"
        "print(numpy.arange(3).sum())\n"
    )
    assert fresh_python(probe) == [
        "{'KZ_IIN'} 200 False False",
        "['KZ_IIN'] False True",
        "3",
    ]


def test_the_warm_up_loads_what_a_first_batch_would(fresh_python: Callable[..., list[str]]) -> None:
    """After the warm-up, a helper's first batch of text loads no more detector data:
    pymorphy3's dictionary (PERSON's morphology, reached only by a capitalised word no
    name list holds) included."""
    code = (
        "from senim.engine._helpers import _warm_up\n"
        "from senim.discovery.detectors import person\n"
        "_warm_up()\n"
        "print(person._morph.cache_info().currsize, person._morph_tags.cache_info().currsize > 0)\n"
    )
    assert fresh_python(code, SENIM_HASH_KEY="k") == ["1 True"]


def test_the_warm_up_leaves_the_users_key_alone(
    tmp_path: Path, fresh_python: Callable[..., list[str]]
) -> None:
    """No key file is created or read for the warm-up's throwaway findings."""
    code = "from senim.engine._helpers import _warm_up\n_warm_up()\nprint('done')\n"
    assert fresh_python(code, SENIM_HASH_KEY="", XDG_CONFIG_HOME=str(tmp_path)) == ["done"]
    assert not (tmp_path / "senim").exists()


def test_scanning_processes_share_the_cores_among_their_polars_pools(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_python: Callable[..., list[str]]
) -> None:
    """With helpers, the CLI's process and each helper size polars' pool to their share of
    the cores (each of them keeps its cores busy already), unless the user said otherwise."""
    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    data = _file(tmp_path / "in.txt", 10)
    probe = (
        "import polars  # noqa\n"
        "from senim.engine import _helpers\n"
        f"_helpers.start_early(2, [{str(data)!r}])\n"
        "import polars as pl\n"
        "pool = _helpers.take_early(1)\n"
        "print(pl.thread_pool_size(), pool.submit(pl.thread_pool_size).result())\n"
        "pool.shutdown()\n"
    )
    share = _helpers.polars_threads(2)
    assert fresh_python(probe.replace("import polars  # noqa\n", "")) == [f"{share} {share}"]
    # polars already loaded: only the helper gets its share
    default = fresh_python("import polars as pl\nprint(pl.thread_pool_size())")
    assert fresh_python(probe) == [f"{default[0]} {share}"]
    assert fresh_python(probe, POLARS_MAX_THREADS="1") == ["1 1"]


@pytest.mark.skipif(sys.platform != "linux", reason="helpers are forked on Linux only")
def test_helpers_are_forked_until_a_library_with_threads_is_loaded(
    fresh_python: Callable[..., list[str]],
) -> None:
    code = (
        "from senim.engine import _helpers\n"
        "print(_helpers.start_method())\n"
        "import pyarrow\n"
        "print(_helpers.start_method())\n"
    )
    assert fresh_python(code) == ["fork", "spawn"]
    threaded = (
        "import threading\n"
        "from senim.engine import _helpers\n"
        "stop = threading.Event()\n"
        "worker = threading.Thread(target=stop.wait)\n"
        "worker.start()\n"
        "print(_helpers.start_method())\n"
        "stop.set()\n"
    )
    assert fresh_python(threaded) == ["spawn"]


@pytest.mark.skipif(sys.platform != "linux", reason="helpers are forked on Linux only")
def test_a_forked_helper_scans_with_its_collector_on_and_no_resource_tracker(
    tmp_path: Path, fresh_python: Callable[..., list[str]]
) -> None:
    """The CLI starts its helpers inside ``collector_paused()``: a forked helper would
    keep the collector off for good. A forked pool needs no resource-tracker process."""
    data = tmp_path / "in.txt"
    data.write_text("ИИН 900101300007, почта a@mail.kz\n", encoding="utf-8")
    code = (
        "import gc\n"
        "from multiprocessing import resource_tracker\n"
        "from senim._collector import collector_paused\n"
        "from senim.engine import _helpers\n"
        "with collector_paused():\n"
        f"    _helpers.start_early(2, [{str(data)!r}])\n"
        "pool = _helpers.take_early(1)\n"
        "import pyarrow as pa\n"
        "from senim.discovery._scanner import Scanner\n"
        "import pickle\n"
        "blob = pickle.dumps(Scanner())\n"
        "batch = pa.record_batch({'text': ['ИИН 900101300007, почта a@mail.kz']})\n"
        "packed, _ = pool.submit(_helpers.run, blob, batch, 's', 0).result()\n"
        "found = _helpers.unpack(packed).column('entity').to_pylist()\n"
        "print(pool._mp_context.get_start_method(), pool.submit(gc.isenabled).result())\n"
        "print(sorted(found), resource_tracker._resource_tracker._pid)\n"
        "pool.shutdown()\n"
    )
    assert fresh_python(code) == ["fork True", "['EMAIL', 'KZ_IIN'] None"]


def test_a_pool_started_for_a_library_scan_leaves_the_environment_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    pool = _helpers.start_pool(1)
    try:
        assert pool.submit(pl.thread_pool_size).result() == int(_helpers.polars_threads(2))
    finally:
        pool.shutdown()
    assert "POLARS_MAX_THREADS" not in os.environ


@pytest.mark.parametrize(("cores", "processes", "threads"), [(2, 2, "1"), (8, 3, "2"), (1, 2, "1")])
def test_polars_threads_are_the_cores_shared_out(
    monkeypatch: pytest.MonkeyPatch, cores: int, processes: int, threads: str
) -> None:
    monkeypatch.setattr(_helpers, "cpu_count", lambda: cores)
    assert _helpers.polars_threads(processes) == threads


def _cgroups(root: Path, proc: str, files: dict[str, str]) -> Path:
    """A fake ``/``: ``/proc/self/cgroup`` holding ``proc``, and ``files`` under
    ``/sys/fs/cgroup``."""
    (root / "proc/self").mkdir(parents=True)
    (root / "proc/self/cgroup").write_text(proc)
    (root / "sys/fs/cgroup").mkdir(parents=True)
    for name, text in files.items():
        path = root / "sys/fs/cgroup" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


_V1_NONE = {"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}


@pytest.mark.parametrize(
    ("proc", "files", "quota"),
    [
        # cgroup v2, a container's own view (cgroup namespace): the limit on its root
        ("0::/\n", {"cpu.max": "200000 100000\n"}, 2),
        ("0::/\n", {"cpu.max": "max 100000\n"}, None),
        ("0::/\n", {"cpu.max": "150000 100000\n"}, 1),  # rounded down, as polars' pool
        ("0::/\n", {"cpu.max": "50000 100000\n"}, 1),  # half a CPU: still one
        ("0::/\n", {}, None),  # the root group has no cpu.max
        # the host's view: the process's group and its parents, the lowest wins
        (
            "0::/kubepods.slice/pod1/c1\n",
            {
                "kubepods.slice/cpu.max": "max 100000",
                "kubepods.slice/pod1/cpu.max": "300000 100000",
                "kubepods.slice/pod1/c1/cpu.max": "400000 100000",
            },
            3,
        ),
        # a group the file system does not show under that name: the groups above it
        ("0::/docker/abc123\n", {"cpu.max": "100000 100000"}, 1),
        # cgroup v1 (or hybrid: v1's CPU controller, v2 without it)
        (
            "4:cpu,cpuacct:/\n1:name=systemd:/\n0::/\n",
            {
                "cpu,cpuacct/cpu.cfs_quota_us": "400000\n",
                "cpu,cpuacct/cpu.cfs_period_us": "100000\n",
            },
            4,
        ),
        ("2:cpu:/\n", _V1_NONE, None),
        ("2:cpu:/\n", {"cpu/cpu.cfs_quota_us": "garbled", "cpu/cpu.cfs_period_us": "100000"}, None),
        ("", {}, None),
        ("not a cgroup line\n0::/\n", {"cpu.max": "200000 100000"}, 2),
    ],
)
def test_the_cpu_quota_is_read_from_the_control_groups(
    tmp_path: Path, proc: str, files: dict[str, str], quota: int | None
) -> None:
    assert _helpers.cpu_quota(_cgroups(tmp_path, proc, files)) == quota


def test_without_cgroups_there_is_no_quota(tmp_path: Path) -> None:
    assert _helpers.cpu_quota(tmp_path) is None  # no /proc (not Linux, or hidden)


@pytest.mark.parametrize(("cpus", "quota", "count"), [(8, 2, 2), (2, 4, 2), (4, None, 4)])
def test_a_scan_uses_no_more_cores_than_its_quota_allows(
    monkeypatch: pytest.MonkeyPatch, cpus: int, quota: int | None, count: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    monkeypatch.setattr(_helpers, "_quota", lambda: quota)
    assert _helpers.cpu_count() == count
    assert _helpers.polars_threads(count) == "1"


@pytest.mark.parametrize(
    ("cpus", "processes", "groups"),
    [
        ({0, 1}, 2, [{1}]),  # the two-core scan: the helper on the second CPU
        ({0, 1, 2, 3, 4, 5, 6, 7}, 4, [{6, 7}, {4, 5}, {2, 3}]),
        ({0, 1, 2, 3, 4, 5, 6, 7, 8}, 4, [{7, 8}, {5, 6}, {3, 4}]),  # the rest to the caller
        ({2, 5, 9}, 3, [{9}, {5}]),  # the CPUs this process may use, not 0..n
        ({0, 1}, 3, None),  # more processes than CPUs: the scheduler shares them out
        ({0, 1, 2, 3}, 1, None),  # no helper
    ],
)
def test_each_helper_gets_its_own_cpus(
    monkeypatch: pytest.MonkeyPatch,
    cpus: set[int],
    processes: int,
    groups: list[set[int]] | None,
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: cpus, raising=False)
    monkeypatch.setattr(os, "sched_setaffinity", lambda pid, mask: None, raising=False)
    assert _helpers.core_groups(processes) == groups


@pytest.mark.skipif(
    _helpers.core_groups(2) is None, reason="pinning needs Linux and two CPUs or more"
)
def test_a_helper_and_its_threads_keep_to_its_cpus_and_the_caller_is_not_pinned() -> None:
    from tests.engine._probe import thread_cpus

    mine = os.sched_getaffinity(0)
    groups = _helpers.core_groups(2)
    assert groups is not None
    pool = _helpers.start_pool(1)
    try:
        threads = pool.submit(thread_cpus).result()
    finally:
        pool.shutdown()
    assert len(threads) > 1  # polars' pool and the allocators' threads, besides the main one
    assert all(set(cpus) == groups[0] for cpus in threads)
    assert os.sched_getaffinity(0) == mine


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="pinning needs Linux")
def test_a_helper_whose_cpus_cannot_be_had_still_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pinning is an optimisation: CPUs the system refuses (gone, or never there) leave the
    helper to the scheduler."""
    monkeypatch.setattr(_helpers, "core_groups", lambda processes: [frozenset({1 << 20})])
    pool = _helpers.start_pool(1)
    try:
        assert pool.submit(os.sched_getaffinity, 0).result() == os.sched_getaffinity(0)
    finally:
        pool.shutdown()


@pytest.mark.skipif(sys.platform != "linux", reason="pipe capacity is set on Linux only")
def test_the_pipes_to_helpers_hold_a_whole_batch() -> None:
    import fcntl

    pool = _helpers.start_pool(1)
    try:
        ends = (pool._call_queue._reader, pool._result_queue._reader)  # type: ignore[attr-defined]
        sizes = [fcntl.fcntl(end.fileno(), fcntl.F_GETPIPE_SZ) for end in ends]
        limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
        assert sizes == [min(limit, _helpers._PIPE_BYTES)] * 2
        # and batches still travel both ways through them
        texts = ["ИИН 900101300007 " * 20_000]  # 340 KB of text, findings of some MB
        batch = pa.record_batch({"text": texts})
        blob = pickle.dumps(Scanner())
        packed, _ = pool.submit(_helpers.run, blob, batch, "big", 0).result()
        assert _helpers.unpack(packed).num_rows == 20_000
    finally:
        pool.shutdown()


@pytest.mark.parametrize(
    ("name", "weight"),
    [
        ("clients.csv", 100),
        ("CLIENTS.PARQUET", 400),
        ("export.pq", 400),
        ("clients.csv.gz", 400),
        ("letters.zip", 400),
        ("report.xlsx", 400),
        ("contract.docx", 400),
        ("scan.pdf", 100),
        ("notes", 100),
    ],
)
def test_compressed_files_weigh_more(name: str, weight: int) -> None:
    assert _helpers.scan_weight(name, 100) == weight


def test_a_compressed_export_gets_the_helpers(tmp_path: Path) -> None:
    """A Parquet file a quarter of the threshold holds as much text as a CSV at it."""
    folder = tmp_path / "in"
    folder.mkdir()
    _file(folder / "a.parquet", 260)
    assert _helpers.estimate_bytes([str(tmp_path / "in")], 1000) == 1040
    assert _helpers.estimate_bytes([str(folder / "a.parquet")], 1000) == 1040


def test_auto_workers_count_a_parquet_export_as_its_text(
    tmp_path: Path, engine_totals: list[int]
) -> None:
    import pyarrow.parquet as pq

    from senim.discovery._api import scan_paths

    rows = [f"Иванов Иван Иванович {i}, ИИН 900101300007" for i in range(2000)]
    path = tmp_path / "clients.parquet"
    pq.write_table(pa.table({"note": rows}), path, compression="zstd")
    scan_paths([path], workers="auto")  # far below the threshold: no helpers
    assert engine_totals == [4 * path.stat().st_size]


def test_findings_cross_back_from_a_helper_packed_and_smaller() -> None:
    """A helper's findings come back as they were (schema, values, nulls, no rows), and a
    batch of letters' findings, whose explanations repeat, in well under a third of their
    size (the pipe holds 1 MB)."""
    letters = [
        f"Клиент Иванов Сергей, ИИН 900101300007, тел. +7 701 234 {i % 100:02d} 67, "
        f"почта client{i}@mail.kz, карта 4111 1111 1111 1111."
        for i in range(2000)
    ]
    found, _ = scan_unit(Scanner(), pa.record_batch({"text": letters}), source="letters")
    empty = found.slice(0, 0)
    with_nulls = pa.record_batch({"a": pa.array(["x", None]), "b": pa.array([None, 2])})
    for batch in (found, empty, with_nulls):
        back = _helpers.unpack(_helpers.pack(batch))
        assert back.schema == batch.schema
        assert back.equals(batch)
    assert found.get_total_buffer_size() > 1 << 20
    assert len(_helpers.pack(found)) < found.get_total_buffer_size() / 3

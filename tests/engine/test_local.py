"""The local engine: process pool and spill give exactly the serial, in-memory findings."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

import senim.engine._sink as sink_module
import senim.sources._csv as csv_module
from senim.cli import app
from senim.discovery._api import scan_paths
from senim.engine import FindingsSink, StreamedScanReport
from senim.sources._state import ScanState
from senim.store import Store

IINS = ["900101300007", "850505400127", "061211600012"]


def _write_clients(path: Path, rows: int) -> Path:
    lines = ["id;fio;iin;email;amount"]
    for i in range(rows):
        lines.append(
            f"{i};Иванов Иван Иванович;{IINS[i % 3]};user{i}@mail.kz;{i * 7.5}"
            if i % 4
            else f"{i};-;-;-;{i}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="cp1251")
    return path


def _rows(report: object) -> list[tuple[object, ...]]:
    assert isinstance(report, StreamedScanReport)
    table = report.findings.drop_columns(["explanation"])
    return sorted(tuple(r.values()) for r in table.to_pylist())


@pytest.fixture
def clients(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(csv_module, "ROWS_PER_BATCH", 200)
    return _write_clients(tmp_path / "clients.csv", 1000)


def test_process_pool_gives_the_serial_findings(clients: Path) -> None:
    serial = scan_paths([clients], workers=1)
    pooled = scan_paths([clients], workers=2)
    assert serial.findings.num_rows > 1000
    assert _rows(pooled) == _rows(serial)
    assert (
        pooled.findings.column("record").to_pylist() == serial.findings.column("record").to_pylist()
    )  # order is kept too
    assert [(c.column, c.rows, c.verdict) for c in pooled.columns] == [
        (c.column, c.rows, c.verdict) for c in serial.columns
    ]


@pytest.mark.parametrize("workers", [2, 3])
def test_this_process_and_helpers_keep_input_order(clients: Path, workers: int) -> None:
    """With N workers this process scans too: N - 1 helpers, findings still in input order."""
    serial = scan_paths([clients], workers=1)
    pooled = scan_paths([clients], workers=workers)
    assert pooled.findings.drop_columns(["explanation"]).equals(
        serial.findings.drop_columns(["explanation"])
    )


_SCRIPT = """
import typer  # what the script itself needs, not the helpers

from senim.discovery._scanner import Scanner
from senim.engine._local import LocalEngine
from tests.engine._probe import loaded

if __name__ == "__main__":
    with LocalEngine(scanner=Scanner(), workers=2) as engine:
        print(*engine._get_pool().submit(loaded, ["typer", "senim.engine._local"]).result())
"""


def test_helpers_do_not_run_the_main_script_again(tmp_path: Path) -> None:
    """The ``senim`` command is a script: its helpers must not load the CLI, typer, rich."""
    script = tmp_path / "run_scan.py"
    script.write_text(_SCRIPT, encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), *sys.path])}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["senim.engine._local"]


def test_pandas_probe_is_answered_without_importing_pandas(tmp_path: Path) -> None:
    """A stand-in ``pandas`` package records whether anything imported it."""
    fake = tmp_path / "pandas"
    fake.mkdir()
    (fake / "__init__.py").write_text("__version__ = '0'\nIMPORTED = True\n", encoding="utf-8")
    code = (
        "import sys, pyarrow as pa\n"
        "from senim.engine._local import skip_pandas_probe\n"
        "skip_pandas_probe()\n"
        "pa.array(['x']); pa.RecordBatch.from_pydict({'a': [1]})\n"
        "assert 'pandas' not in sys.modules, 'pyarrow imported pandas'\n"
        "import pandas\n"
        "assert pandas.IMPORTED  # still importable on purpose\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr


def test_lean_process_uses_the_system_allocator(monkeypatch: pytest.MonkeyPatch) -> None:
    code = (
        "import gc\n"
        "import pyarrow as pa\n"
        "from senim.engine import lean_process\n"
        "lean_process()\n"
        "print(pa.default_memory_pool().backend_name)\n"
        "print(gc.get_threshold()[0], gc.get_freeze_count() > 0)\n"
    )
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    pool, collector = done.stdout.splitlines()
    assert pool == "system", done.stderr
    assert collector == "10000 True"  # young objects collected less often; imports frozen


def test_spilled_findings_equal_in_memory(clients: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    in_memory = scan_paths([clients])
    monkeypatch.setattr(sink_module, "SPILL_ROWS", 100)
    spilled = scan_paths([clients])
    assert spilled.findings.equals(in_memory.findings)
    assert spilled.entity_counts == in_memory.entity_counts
    summary = {(c.column): (c.rows, c.entities) for c in spilled.columns}
    assert summary == {(c.column): (c.rows, c.entities) for c in in_memory.columns}


def test_sink_column_summary_matches_reference(clients: Path) -> None:
    from senim.discovery._api import _default_scanner
    from senim.discovery._report import summarise_columns

    report = scan_paths([clients])
    rows = {(c.source, c.column): c.rows for c in report.columns}
    hints = {(c.source, c.column): c.name_suggests for c in report.columns}
    reference = summarise_columns(report.findings, rows, hints)
    assert {(c.column, c.entities) for c in reference} == {
        (c.column, c.entities) for c in report.columns
    }
    assert _default_scanner() is not None


def test_sink_without_keeping_streams_batches() -> None:
    seen: list[int] = []
    sink = FindingsSink(keep=False, on_batch=lambda b: seen.append(b.num_rows))
    from senim.discovery import Scanner

    found = Scanner().scan_batch(pa.table({"iin": IINS}).to_batches()[0])
    sink.add(found, [("t", "iin", 3)])
    assert seen == [3]
    assert sink.table().num_rows == 0
    assert dict(sink.counts) == {"KZ_IIN": 3}


def test_cli_jsonl_streams_the_same_findings(clients: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        app, ["scan", str(clients), "-f", "jsonl", "-o", str(out), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    report = scan_paths([clients])
    assert [(d["record"], d["column"], d["entity"]) for d in lines] == [
        (f.record, f.column, f.entity) for f in report.finding_list()
    ]


def test_incremental_rescan_reuses_unchanged_sources(tmp_path: Path, clients: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text(f"ИИН {IINS[0]}", encoding="utf-8")
    store = Store.open(f"sqlite:///{tmp_path / 'state.db'}")
    from senim.discovery._api import _default_scanner

    state = ScanState(store=store, scanner=_default_scanner())
    first = scan_paths([clients, other], state=state)
    assert isinstance(first, StreamedScanReport)
    assert first.reused == 0
    second = scan_paths([clients, other], state=state)
    assert isinstance(second, StreamedScanReport)
    assert second.reused == 2
    assert _rows(second) == _rows(first)
    assert [(c.column, c.rows, c.entities) for c in second.columns] == [
        (c.column, c.rows, c.entities) for c in first.columns
    ]
    other.write_text(f"ИИН {IINS[1]} и {IINS[2]}", encoding="utf-8")
    third = scan_paths([clients, other], state=state)
    assert isinstance(third, StreamedScanReport)
    assert third.reused == 1
    assert third.entity_counts["KZ_IIN"] == first.entity_counts["KZ_IIN"] + 1
    store.close()


def test_incremental_is_keyed_by_scanner_configuration(tmp_path: Path) -> None:
    from senim.discovery import Scanner

    path = tmp_path / "a.txt"
    path.write_text(f"ИИН {IINS[0]} user@mail.kz", encoding="utf-8")
    store = Store.memory()
    everything = ScanState(store=store, scanner=Scanner())
    only_email = Scanner(entities=["EMAIL"])
    scan_paths([path], state=everything)
    report = scan_paths(
        [path], scanner=only_email, state=ScanState(store=store, scanner=only_email)
    )
    assert report.entity_counts == {"EMAIL": 1}
    assert isinstance(report, StreamedScanReport)
    assert report.reused == 0


def test_incremental_database_tables(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "c.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, iin TEXT)")
    con.execute(f"INSERT INTO t VALUES (1, '{IINS[0]}')")
    con.commit()
    from senim.discovery._api import _default_scanner

    state = ScanState(store=Store.memory(), scanner=_default_scanner())
    url = f"sqlite:///{db}"
    assert scan_paths([url], state=state).reused == 0  # type: ignore[attr-defined]
    assert scan_paths([url], state=state).reused == 1  # type: ignore[attr-defined]
    con.execute(f"INSERT INTO t VALUES (2, '{IINS[1]}')")
    con.commit()
    con.close()
    third = scan_paths([url], state=state)
    assert third.reused == 0  # type: ignore[attr-defined]
    assert third.entity_counts == {"KZ_IIN": 2}


def test_cli_incremental(tmp_path: Path, clients: Path) -> None:
    store = f"sqlite:///{tmp_path / 's.db'}"
    args = ["scan", str(clients), "--incremental", "--store", store, "-f", "json", "--workers", "1"]
    first = CliRunner().invoke(app, args)
    second = CliRunner().invoke(app, args)
    assert first.exit_code == second.exit_code == 0
    assert "1 unchanged source(s) taken from the previous scan" in second.output
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert a["findings"] == b["findings"]


def _unit_batch() -> pa.RecordBatch:
    """A table of three columns with findings in each, 40 rows."""
    rows = range(40)
    return pa.record_batch(
        {
            "fio": [f"Иванов Иван Иванович {i}" for i in rows],
            "iin": [IINS[i % 3] if i % 5 else None for i in rows],
            "email": [f"user{i}@mail.kz" for i in rows],
        }
    )


@pytest.mark.parametrize("cut", [1, 17, 39])
def test_a_unit_cut_in_two_gives_the_findings_of_the_whole(cut: int) -> None:
    """The tail's boundary unit is scanned in two pieces: put back together, they give what
    one scan of the unit gives, in the same order (column by column), and its row counts."""
    from senim.discovery._scanner import Scanner
    from senim.engine._batch import scan_unit
    from senim.engine._local import _Split

    scanner = Scanner()
    batch = _unit_batch()
    whole = scan_unit(scanner, batch, source="t.csv", record_offset=100)
    first = scan_unit(scanner, batch.slice(0, cut), source="t.csv", record_offset=100, count=False)
    rest = scan_unit(scanner, batch.slice(cut), source="t.csv", record_offset=100 + cut)
    assert first[1] == []  # a piece is not counted: its unit is
    merged = _Split((batch, "t.csv", 100), [first, rest]).result()
    assert len({c for c in whole[0].column("column").to_pylist()}) == 3
    assert merged[0].equals(whole[0])
    assert merged[1] == whole[1]


def test_the_pace_shares_the_tail_so_both_sides_end_together() -> None:
    from senim.engine._local import _Pace

    pace = _Pace()
    # no pace measured yet: this process and each helper alike
    assert pace.share_here(300, helpers=1, results=0) == 150
    assert pace.share_here(300, helpers=2, results=0) == 100
    pace.here_rows, pace.here_s = 1000, 1.0  # 1,000 rows/s here
    pace.first_back, pace.last_back, pace.rows_back = 1.0, 3.0, 1000  # 500 rows/s there
    # nothing queued: here ends with 2/3 of the rows, as the helpers end the rest
    assert pace.share_here(300, helpers=1, results=0) == 200
    # handing back 4 results takes this process 0.1 s each: 0.4 s less for scanning
    pace.handed, pace.taking_s = 10, 1.0
    assert pace.share_here(3000, helpers=1, results=4) == round((3000 / 500 - 0.4) / (3 / 1000))
    # taking back would outlast the helpers: all of the tail goes to them; a large backlog
    # there: all of it stays here
    assert pace.share_here(30, helpers=1, results=1000) == 0


@pytest.mark.parametrize("share", ["none", "third", "all"])
def test_the_tail_cut_anywhere_gives_the_serial_findings(
    clients: Path, monkeypatch: pytest.MonkeyPatch, share: str
) -> None:
    """However the last units are shared out (cut inside a unit, or not), the findings and
    column summaries are those of a serial scan, in the same order."""
    from senim.engine._local import _Pace

    def forced(self: _Pace, rows: int, helpers: int, results: int) -> int:
        return {"none": 0, "third": rows // 3, "all": rows}[share]

    monkeypatch.setattr(_Pace, "share_here", forced)
    serial = scan_paths([clients], workers=1)
    pooled = scan_paths([clients], workers=2)
    assert pooled.findings.equals(serial.findings)
    assert [(c.column, c.rows, c.verdict) for c in pooled.columns] == [
        (c.column, c.rows, c.verdict) for c in serial.columns
    ]


@pytest.mark.parametrize("share", [0, 50, 100, 120])
def test_a_cut_unit_keeps_its_record_numbers(monkeypatch: pytest.MonkeyPatch, share: int) -> None:
    """Units without record numbers of their own are numbered from their offset: a piece
    cut from a unit's middle goes on from the unit's offset."""
    from senim.discovery._scanner import Scanner
    from senim.engine._local import LocalEngine, _Pace

    monkeypatch.setattr(_Pace, "share_here", lambda self, rows, helpers, results: share)
    units = [(_unit_batch(), "t.csv", 1000 * i) for i in range(4)]
    scanner = Scanner()
    with LocalEngine(scanner=scanner, workers=1) as engine:
        serial = list(engine.run(iter(units)))
    with LocalEngine(scanner=scanner, workers=2) as engine:
        pooled = list(engine.run(iter(units)))
    assert len(pooled) == len(serial) == 4
    for (found, counts), (want, want_counts) in zip(pooled, serial, strict=True):
        assert found.equals(want)
        assert counts == want_counts
    assert {r // 1000 for r in serial[3][0].column("record").to_pylist()} == {3}


def test_helpers_hold_a_batch_more_until_this_process_has_scanned_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """This process's first scan loads the detectors' data and takes longer than the rest:
    before it, the helper is sent three batches, not two, so that it does not run dry."""
    from senim.discovery._scanner import Scanner
    from senim.engine._local import _HELD, LocalEngine, _Pace

    order: list[str] = []
    submit, local = _Pace.submit, _Pace.local

    def submitted(self: _Pace, *args: Any, **kwargs: Any) -> Any:
        order.append("helper")
        return submit(self, *args, **kwargs)

    def scanned_here(self: _Pace, *args: Any, **kwargs: Any) -> Any:
        order.append("here")
        return local(self, *args, **kwargs)

    monkeypatch.setattr(_Pace, "submit", submitted)
    monkeypatch.setattr(_Pace, "local", scanned_here)
    units = [(_unit_batch(), "t.csv", 1000 * i) for i in range(12)]
    with LocalEngine(scanner=Scanner(), workers=2) as engine:
        results = list(engine.run(iter(units)))
    assert len(results) == 12
    assert "here" in order
    assert order.index("here") >= _HELD + 1


def test_helpers_are_let_go_once_a_run_has_sent_its_last_batch() -> None:
    """When a run has sent out its last batch its helpers are told to exit after it (their
    exit overlaps the handing back of the last results); the next run of the same engine
    starts new ones and gets the same findings."""
    from senim.discovery._scanner import Scanner
    from senim.engine._local import LocalEngine

    units = [(_unit_batch(), "t.csv", 1000 * i) for i in range(6)]
    scanner = Scanner()
    with LocalEngine(scanner=scanner, workers=1) as engine:
        serial = [found for found, _ in engine.run(iter(units))]
    before = set(multiprocessing.active_children()), set(_collectors())
    with LocalEngine(scanner=scanner, workers=2) as engine:
        first = [found for found, _ in engine.run(iter(units))]
        assert engine._pool is None  # released: no batch can go to it any more
        assert len(engine._released) == 1
        second = [found for found, _ in engine.run(iter(units))]
        assert engine._pool is None
        assert len(engine._released) == 2
        helpers = set(multiprocessing.active_children()) - before[0]
    assert not engine._released
    # closing waited for every helper, and for the threads that collect their results
    # (a thread still running at the end would cost the CLI its fast exit)
    assert not [p for p in helpers if p.is_alive()]
    assert set(_collectors()) <= before[1]
    for found, want in zip([*first, *second], serial * 2, strict=True):
        assert found.equals(want)


def _collectors() -> list[threading.Thread]:
    """The threads that collect helpers' results (one per pool), alive now."""
    from concurrent.futures.process import _ExecutorManagerThread

    return [t for t in threading.enumerate() if isinstance(t, _ExecutorManagerThread)]


def test_this_process_takes_the_rows_at_the_start_of_the_tail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The last units are shared with this process's rows first (it hands back its own
    results while the helpers scan theirs). The first unit goes to the helper at once; of
    the two left, with 50 rows here, the second unit's 40 and the third's first 10 are
    scanned here, the third's other 30 by the helper; the findings are those of one serial
    scan."""
    from senim.discovery._scanner import Scanner
    from senim.engine._local import LocalEngine, _Pace

    here: list[tuple[int, int]] = []
    there: list[tuple[int, int]] = []
    submit, local = _Pace.submit, _Pace.local

    def submitted(self: _Pace, pool: Any, blob: bytes, unit: Any, **kwargs: Any) -> Any:
        there.append((unit[2], unit[0].num_rows))
        return submit(self, pool, blob, unit, **kwargs)

    def scanned_here(self: _Pace, scan: Any, unit: Any, **kwargs: Any) -> Any:
        here.append((unit[2], unit[0].num_rows))
        return local(self, scan, unit, **kwargs)

    monkeypatch.setattr(_Pace, "share_here", lambda self, rows, helpers, results: 50)
    monkeypatch.setattr(_Pace, "submit", submitted)
    monkeypatch.setattr(_Pace, "local", scanned_here)
    units = [(_unit_batch(), "t.csv", 1000 * i) for i in range(3)]  # all of it is the tail
    scanner = Scanner()
    with LocalEngine(scanner=scanner, workers=1) as engine:
        serial = [found for found, _ in engine.run(iter(units))]
    here.clear()
    with LocalEngine(scanner=scanner, workers=2) as engine:
        pooled = [found for found, _ in engine.run(iter(units))]
    assert here == [(1000, 40), (2000, 10)]
    assert there == [(0, 40), (2010, 30)]
    for found, want in zip(pooled, serial, strict=True):
        assert found.equals(want)

"""Scanning databases: many small tables, and one large table; SQLite, and PostgreSQL /
MariaDB when reachable.

    python benchmarks/scan_databases.py [--tables 150] [--rows 5] [--large-rows 80000] [--repeat 3]

Each backend gets a scratch database of ``--tables`` tables of ``--rows`` rows (names,
phones, dates, notes with an IIN), dropped afterwards. Two measurements, each the best of
``--repeat`` runs:

* reading every table (no scanning) the way senim does: the columns and primary keys
  looked up once with the listing, one connection shared by the tables; against the same
  tables read the way it did before, each table reflected with SQLAlchemy and read over a
  connection of its own (``NullPool``). The two alternate run by run;
* the whole ``senim scan URL --format jsonl`` process (start-up, listing, reading,
  scanning, writing).

Then one table of ``--large-rows`` rows of the same columns: the whole CLI process with
``--workers auto`` (the default, which weighs a table by the bytes its database says it
stores) against ``--workers 1``, alternating, each the best of ``--repeat`` runs.

Results go to the "scan-databases" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._report import machine_line, write_section  # noqa: E402

SERVERS = {
    "postgresql": "postgresql://postgres@127.0.0.1:5432/test",
    "mysql": "mysql://root@127.0.0.1:3306/test",
}
NAMES = ("Иванов Иван Иванович", "Aigerim Bekova", "Сейтқали Айгерім", "Петров Пётр")
NOTES = ("ок", "ИИН 900101300007", "звонить вечером", "client a.b@mail.kz")


def _engine(url: str, **kwargs: Any) -> Any:
    from sqlalchemy import create_engine

    from senim.store._store import normalise_url

    return create_engine(normalise_url(url), **kwargs)


def _reachable(url: str) -> bool:
    from sqlalchemy import text

    try:
        engine = _engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def _fill(url: str, tables: int, rows: int) -> None:
    from sqlalchemy import text

    rng = random.Random(7)
    engine = _engine(url)
    with engine.begin() as conn:
        for t in range(tables):
            conn.execute(
                text(
                    f"CREATE TABLE t{t:04d} (id INTEGER PRIMARY KEY, full_name VARCHAR(100), "
                    "phone VARCHAR(30), birth_date DATE, note VARCHAR(200))"
                )
            )
            conn.execute(
                text(f"INSERT INTO t{t:04d} VALUES (:i, :n, :p, :b, :o)"),
                [
                    {
                        "i": i,
                        "n": rng.choice(NAMES),
                        "p": f"+7 701 {rng.randint(100, 999)} {rng.randint(10, 99)} 34",
                        "b": f"19{rng.randint(50, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                        "o": rng.choice(NOTES),
                    }
                    for i in range(rows)
                ],
            )
    engine.dispose()


def _scratch(backend: str, folder: Path) -> tuple[str, Callable[[], None]]:
    """A new empty database: its URL and what drops it."""
    from sqlalchemy import text

    if backend == "sqlite":
        path = folder / f"tables-{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    name = "senim_bench_" + uuid.uuid4().hex[:8]
    admin = _engine(SERVERS[backend], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        charset = " CHARACTER SET utf8mb4" if backend == "mysql" else ""
        conn.execute(text(f"CREATE DATABASE {name}{charset}"))
    url = SERVERS[backend].rsplit("/", 1)[0] + "/" + name

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()

    return url, drop


def _read_listed(url: str) -> int:
    """Every table read as senim reads it now; rows read."""
    from senim.sources import DatabaseSource

    return sum(b.num_rows for t in DatabaseSource(url).tables() for b in t.batches())


def _read_reflected(url: str) -> int:
    """Every table reflected and read over a connection of its own, as before."""
    from sqlalchemy.pool import NullPool

    from senim.sources import DatabaseSource
    from senim.sources._sql import SqlTableSource

    listed = DatabaseSource(url).tables()
    engine = _engine(url, poolclass=NullPool)
    rows = 0
    for t in listed:
        old = SqlTableSource(
            engine=engine,
            url_shown="bench",
            schema=t.schema,
            table=t.table,
            primary_key=t.primary_key,
        )
        rows += sum(b.num_rows for b in old.batches())
    engine.dispose()
    return rows


def _timed(read: Callable[[str], int], url: str) -> tuple[float, int]:
    start = time.perf_counter()
    rows = read(url)
    return time.perf_counter() - start, rows


def _cli(url: str, out: Path, extra: tuple[str, ...] = ()) -> float:
    exe = Path(sys.executable).with_name("senim")
    env = {**os.environ, "SENIM_HASH_KEY": "benchmark"}
    start = time.perf_counter()
    subprocess.run(
        [str(exe), "scan", url, "--format", "jsonl", "--output", str(out), "--no-progress", *extra],
        check=True,
        env=env,
    )
    return time.perf_counter() - start


def _large(backend: str, folder: Path, rows: int, repeat: int) -> str:
    """One table of ``rows`` rows: the CLI with ``--workers auto`` and with one process."""
    from sqlalchemy import text

    from senim.sources import DatabaseSource

    url, drop = _scratch(backend, folder)
    try:
        _fill(url, 1, rows)
        if backend == "mysql":  # InnoDB refreshes its size statistics lazily
            with _engine(url).begin() as conn:
                conn.execute(text("ANALYZE TABLE t0000"))
        stored = sum(t.stored_bytes for t in DatabaseSource(url).tables())
        times: dict[str, list[float]] = {"auto": [], "one": []}
        outs = {how: folder / f"{backend}-large-{how}.jsonl" for how in times}
        for _ in range(repeat):
            times["auto"].append(_cli(url, outs["auto"]))
            times["one"].append(_cli(url, outs["one"], ("--workers", "1")))
        assert outs["auto"].read_bytes() == outs["one"].read_bytes()
        findings = sum(1 for _ in outs["auto"].open(encoding="utf-8"))
    finally:
        drop()
    return (
        f"| {backend} | {rows:,} | {stored / 1e6:.1f} MB | {min(times['auto']):.2f} s "
        f"| {min(times['one']):.2f} s | {findings:,} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", type=int, default=150)
    parser.add_argument("--rows", type=int, default=5, help="rows per table")
    parser.add_argument("--large-rows", type=int, default=80_000, help="rows of the large table")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best)")
    args = parser.parse_args()
    backends = ["sqlite"] + [b for b, url in SERVERS.items() if _reachable(url)]
    lines = [
        "## Scanning databases (`benchmarks/scan_databases.py`)",
        "",
        machine_line(["sqlalchemy", "psycopg", "pymysql", "polars"]),
        "",
        f"{args.tables} tables of {args.rows} rows each (name, phone, birth date, note) in a "
        "scratch database per backend. *Reading*: every table's batches, no scanning; senim "
        "looks up the columns and keys once with the listing and the tables share one "
        "connection, against each table reflected with SQLAlchemy and read over a connection "
        "of its own (how senim read them before). *CLI*: the whole `senim scan URL --format "
        f"jsonl` process. Best of {args.repeat}; the two ways of reading alternate.",
        "",
        "| backend | reading: shared listing and connection | reading: reflected, a "
        "connection each | CLI, whole process | findings |",
        "|---|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            url, drop = _scratch(backend, Path(tmp))
            try:
                _fill(url, args.tables, args.rows)
                listed: list[float] = []
                reflected: list[float] = []
                for _ in range(args.repeat):
                    t, rows = _timed(_read_listed, url)
                    t2, rows2 = _timed(_read_reflected, url)
                    assert rows == rows2 == args.tables * args.rows, (rows, rows2)
                    listed.append(t)
                    reflected.append(t2)
                out = Path(tmp) / f"{backend}.jsonl"
                cli = min(_cli(url, out) for _ in range(args.repeat))
                findings = sum(1 for _ in out.open(encoding="utf-8"))
            finally:
                drop()
            line = (
                f"| {backend} | {min(listed):.2f} s | {min(reflected):.2f} s | {cli:.2f} s "
                f"| {findings:,} |"
            )
            print(line)
            lines.append(line)
        lines += [
            "",
            f"One table of {args.large_rows:,} rows of the same columns: the whole CLI process "
            "with `--workers auto` (the default; it weighs a database table by the bytes its "
            "statistics say it stores, and from 4 MB a helper process joins) and with "
            f"`--workers 1`. Best of {args.repeat}, alternating; the outputs are identical.",
            "",
            "| backend | rows | stored (statistics) | `--workers auto` | `--workers 1` | findings |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for backend in backends:
            line = _large(backend, Path(tmp), args.large_rows, args.repeat)
            print(line)
            lines.append(line)
    missing = [b for b in SERVERS if b not in backends]
    if missing:
        lines += ["", "Not reachable in this run: " + ", ".join(missing) + "."]
    text = "\n".join(lines)
    write_section("scan-databases", text)
    print(text)


if __name__ == "__main__":
    main()

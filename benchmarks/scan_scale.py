"""Scan cost as input grows: MB/s and peak memory for CSV and Parquet, local vs Spark.

Generates a bank-style client export (names, IINs, phones, e-mails, IBANs, amounts, dates,
free-text comments; most cells are not personal data) at several sizes, runs
``senim scan`` on it in a subprocess and samples the resident memory of the whole process
tree (the CLI and its worker processes) every 50 ms. The Spark rows run the same scan with
``--engine spark`` on a local master (``local[2]``), JVM included.

    .venv/bin/python benchmarks/scan_scale.py            # 25, 100, 400 MB CSV; Parquet; Spark
    .venv/bin/python benchmarks/scan_scale.py --quick    # 10 and 40 MB only
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._report import machine_line, write_section

WORK = Path(__file__).resolve().parent / "_work" / "scan_scale"
SENIM = [sys.executable, "-m", "senim"]

FIRST = ["Айгерим", "Нурлан", "Иван", "Алия", "Ерлан", "Мария", "Дамир", "Асель", "Сергей"]
LAST = ["Нурланова", "Сейткали", "Иванов", "Ахметова", "Жумабеков", "Петрова", "Ким", "Абенов"]
CITIES = ["Алматы", "Астана", "Шымкент", "Караганда", "Актобе", "Павлодар"]
STATUS = ["active", "closed", "pending", "blocked"]
COMMENTS = [
    "Оплата по договору",
    "Клиент просил перезвонить",
    "Погашение кредита",
    "Перевод между счетами",
    "Комиссия банка",
]


def _iin(rng: random.Random) -> str:
    from senim.discovery.kzid import iin_is_valid

    while True:
        y, m, d = rng.randint(50, 99), rng.randint(1, 12), rng.randint(1, 28)
        head = f"{y:02d}{m:02d}{d:02d}{rng.choice('34')}{rng.randint(0, 9999):04d}"
        for check in range(10):
            if iin_is_valid(head + str(check)):
                return head + str(check)


def generate(rows: int, seed: int = 7) -> pa.Table:
    """A client export: about one cell in three is personal data."""
    rng = random.Random(seed)
    iins = [_iin(rng) for _ in range(2000)]
    cols: dict[str, list[object]] = {
        k: []
        for k in (
            "id",
            "client",
            "iin",
            "phone",
            "email",
            "city",
            "amount",
            "op_date",
            "status",
            "comment",
        )
    }
    for i in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        cols["id"].append(str(i))
        cols["client"].append(f"{last} {first}")
        cols["iin"].append(iins[i % len(iins)])
        cols["phone"].append(
            f"+7 70{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        )
        cols["email"].append(f"client{i}@mail.kz" if i % 3 == 0 else "")
        cols["city"].append(rng.choice(CITIES))
        cols["amount"].append(f"{rng.randint(100, 10_000_000) / 100:.2f}")
        cols["op_date"].append(f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        cols["status"].append(rng.choice(STATUS))
        comment = rng.choice(COMMENTS) + f" № {rng.randint(1000, 99999)}"
        if i % 10 == 0:
            comment += f", звонил {first} {last}"
        cols["comment"].append(comment)
    return pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()})


def make_inputs(mb: int) -> tuple[Path, Path]:
    csv_path = WORK / f"clients-{mb}mb.csv"
    pq_path = WORK / f"clients-{mb}mb.parquet"
    if csv_path.exists() and pq_path.exists():
        return csv_path, pq_path
    WORK.mkdir(parents=True, exist_ok=True)
    block = generate(50_000)
    sample = WORK / "block.csv"
    pacsv.write_csv(block, sample)
    per_block = sample.stat().st_size
    blocks = max(1, round(mb * 1_000_000 / per_block))
    with pacsv.CSVWriter(csv_path, block.schema) as writer:
        for b in range(blocks):
            writer.write_table(generate(50_000, seed=b) if b < 4 else block)
    with pq.ParquetWriter(pq_path, block.schema, compression="zstd") as writer:
        for b in range(blocks):
            writer.write_table(generate(50_000, seed=b) if b < 4 else block, row_group_size=50_000)
    sample.unlink()
    return csv_path, pq_path


def run(args: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS and PSS of the process tree (MB), and stderr tail.

    RSS is summed over the processes, so pages they share (the same polars and pyarrow
    libraries mapped in each) count once per process; PSS splits each shared page between
    the processes that map it, so the tree's PSS is the memory it really occupies.
    """
    env = dict(os.environ, SENIM_HASH_KEY="benchmark", PYTHONWARNINGS="ignore")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*SENIM, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    peak = peak_pss = 0
    parent = psutil.Process(proc.pid)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            rss = pss = 0
            try:
                for p in [parent, *parent.children(recursive=True)]:
                    try:
                        info = p.memory_full_info()
                    except psutil.Error:
                        continue
                    rss += info.rss
                    pss += info.pss
            except psutil.Error:
                pass
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    _, err = proc.communicate()
    done.set()
    thread.join()
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise RuntimeError(
            f"senim {' '.join(args)} exited {proc.returncode}: {err.decode()[-2000:]}"
        )
    return seconds, peak / 1e6, peak_pss / 1e6, err.decode()[-500:]


def render(rows: list[tuple[float, str, float, float, float, float, float]]) -> str:
    """The docs/benchmarks.md section for measured rows."""
    lines = [
        "## Scan at scale (`benchmarks/scan_scale.py`)",
        "",
        "`senim scan` on a generated bank client export (10 columns, about a third of the cells",
        "personal data: names, IINs, phones, e-mails, names in comments). Size is the input",
        "file size; Parquet (zstd) holds the same rows in fewer bytes, so MB/s is given per MB",
        "of the CSV holding those rows. Memory is the whole process tree: the CLI and its",
        "helper processes (and, for Spark, the JVM and Python workers), sampled every 50 ms.",
        "*RSS* is summed over the processes, so library pages they share (polars and pyarrow",
        "are mapped in each) count once per process; *PSS* shares each such page out between",
        "the processes that map it, so the tree's PSS is the memory it actually occupies.",
        "`--workers 2` is two scanning processes: the CLI, which also reads and writes, and one",
        "helper, forked from the CLI before it loads polars. Output: the summary table",
        "(findings are kept in a memory-mapped spill file, not in RAM). The machine is shared",
        "with other jobs, so single timings carry noise; memory is what to compare.",
        "",
        "| data (as CSV) | input, engine | input MB | seconds | MB/s (of CSV) "
        "| peak RSS MB (sum) | peak PSS MB |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for csv_mb, engine, size, secs, speed, peak, pss in rows:
        lines.append(
            f"| {csv_mb:.0f} MB | {engine} | {size:.0f} | {secs:.1f} | {speed:.2f} "
            f"| {peak:.0f} | {pss:.0f} |"
        )
    lines += ["", machine_line(["pyarrow", "polars", "pyspark", "psutil"]), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-spark", action="store_true")
    opts = parser.parse_args()
    sizes = [10, 40] if opts.quick else [25, 100, 400]
    spark_sizes = sizes[:2]
    rows = []
    for mb in sizes:
        csv_path, pq_path = make_inputs(mb)
        for label, path, extra in (
            ("CSV, 1 process", csv_path, ["--workers", "1"]),
            ("CSV, `--workers 2`", csv_path, ["--workers", "2"]),
            ("Parquet, `--workers 2`", pq_path, ["--workers", "2"]),
        ):
            if mb == sizes[-1] and not opts.quick and "Parquet" in label:
                continue  # the largest size is run for CSV only (time budget)
            size = path.stat().st_size / 1e6
            csv_mb = csv_path.stat().st_size / 1e6
            secs, peak, pss, _ = run(["scan", str(path), "--no-progress", "-f", "table", *extra])
            rows.append((csv_mb, label, size, secs, csv_mb / secs, peak, pss))
            print(rows[-1], flush=True)
        if not opts.no_spark and mb in spark_sizes:
            size = pq_path.stat().st_size / 1e6
            csv_mb = csv_path.stat().st_size / 1e6
            secs, peak, pss, _ = run(
                [
                    "scan",
                    str(pq_path),
                    "--no-progress",
                    "-f",
                    "table",
                    "--engine",
                    "spark",
                    "--spark-master",
                    "local[2]",
                ]
            )
            rows.append((csv_mb, "Parquet, Spark local[2]", size, secs, csv_mb / secs, peak, pss))
            print(rows[-1], flush=True)
    write_section("scan-scale", render(rows))


if __name__ == "__main__":
    main()

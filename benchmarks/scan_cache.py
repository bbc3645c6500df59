"""A folder of small files out of the page cache: what reading them costs, and what the
folder read-ahead hints (``posix_fadvise(WILLNEED)``, ``senim.sources._files``) win back.

    python benchmarks/scan_cache.py [--files 5000] [--repeat 5]

The folder is the letters of ``scan_presidio.py`` (kk/ru/en, ~1 KB, one file each). Two
measurements, each the best of ``--repeat`` rounds, the settings alternating within a
round so that a drift in the machine's speed touches all alike:

* reading alone: open, read and close every file in one Python loop, with the files in
  the page cache and with their pages dropped first (``POSIX_FADV_DONTNEED``);
* the whole ``senim scan FOLDER --format jsonl`` process on both cores: files cached;
  files dropped, with the hints; files dropped, without them (the same command with
  ``senim.sources._files._WILL_NEED`` set to ``None`` before it runs, as on a system that
  has no such hint).

Linux only (``posix_fadvise``). Results go to the "scan-cache" section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._report import machine_line, write_section  # noqa: E402
from benchmarks.scan_presidio import WORK, _as_files, cache, evict, make_docs  # noqa: E402

_WITHOUT_HINTS = (
    "import sys; import senim.sources._files as files; files._WILL_NEED = None; "
    "from senim.cli import main; sys.argv[0] = 'senim'; main()"
)


def read_all(folder: Path) -> float:
    """Seconds to open, read and close every file of ``folder`` once."""
    names = sorted(str(p) for p in folder.iterdir())
    start = time.perf_counter()
    for name in names:
        fd = os.open(name, os.O_RDONLY)
        try:
            os.read(fd, 1 << 16)
        finally:
            os.close(fd)
    return time.perf_counter() - start


def time_scan(folder: Path, hints: bool) -> float:
    """Seconds of one whole ``senim scan`` process over ``folder`` (both cores)."""
    head = [str(Path(sys.executable).with_name("senim"))]
    if not hints:
        head = [sys.executable, "-c", _WITHOUT_HINTS]
    out = WORK / "out-cache.jsonl"
    args = [*head, "scan", str(folder), "--format", "jsonl", "--output", str(out)]
    env = {**os.environ, "SENIM_HASH_KEY": "benchmark"}
    start = time.perf_counter()
    subprocess.run([*args, "--no-progress"], check=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not hasattr(os, "posix_fadvise"):
        sys.exit("scan_cache.py needs posix_fadvise (Linux)")
    WORK.mkdir(parents=True, exist_ok=True)
    folder = _as_files(make_docs(args.files, 12), WORK / "cache-files")
    settings = {
        "reading, cached": lambda: (cache(folder), read_all(folder))[1],
        "reading, dropped": lambda: (evict(folder), read_all(folder))[1],
        "senim scan, cached": lambda: (cache(folder), time_scan(folder, True))[1],
        "senim scan, dropped, with hints": lambda: (evict(folder), time_scan(folder, True))[1],
        "senim scan, dropped, without hints": lambda: (
            evict(folder),
            time_scan(folder, False),
        )[1],
    }
    runs: dict[str, list[float]] = {name: [] for name in settings}
    for _ in range(args.repeat):
        for name, run in settings.items():
            runs[name].append(run())
    n = args.files
    lines = [
        "## A folder out of the page cache (`benchmarks/scan_cache.py`)",
        "",
        machine_line(["pyarrow", "polars"]),
        "",
        f"{n:,} one-page kk/ru/en letters, one file each (the letters of `scan_presidio.py`). "
        "*Cached*: every file read just before; *dropped*: the files' pages dropped from the "
        "page cache first (`posix_fadvise(DONTNEED)`), as a folder not read for a while is. "
        "*Without hints*: the same command with the folder read-ahead hints switched off, as "
        "on a system without `posix_fadvise`. `senim scan` is the whole process on both "
        f"cores. Best and slowest of {args.repeat} rounds, the settings alternating "
        "within each round.",
        "",
        "| setting | best, s | slowest, s | best, per file |",
        "|---|---:|---:|---:|",
    ]
    for name, times in runs.items():
        best = min(times)
        lines.append(f"| {name} | {best:.3f} | {max(times):.3f} | {best / n * 1e6:.1f} µs |")
    text = "\n".join(lines)
    write_section("scan-cache", text)
    print(text)


if __name__ == "__main__":
    main()

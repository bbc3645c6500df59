"""Where a scanning process spends its time: ``Scanner.scan_batch`` split into phases.

    python benchmarks/scan_phases.py [--docs 20000] [--letter-docs 5000] [--repeat 3]
                                     [--batch-rows N]

A diagnostic for speed work, not a comparison: it prints, and records nothing. The
documents are those of ``scan_presidio.py`` (same templates, same seed). Each set is scanned
in this process, as one Arrow batch (or batches of ``--batch-rows`` rows), by a fresh
:class:`~senim.discovery.Scanner` per run (memos empty, regexes compiled by a warm-up scan),
and the best run is shown. A two-core ``senim scan`` runs two scanning processes with one
polars thread each, on units of about 0.5 MB (525 letters): ``POLARS_MAX_THREADS=1 python
benchmarks/scan_phases.py --batch-rows 525`` measures that setting, where the regular
expressions take about twice the share they take with every core and one batch. Phases are
timed by wrapping the scanner's internal steps:

- *polars extraction*: every regex over the whole column (``_extract``, Rust, in parallel);
- *locating*: finding each match's offsets and checking its boundaries (``_Matches``;
  PERSON's name units and their candidates: ``_units_located``);
- *validation*: checksums and formats of each distinct candidate (the judges
  ``Scanner._judge`` hands the column path: each detector's ``validate``);
- *scoring and context*: the window around each valid candidate, its context-word
  searches, the score and the hit (``_score_matches``, ``_row_hits``);
- *findings batch*: masked previews, keyed digests, explanations and the Arrow batch
  (``_Columns.batch``);
- *the rest*: PERSON's candidates, overlaps, conversions and the loops that tie them
  together.

The compiled kernel (``senim.discovery._native``) runs inside these phases when it is
built; ``SENIM_PURE_PYTHON=1`` times the Python references instead. The wrappers add a
little time of their own (one Python call per wrapped call, most of it in *validation*), so
*the rest* is the least exact figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402

import senim.discovery._scanner as scanner_module  # noqa: E402
from benchmarks.scan_presidio import make_docs  # noqa: E402
from senim.discovery._native import kernel  # noqa: E402

PHASES = {
    "polars extraction": [(scanner_module, "_extract")],
    "locating": [
        (scanner_module._Matches, "locate"),
        (scanner_module._Matches, "bounded"),
        (scanner_module, "_units_located"),
    ],
    "validation": [(scanner_module.Scanner, "_judge")],
    "scoring, context": [(scanner_module, "_score_matches"), (scanner_module, "_row_hits")],
    "findings batch": [(scanner_module._Columns, "batch")],
}


def _timed(spent: Counter[str], phase: str, func: Callable[..., Any]) -> Callable[..., Any]:
    if func is scanner_module.Scanner._judge:  # times the judges it returns, not itself

        def judge(scanner: Any, det: Any) -> Any:
            found = func(scanner, det)
            return None if found is None else _timed(spent, phase, found)

        return judge

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            spent[phase] += time.perf_counter() - start

    return wrapper


def measure(
    docs: list[str], repeat: int, rows: int | None = None
) -> tuple[float, Counter[str], int]:
    """Best of ``repeat`` scans of ``docs`` (in batches of ``rows``, else one): seconds,
    seconds per phase, findings."""
    batch = pa.RecordBatch.from_pydict({"text": docs})
    step = rows or batch.num_rows
    scanner_module.Scanner().scan_batch(batch.slice(0, 50))  # compile, load lexicons
    spent: Counter[str] = Counter()
    saved = [
        (owner, name, getattr(owner, name)) for pairs in PHASES.values() for owner, name in pairs
    ]
    for phase, pairs in PHASES.items():
        for owner, name in pairs:
            setattr(owner, name, _timed(spent, phase, getattr(owner, name)))
    best: tuple[float, Counter[str], int] | None = None
    try:
        for _ in range(repeat):
            spent.clear()
            scanner = scanner_module.Scanner()
            start = time.perf_counter()
            found = sum(
                scanner.scan_batch(batch.slice(lo, step), record_offset=lo).num_rows
                for lo in range(0, batch.num_rows, step)
            )
            elapsed = time.perf_counter() - start
            if best is None or elapsed < best[0]:
                best = (elapsed, spent.copy(), found)
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=20_000, help="sentence documents")
    parser.add_argument("--letter-docs", type=int, default=5_000, help="letter documents")
    parser.add_argument("--repeat", type=int, default=3, help="runs per set (best)")
    parser.add_argument(
        "--batch-rows", type=int, default=None, help="scan in batches of this many rows"
    )
    args = parser.parse_args()
    os.environ.setdefault("SENIM_HASH_KEY", "benchmark")
    print("compiled kernel" if kernel is not None else "Python references (no kernel)")
    for label, sentences, n in (("sentences", 1, args.docs), ("letters", 12, args.letter_docs)):
        elapsed, spent, findings = measure(make_docs(n, sentences), args.repeat, args.batch_rows)
        print(
            f"{label}: {n:,} documents, {findings:,} findings, {elapsed:.3f} s "
            f"({1e6 * elapsed / n:.0f} µs per document, "
            f"{1e6 * elapsed / max(findings, 1):.1f} µs per finding)"
        )
        rest = elapsed - sum(spent.values())
        for phase, seconds in [*((p, spent[p]) for p in PHASES), ("the rest", rest)]:
            print(f"  {phase:18} {seconds:7.3f} s  {100 * seconds / elapsed:5.1f}%")


if __name__ == "__main__":
    main()

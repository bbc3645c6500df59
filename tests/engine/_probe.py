"""Run inside helper processes by tests: what has the helper loaded, where do its threads run?"""

from __future__ import annotations

import os
import sys


def loaded(names: list[str]) -> list[str]:
    return [n for n in names if n in sys.modules]


def thread_cpus() -> list[list[int]]:
    """The CPUs each thread of this process may run on (Linux), once polars' pool runs."""
    import polars as pl

    pl.DataFrame({"a": ["x"] * 10}).select(pl.col("a").str.contains("x"))
    return [sorted(os.sched_getaffinity(int(tid))) for tid in sorted(os.listdir("/proc/self/task"))]

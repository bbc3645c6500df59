"""Interval estimates and tests on counts (plain Python: the tables they work on are small).

* Wilson score interval for a proportion (Wilson 1927).
* Newcombe's hybrid score interval for a difference of two independent proportions
  (Newcombe 1998, method 10), built from the two Wilson intervals.
* Two-sided two-proportion z-test with pooled variance.
* Multiple-comparison corrections: Holm (1979), Bonferroni, Benjamini-Hochberg (1995).
* Population stability index (PSI) between two binned distributions.

``NaN`` stands for "undefined" (a zero denominator).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from statistics import NormalDist
from typing import Literal

Correction = Literal["holm", "bonferroni", "fdr_bh", "none"]
NAN = float("nan")


@cache
def z_value(confidence: float) -> float:
    """The two-sided standard-normal quantile for ``confidence`` (0.95 -> 1.95996...)."""
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def proportion(k: int, n: int) -> float:
    """``k / n``, NaN when ``n == 0``."""
    return k / n if n > 0 else NAN


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval ``(low, high)`` for ``k`` successes out of ``n``; NaN when n == 0."""
    if n <= 0:
        return NAN, NAN
    z = z_value(confidence)
    z2 = z * z
    p = k / n
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(max(p * (1.0 - p) / n + z2 / (4.0 * n * n), 0.0)) / denom
    low = 0.0 if k == 0 else min(max(centre - half, 0.0), 1.0)
    high = 1.0 if k == n else min(max(centre + half, 0.0), 1.0)
    return low, high


def newcombe(k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``k1/n1 - k2/n2`` (method 10)."""
    if n1 <= 0 or n2 <= 0:
        return NAN, NAN
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, confidence)
    l2, u2 = wilson(k2, n2, confidence)
    d = p1 - p2
    return (
        d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


def two_proportion_p_value(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (NaN if a denominator is 0)."""
    if n1 <= 0 or n2 <= 0:
        return NAN
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    if se == 0.0:
        return 1.0
    z = abs(k1 / n1 - k2 / n2) / se
    return math.erfc(z / math.sqrt(2.0))


def adjust_p_values(p_values: Sequence[float], method: Correction) -> list[float]:
    """Adjust a family of p-values; NaNs are kept and excluded from the family size."""
    out = list(p_values)
    index = [i for i, p in enumerate(out) if not math.isnan(p)]
    m = len(index)
    if m == 0 or method == "none":
        return out
    if method == "bonferroni":
        for i in index:
            out[i] = min(out[i] * m, 1.0)
        return out
    order = sorted(index, key=lambda i: out[i])
    ranked = [out[i] for i in order]
    adjusted: list[float] = []
    if method == "holm":
        running = 0.0
        for rank, p in enumerate(ranked):
            running = max(running, min(p * (m - rank), 1.0))
            adjusted.append(running)
    else:  # fdr_bh
        running = 1.0
        for rank in range(m - 1, -1, -1):
            running = min(running, ranked[rank] * m / (rank + 1))
            adjusted.append(min(running, 1.0))
        adjusted.reverse()
    for i, value in zip(order, adjusted, strict=True):
        out[i] = value
    return out


def psi(expected: Sequence[float], actual: Sequence[float], *, smoothing: float = 1e-4) -> float:
    """Population stability index between two count vectors over the same bins."""
    e_total, a_total = float(sum(expected)), float(sum(actual))
    if e_total <= 0 or a_total <= 0:
        return NAN
    total = 0.0
    for e, a in zip(expected, actual, strict=True):
        ep = max(e / e_total, smoothing)
        ap = max(a / a_total, smoothing)
        total += (ap - ep) * math.log(ap / ep)
    return total

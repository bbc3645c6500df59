"""Interval estimates and tests on counts (vectorised with numpy).

* Wilson score interval for a proportion (Wilson 1927).
* Newcombe's hybrid score interval for a difference of two independent proportions
  (Newcombe 1998, method 10), built from the two Wilson intervals.
* Two-sided two-proportion z-test with pooled variance.
* Multiple-comparison corrections: Holm (1979), Bonferroni, Benjamini-Hochberg (1995).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Literal

import numpy as np
import numpy.typing as npt

Correction = Literal["holm", "bonferroni", "fdr_bh", "none"]
FloatArray = npt.NDArray[np.float64]


def z_value(confidence: float) -> float:
    """The two-sided standard-normal quantile for ``confidence`` (0.95 -> 1.95996...)."""
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def proportion(k: npt.ArrayLike, n: npt.ArrayLike) -> FloatArray:
    """``k / n`` with NaN where ``n == 0``."""
    k_arr = np.asarray(k, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_arr > 0, k_arr / np.where(n_arr > 0, n_arr, 1.0), np.nan)


def wilson(
    k: npt.ArrayLike, n: npt.ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval ``(low, high)`` for ``k`` successes out of ``n``; NaN when n == 0."""
    k_arr = np.asarray(k, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    z = z_value(confidence)
    z2 = z * z
    safe_n = np.where(n_arr > 0, n_arr, 1.0)
    p = k_arr / safe_n
    denom = 1.0 + z2 / safe_n
    centre = (p + z2 / (2.0 * safe_n)) / denom
    half = z * np.sqrt(np.maximum(p * (1.0 - p) / safe_n + z2 / (4.0 * safe_n * safe_n), 0.0))
    half = half / denom
    low = np.where(n_arr > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n_arr > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    # Exact bounds at the edges (avoid 1e-17 rounding noise).
    low = np.where((n_arr > 0) & (k_arr == 0), 0.0, low)
    high = np.where((n_arr > 0) & (k_arr == n_arr), 1.0, high)
    return low, high


def newcombe(
    k1: npt.ArrayLike,
    n1: npt.ArrayLike,
    k2: npt.ArrayLike,
    n2: npt.ArrayLike,
    confidence: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Newcombe's hybrid score interval for ``k1/n1 - k2/n2`` (method 10)."""
    p1, p2 = proportion(k1, n1), proportion(k2, n2)
    l1, u1 = wilson(k1, n1, confidence)
    l2, u2 = wilson(k2, n2, confidence)
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low, high


def two_proportion_p_value(
    k1: npt.ArrayLike, n1: npt.ArrayLike, k2: npt.ArrayLike, n2: npt.ArrayLike
) -> FloatArray:
    """Two-sided p-value of the pooled two-proportion z-test (NaN if a denominator is 0)."""
    k1a, n1a = np.asarray(k1, np.float64), np.asarray(n1, np.float64)
    k2a, n2a = np.asarray(k2, np.float64), np.asarray(n2, np.float64)
    valid = (n1a > 0) & (n2a > 0)
    s1, s2 = np.where(valid, n1a, 1.0), np.where(valid, n2a, 1.0)
    pooled = (k1a + k2a) / (s1 + s2)
    se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / s1 + 1.0 / s2))
    diff = k1a / s1 - k2a / s2
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, np.abs(diff) / np.where(se > 0, se, 1.0), 0.0)
    erfc = np.vectorize(math.erfc, otypes=[np.float64])
    p = erfc(z / math.sqrt(2.0)) if z.size else z
    return np.where(valid, np.where(se > 0, p, 1.0), np.nan)


def adjust_p_values(p_values: npt.ArrayLike, method: Correction) -> FloatArray:
    """Adjust a family of p-values; NaNs are kept and excluded from the family size."""
    p = np.asarray(p_values, dtype=np.float64).copy()
    mask = ~np.isnan(p)
    values = p[mask]
    m = values.size
    if m == 0 or method == "none":
        return p
    if method == "bonferroni":
        p[mask] = np.minimum(values * m, 1.0)
        return p
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    adjusted: FloatArray
    if method == "holm":
        factors = (m - np.arange(m)).astype(np.float64)
        adjusted = np.maximum.accumulate(np.minimum(ranked * factors, 1.0))
    else:  # fdr_bh
        factors = m / (np.arange(m) + 1.0)
        adjusted = np.minimum.accumulate((ranked * factors)[::-1])[::-1]
        adjusted = np.minimum(adjusted, 1.0)
    out = np.empty(m)
    out[order] = adjusted
    p[mask] = out
    return p


def psi(expected: npt.ArrayLike, actual: npt.ArrayLike, *, smoothing: float = 1e-4) -> float:
    """Population stability index between two count vectors over the same bins."""
    e = np.asarray(expected, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    if e.sum() <= 0 or a.sum() <= 0:
        return float("nan")
    ep = np.maximum(e / e.sum(), smoothing)
    ap = np.maximum(a / a.sum(), smoothing)
    return float(np.sum((ap - ep) * np.log(ap / ep)))

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from senim.audit._stats import (
    adjust_p_values,
    newcombe,
    psi,
    two_proportion_p_value,
    wilson,
    z_value,
)


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), Table I: Wilson score intervals.
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_published_values(k: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson(k, n, 0.95)
    assert lo == pytest.approx(low, abs=1e-4)
    assert hi == pytest.approx(high, abs=1e-4)


def test_newcombe_matches_published_example() -> None:
    # Newcombe (1998), Table II example (a): 56/70 - 48/80 -> 0.0524 to 0.3339.
    lo, hi = newcombe(56, 70, 48, 80, 0.95)
    assert lo == pytest.approx(0.0524, abs=1e-4)
    assert hi == pytest.approx(0.3339, abs=1e-4)


def test_undefined_rates_are_nan() -> None:
    assert all(math.isnan(v) for v in wilson(0, 0))
    assert math.isnan(two_proportion_p_value(1, 0, 1, 5))


def test_two_proportion_test_matches_normal_tail() -> None:
    # 60/100 vs 40/100: pooled p = .5, se = sqrt(.5*.5*.02) = .0707, z = 2.828 -> p = .00468
    assert two_proportion_p_value(60, 100, 40, 100) == pytest.approx(0.004678, abs=1e-6)
    assert two_proportion_p_value(0, 10, 0, 10) == 1.0


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("holm", [0.03, 0.06, 0.06, math.nan]),
        ("bonferroni", [0.03, 0.09, 0.12, math.nan]),
        ("fdr_bh", [0.03, 0.04, 0.04, math.nan]),
        ("none", [0.01, 0.03, 0.04, math.nan]),
    ],
)
def test_adjust_p_values(method: str, expected: list[float]) -> None:
    out = adjust_p_values([0.01, 0.03, 0.04, math.nan], method)  # type: ignore[arg-type]
    for got, want in zip(out, expected, strict=True):
        assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want)


def test_psi_zero_for_identical_and_positive_for_shift() -> None:
    assert psi([10, 20, 30], [1, 2, 3]) == pytest.approx(0.0)
    assert psi([50, 50], [90, 10]) > 0.25


def test_z_value() -> None:
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_contains_estimate(k: int, n: int) -> None:
    k = min(k, n)
    lo, hi = wilson(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


@given(st.integers(0, 200), st.integers(1, 200), st.integers(0, 200), st.integers(1, 200))
def test_newcombe_contains_difference(k1: int, n1: int, k2: int, n2: int) -> None:
    k1, k2 = min(k1, n1), min(k2, n2)
    lo, hi = newcombe(k1, n1, k2, n2)
    assert lo - 1e-12 <= k1 / n1 - k2 / n2 <= hi + 1e-12
    assert lo >= -1.0 - 1e-12
    assert hi <= 1.0 + 1e-12

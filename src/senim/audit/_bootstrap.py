"""Seeded, stratified bootstrap on counts (numpy is imported only when a bootstrap is asked for).

Resampling the rows of a group with replacement is a multinomial draw over its four confusion
cells, so ``B`` replicates cost ``B x groups`` draws, not ``B`` passes over the data. Group sizes
stay fixed (stratified by group), which is the usual choice for per-group rates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from senim.audit._metrics import MetricDef

FloatArray = npt.NDArray[np.float64]


class BootstrapSamples:
    """Replicated metric values: ``values[metric]`` has shape ``(replicates, groups)``."""

    def __init__(self, values: dict[str, FloatArray], confidence: float) -> None:
        self.values = values
        self.confidence = confidence

    def interval(self, samples: FloatArray) -> tuple[float | None, float | None]:
        finite = samples[np.isfinite(samples)]
        if finite.size == 0:
            return None, None
        tail = (1.0 - self.confidence) / 2.0 * 100.0
        lo, hi = np.percentile(finite, [tail, 100.0 - tail])
        return float(lo), float(hi)

    def group(self, metric: str, index: int) -> tuple[float | None, float | None]:
        return self.interval(self.values[metric][:, index])

    def difference(self, metric: str, index: int, ref: int) -> tuple[float | None, float | None]:
        data = self.values[metric]
        return self.interval(data[:, index] - data[:, ref])

    def statistic(
        self, metric: str, statistic: str, usable: Sequence[int], ref: int
    ) -> tuple[float | None, float | None]:
        data = self.values[metric]
        sub = data[:, list(usable)]
        with np.errstate(divide="ignore", invalid="ignore"):
            if statistic == "max_difference":
                dist = np.nanmax(sub, axis=1) - np.nanmin(sub, axis=1)
            elif statistic == "min_ratio":
                dist = np.nanmin(sub, axis=1) / np.nanmax(sub, axis=1)
            else:
                r = data[:, [ref]]
                oth = data[:, [i for i in usable if i != ref]]
                if statistic == "max_difference_to_reference":
                    dist = np.nanmax(np.abs(oth - r), axis=1)
                else:
                    dist = np.nanmin(np.minimum(oth / r, r / oth), axis=1)
        return self.interval(np.asarray(dist, dtype=np.float64))


def bootstrap_counts(
    groups: Sequence[dict[str, int]],
    metric_defs: Sequence[MetricDef],
    rng: Any,
    replicates: int,
    has_label: bool,
    confidence: float,
) -> BootstrapSamples:
    """Draw ``replicates`` resamples of each group's confusion cells and compute every metric."""
    generator: np.random.Generator = rng
    n = np.array([g["n"] for g in groups], dtype=np.int64)
    if has_label:
        probs = (
            np.array(
                [
                    [
                        g["tp"],
                        g["pp"] - g["tp"],
                        g["lp"] - g["tp"],
                        g["n"] - g["pp"] - g["lp"] + g["tp"],
                    ]
                    for g in groups
                ],
                dtype=np.float64,
            )
            / n[:, None]
        )
        draws = np.stack(
            [generator.multinomial(int(n[i]), probs[i], size=replicates) for i in range(n.size)],
            axis=1,
        )  # (B, G, 4)
        cells = {name: draws[..., k] for k, name in enumerate(("tp", "fp", "fn", "tn"))}
    else:
        pp = np.stack(
            [
                generator.binomial(int(n[i]), groups[i]["pp"] / n[i], size=replicates)
                for i in range(n.size)
            ],
            axis=1,
        )
        zero = np.zeros_like(pp)
        cells = {"tp": zero, "fp": pp, "fn": zero, "tn": n[None, :] - pp}
    values: dict[str, FloatArray] = {}
    for metric in metric_defs:
        num = sum((cells[c] for c in metric.numerator), start=np.zeros_like(n[None, :]))
        den = sum((cells[c] for c in metric.denominator), start=np.zeros_like(n[None, :]))
        with np.errstate(divide="ignore", invalid="ignore"):
            values[metric.name] = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    return BootstrapSamples(values, confidence)


def make_rng(seed: int | None) -> Any:
    return np.random.default_rng(seed)

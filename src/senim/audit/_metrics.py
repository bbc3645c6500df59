"""Group metrics as plain definitions on confusion counts.

Every metric is a proportion ``numerator / denominator`` of the four confusion cells, so one
group-by pass that counts ``n`` (rows), ``pp`` (predicted positive), ``lp`` (label positive) and
``tp`` (both) gives every metric, every interval and every test. Counts are additive, so coarser
groupings (one column out of several) are sums of the finest table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Cell = Literal["tp", "fp", "fn", "tn"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricDef:
    """A rate over confusion cells: ``sum(numerator) / sum(denominator)``."""

    name: str
    short: str
    numerator: tuple[Cell, ...]
    denominator: tuple[Cell, ...]
    needs_label: bool = True


ALL_CELLS: tuple[Cell, ...] = ("tp", "fp", "fn", "tn")

METRICS: tuple[MetricDef, ...] = (
    MetricDef(name="base_rate", short="BR", numerator=("tp", "fn"), denominator=ALL_CELLS),
    MetricDef(
        name="selection_rate",
        short="SR",
        numerator=("tp", "fp"),
        denominator=ALL_CELLS,
        needs_label=False,
    ),
    MetricDef(name="true_positive_rate", short="TPR", numerator=("tp",), denominator=("tp", "fn")),
    MetricDef(name="false_positive_rate", short="FPR", numerator=("fp",), denominator=("fp", "tn")),
    MetricDef(name="false_negative_rate", short="FNR", numerator=("fn",), denominator=("tp", "fn")),
    MetricDef(name="true_negative_rate", short="TNR", numerator=("tn",), denominator=("fp", "tn")),
    MetricDef(
        name="positive_predictive_value", short="PPV", numerator=("tp",), denominator=("tp", "fp")
    ),
    MetricDef(
        name="negative_predictive_value", short="NPV", numerator=("tn",), denominator=("tn", "fn")
    ),
    MetricDef(name="accuracy", short="ACC", numerator=("tp", "tn"), denominator=ALL_CELLS),
)
METRIC_BY_NAME = {metric.name: metric for metric in METRICS}
METRIC_NAMES = tuple(METRIC_BY_NAME)


def cells(n: int, pp: int, lp: int, tp: int) -> dict[Cell, int]:
    """The four confusion cells from the additive counts of one group."""
    return {"tp": tp, "fp": pp - tp, "fn": lp - tp, "tn": n - pp - lp + tp}


def fraction(metric: MetricDef, table: dict[Cell, int]) -> tuple[int, int]:
    """``(numerator, denominator)`` counts of ``metric`` for one group."""
    return sum(table[c] for c in metric.numerator), sum(table[c] for c in metric.denominator)

"""Re-identification risk and utility of a released table, as ARX defines them.

Risk comes from the sizes ``f_j`` of the equivalence classes (records sharing the same
quasi-identifier values), over ``n`` released (not suppressed) records:

- prosecutor risk: the attacker knows the target is in the data. Highest ``max 1/f_j``;
  average ``(number of classes) / n``; records at risk: share in classes with ``1/f_j`` above
  the threshold;
- journalist risk: the attacker does not know; without a population table senim takes the
  sample as the population, so it equals the prosecutor figures (ARX does the same without a
  population model);
- marketer risk: the expected share of records re-identified when every record is attacked,
  ``(number of classes) / n``;
- sample uniques: the share of records alone in their class.

Utility: average equivalence class size ``n / classes`` (and ``C_avg = n / (classes * k)``),
discernibility ``sum f_j^2 + suppressed * N``, generalisation intensity, share suppressed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["RISK_THRESHOLD", "RiskMetrics", "UtilityMetrics", "risk_metrics", "utility_metrics"]

RISK_THRESHOLD = 0.2
"""Records whose re-identification probability exceeds this are "at risk" (class size < 5),
the highest-risk threshold commonly used with ARX (e.g. EMA Policy 0070 guidance uses 0.09
for clinical data; pass another threshold for stricter releases)."""


@dataclass(frozen=True, slots=True)
class RiskMetrics:
    records: int
    classes: int
    prosecutor_max: float
    prosecutor_avg: float
    journalist_max: float
    journalist_avg: float
    marketer: float
    uniques: float
    at_risk: float

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True, slots=True)
class UtilityMetrics:
    avg_class_size: float
    c_avg: float
    discernibility: int
    intensity: float
    suppressed_share: float

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def risk_metrics(sizes: npt.NDArray[np.intp], threshold: float = RISK_THRESHOLD) -> RiskMetrics:
    """Risk figures from equivalence class sizes (see module doc)."""
    sizes = sizes[sizes > 0]
    n = int(sizes.sum())
    if n == 0:
        return RiskMetrics(0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    classes = int(sizes.size)
    pmax = float(1.0 / sizes.min())
    pavg = classes / n
    at_risk = float(sizes[1.0 / sizes > threshold].sum() / n)
    uniques = float((sizes == 1).sum() / n)
    return RiskMetrics(n, classes, pmax, pavg, pmax, pavg, pavg, uniques, at_risk)


def utility_metrics(
    *, sizes: npt.NDArray[np.intp], n: int, suppressed: int, k: int, intensity: float
) -> UtilityMetrics:
    """Utility figures of a release (see module doc)."""
    released = int(sizes.sum())
    classes = int((sizes > 0).sum())
    avg = released / classes if classes else 0.0
    return UtilityMetrics(
        avg_class_size=avg,
        c_avg=avg / k if k else 0.0,
        discernibility=int((sizes.astype(np.int64) ** 2).sum() + suppressed * n),
        intensity=intensity,
        suppressed_share=suppressed / n if n else 0.0,
    )

"""Audit AI decisions: fairness by group, explanations, robustness and drift.

Library first: :func:`audit_fairness` works on an Arrow table or polars frame;
:func:`audit_decisions` reads CSV, Parquet, JSONL or a database table first.
"""

from senim.audit._fairness import (
    CalibrationBin,
    CriterionResult,
    Dimension,
    Disparity,
    Estimate,
    FairnessReport,
    GroupResult,
    audit_decisions,
    audit_fairness,
)
from senim.audit._metrics import METRIC_NAMES
from senim.audit._policy import Citation, Criterion, Policy, load_policy

__all__ = [
    "METRIC_NAMES",
    "CalibrationBin",
    "Citation",
    "Criterion",
    "CriterionResult",
    "Dimension",
    "Disparity",
    "Estimate",
    "FairnessReport",
    "GroupResult",
    "Policy",
    "audit_decisions",
    "audit_fairness",
    "load_policy",
]

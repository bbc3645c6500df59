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


def __getattr__(name: str) -> object:
    """Model explanations and drift load numpy/onnxruntime only when asked for."""
    lazy = {
        "load_model": "senim.audit._model",
        "Model": "senim.audit._model",
        "explain_model": "senim.audit._explain",
        "ModelReport": "senim.audit._explain",
        "DecisionExplanation": "senim.audit._explain",
        "Counterfactual": "senim.audit._explain",
        "drift": "senim.audit._drift",
        "drift_frames": "senim.audit._drift",
        "DriftReport": "senim.audit._drift",
    }
    if name in lazy:
        import importlib

        return getattr(importlib.import_module(lazy[name]), name)
    raise AttributeError(f"module 'senim.audit' has no attribute {name!r}")


__all__ = [
    "METRIC_NAMES",
    "CalibrationBin",
    "Citation",
    "Counterfactual",
    "Criterion",
    "CriterionResult",
    "DecisionExplanation",
    "Dimension",
    "Disparity",
    "DriftReport",
    "Estimate",
    "FairnessReport",
    "GroupResult",
    "Model",
    "ModelReport",
    "Policy",
    "audit_decisions",
    "audit_fairness",
    "drift",
    "drift_frames",
    "explain_model",
    "load_model",
    "load_policy",
]

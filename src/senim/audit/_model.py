"""Load a decision model and ask it for the probability of the positive class.

Supported files: scikit-learn estimators and pipelines, LightGBM and XGBoost models saved with
pickle/joblib (``.pkl``, ``.pickle``, ``.joblib``), and ONNX graphs (``.onnx``, run with
onnxruntime). Loading a pickle runs code from the file: load only models you trust. ONNX files
carry no code.
"""

from __future__ import annotations

import pickle
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from senim.errors import InputError

ModelKind = Literal["sklearn", "lightgbm", "xgboost", "onnx"]
ContributionMethod = Literal["tree_shap", "tree_path"]
FloatArray = npt.NDArray[np.float64]

_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib")


@dataclass(frozen=True, slots=True, kw_only=True)
class Model:
    """A loaded model: ``predict_proba(X)`` gives P(positive class) for a float matrix ``X``."""

    kind: ModelKind
    path: str
    estimator: Any
    n_features: int | None
    feature_names: tuple[str, ...] | None

    def predict_proba(self, features: FloatArray) -> FloatArray:
        x = np.asarray(features, dtype=np.float64)
        try:
            if self.kind == "onnx":
                return _onnx_proba(self.estimator, x)
            with warnings.catch_warnings():
                # Fitted on a named frame, called with a matrix in the same column order.
                warnings.filterwarnings("ignore", message=".*feature names.*", category=UserWarning)
                return _estimator_proba(self.estimator, x)
        except InputError:
            raise
        except Exception as exc:
            raise InputError(
                "audit.error.model_predict", path=self.path, reason=str(exc).splitlines()[0][:200]
            ) from exc

    @property
    def contribution_method(self) -> ContributionMethod | None:
        """How per-feature contributions are computed for this model, if they can be.

        ``tree_shap``: exact TreeSHAP computed by LightGBM/XGBoost themselves (log-odds units).
        ``tree_path``: decision-path contributions of scikit-learn trees and forests (probability
        units) or gradient boosting (log-odds units): each split credits its feature with the
        change in the node value along the decision's path (Saabas); they add up exactly to
        the prediction.
        """
        if self.kind in ("lightgbm", "xgboost"):
            return "tree_shap"
        if self.kind == "sklearn" and _sklearn_trees(self.estimator) is not None:
            return "tree_path"
        return None

    def contributions(self, features: FloatArray) -> FloatArray:
        """Per-feature contributions, shape ``(rows, features + 1)``; last column: the bias."""
        x = np.asarray(features, dtype=np.float64)
        if self.contribution_method == "tree_path":
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*feature names.*", category=UserWarning)
                return _tree_path(self.estimator, x)
        if self.kind == "lightgbm":
            booster = getattr(self.estimator, "booster_", self.estimator)
            out = booster.predict(x, pred_contrib=True)
        elif self.kind == "xgboost":
            import xgboost

            booster = getattr(self.estimator, "get_booster", lambda: self.estimator)()
            out = booster.predict(xgboost.DMatrix(x), pred_contribs=True)
        else:
            raise InputError("audit.error.no_tree_shap", kind=self.kind)
        return np.asarray(out, dtype=np.float64)


def load_model(path: str | Path) -> Model:
    """Load a model file (pickle/joblib or ONNX)."""
    file = Path(path)
    if not file.exists():
        raise InputError("error.path_not_found", path=str(path))
    suffix = file.suffix.lower()
    if suffix == ".onnx":
        return _load_onnx(file)
    if suffix not in _PICKLE_SUFFIXES:
        raise InputError(
            "audit.error.model_type",
            path=str(path),
            choices=", ".join((*_PICKLE_SUFFIXES, ".onnx")),
        )
    try:
        try:
            import joblib

            estimator = joblib.load(file)
        except ImportError:  # pragma: no cover - joblib comes with scikit-learn
            with open(file, "rb") as fh:
                estimator = pickle.load(fh)  # trusted models only (documented)
    except ModuleNotFoundError as exc:
        raise InputError("audit.error.model_library", path=str(path), module=exc.name) from exc
    except Exception as exc:
        raise InputError(
            "audit.error.model_load", path=str(path), reason=str(exc).splitlines()[0][:200]
        ) from exc
    module = type(estimator).__module__.split(".")[0]
    kind: ModelKind = (
        "lightgbm" if module == "lightgbm" else "xgboost" if module == "xgboost" else "sklearn"
    )
    if not (hasattr(estimator, "predict_proba") or hasattr(estimator, "predict")):
        raise InputError("audit.error.model_load", path=str(path), reason="no predict method")
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None and all(_default_name(str(n)) for n in names):
        names = None  # trained on a bare matrix: LightGBM/XGBoost invent Column_0, f0, ...
    n_features = getattr(estimator, "n_features_in_", None)
    return Model(
        kind=kind,
        path=str(path),
        estimator=estimator,
        n_features=int(n_features) if n_features is not None else None,
        feature_names=tuple(str(n) for n in names) if names is not None else None,
    )


def _sklearn_trees(estimator: Any) -> tuple[list[Any], float, bool] | None:
    """``(trees, scale, probability_space)`` for scikit-learn tree models, else None."""
    name = type(estimator).__name__
    if name in ("DecisionTreeClassifier", "ExtraTreeClassifier"):
        return [estimator], 1.0, True
    if name in ("RandomForestClassifier", "ExtraTreesClassifier"):
        trees = list(estimator.estimators_)
        return trees, 1.0 / len(trees), True
    if name == "GradientBoostingClassifier" and estimator.estimators_.shape[1] == 1:
        return [row[0] for row in estimator.estimators_], float(estimator.learning_rate), False
    return None


def _tree_path(estimator: Any, x: FloatArray) -> FloatArray:
    from scipy import sparse

    found = _sklearn_trees(estimator)
    assert found is not None
    trees, scale, probability = found
    n, width = x.shape
    out = np.zeros((n, width + 1))
    for tree_model in trees:
        tree = tree_model.tree_
        values = np.asarray(tree.value[:, 0, :], dtype=np.float64)
        if probability:
            values = values[:, -1] / np.maximum(values.sum(axis=1), 1e-300)
        else:
            values = values[:, 0]
        values = values * scale
        left, right = tree.children_left, tree.children_right
        parent = np.full(tree.node_count, -1)
        internal = np.flatnonzero(left >= 0)
        parent[left[internal]] = internal
        parent[right[internal]] = internal
        nodes = np.flatnonzero(parent >= 0)
        delta = values[nodes] - values[parent[nodes]]
        credit = sparse.csr_matrix(
            (delta, (nodes, tree.feature[parent[nodes]])), shape=(tree.node_count, width)
        )
        path = tree_model.decision_path(x.astype(np.float32))
        out[:, :width] += np.asarray((path @ credit).todense())
        out[:, width] += values[0]
    if not probability and n:
        # Gradient boosting starts from a constant (the prior log-odds): add it to the bias.
        first = x[:1]
        trees_sum = sum(float(t.predict(first.astype(np.float32))[0]) for t in trees) * scale
        out[:, width] += float(estimator.decision_function(first)[0]) - trees_sum
    return out


def _default_name(name: str) -> bool:
    return re.fullmatch(r"(Column_|f|x)\d+", name) is not None


def _estimator_proba(estimator: Any, x: FloatArray) -> FloatArray:
    if hasattr(estimator, "predict_proba"):
        proba = np.asarray(estimator.predict_proba(x), dtype=np.float64)
        if proba.ndim == 2:
            return proba[:, -1] if proba.shape[1] > 1 else proba[:, 0]
        return proba
    # LightGBM/XGBoost boosters with a binary objective predict probabilities directly.
    return np.asarray(estimator.predict(x), dtype=np.float64).reshape(-1)


def _load_onnx(file: Path) -> Model:
    try:
        import onnxruntime
    except ImportError as exc:
        raise InputError("audit.error.model_library", path=str(file), module="onnxruntime") from exc
    try:
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        session = onnxruntime.InferenceSession(
            str(file), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:
        raise InputError(
            "audit.error.model_load", path=str(file), reason=str(exc).splitlines()[0][:200]
        ) from exc
    inputs = session.get_inputs()
    if len(inputs) != 1:
        raise InputError("audit.error.onnx_inputs", path=str(file), count=len(inputs))
    shape = inputs[0].shape
    width = shape[1] if len(shape) == 2 and isinstance(shape[1], int) else None
    return Model(
        kind="onnx", path=str(file), estimator=session, n_features=width, feature_names=None
    )


def _onnx_proba(session: Any, x: FloatArray) -> FloatArray:
    name = session.get_inputs()[0].name
    outputs = session.run(None, {name: x.astype(np.float32)})
    meta = [o.name for o in session.get_outputs()]
    chosen = None
    for out_name, value in zip(meta, outputs, strict=True):
        if "prob" in out_name.lower():
            chosen = value
            break
    if chosen is None:
        chosen = outputs[-1]
    if isinstance(chosen, list):  # ZipMap: one {class: probability} per row
        keys = sorted(chosen[0]) if chosen else []
        positive = keys[-1] if keys else 1
        return np.array([row[positive] for row in chosen], dtype=np.float64)
    arr = np.asarray(chosen, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[1] > 1:
        return arr[:, -1]
    return arr.reshape(-1)

"""k-anonymity by generalisation with hierarchies, local suppression, l-diversity, t-closeness.

The partitioner is top-down, multidimensional (Mondrian-style, LeFevre et al., ICDE 2006)
but splits along each column's hierarchy: numbers and dates at the median, categories into the
children of their lowest common ancestor (a region into its cities, ``*`` into its values).
A split is taken only when every part keeps at least ``k`` records and satisfies the
l-diversity and t-closeness constraints. Parts too small to stand alone are *suppressed*
(their quasi-identifiers become ``*``; the records stay, in place) while the suppression budget
lasts, otherwise merged back into a remainder part, so rare values do not block the
specialisation of everyone else.

Definitions: distinct l-diversity (each class has at least ``l`` distinct sensitive values);
t-closeness with the earth mover's distance of Li, Li and Venkatasubramanian (ICDE 2007):
equal ground distance for categories, ordered distance for numbers.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from senim.deid._hierarchy import (
    ROOT,
    Hierarchy,
    TreeHierarchy,
    default_hierarchy,
    tree_from_config,
)
from senim.deid._risk import RiskMetrics, UtilityMetrics, risk_metrics, utility_metrics
from senim.errors import ConfigError, UsageError

__all__ = ["AnonymityConfig", "AnonymityResult", "anonymise_table"]

Rows = npt.NDArray[np.intp]


class AnonymityConfig(BaseModel):
    """What to protect and how much (policy section ``anonymity`` or CLI options)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quasi_identifiers: list[str] = Field(min_length=1)
    k: int = Field(default=10, ge=2)
    l_diversity: dict[str, int] = Field(default_factory=dict)
    t_closeness: dict[str, float] = Field(default_factory=dict)
    max_suppression: float = Field(default=0.05, ge=0.0, le=0.5)
    hierarchies: dict[str, Literal["numeric", "date", "region", "flat"] | dict[str, Any]] = Field(
        default_factory=dict
    )
    """Per column: ``numeric``, ``date``, ``region``, ``flat``, or a tree mapping."""


@dataclass(slots=True)
class AnonymityResult:
    table: pa.Table
    classes: int
    suppressed: int
    risk_before: RiskMetrics
    risk_after: RiskMetrics
    utility: UtilityMetrics
    config: AnonymityConfig
    seconds: float
    hierarchy_kinds: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": self.config.model_dump(mode="json"),
            "records": self.table.num_rows,
            "classes": self.classes,
            "suppressed": self.suppressed,
            "hierarchies": self.hierarchy_kinds,
            "risk_before": self.risk_before.to_dict(),
            "risk_after": self.risk_after.to_dict(),
            "utility": self.utility.to_dict(),
            "seconds": round(self.seconds, 3),
        }


@dataclass(slots=True)
class _Sensitive:
    codes: npt.NDArray[np.intp]
    l_min: int
    t: float | None
    global_p: npt.NDArray[np.float64]
    ordered: bool


def _hierarchy(name: str, column: pa.ChunkedArray, spec: object) -> Hierarchy:
    from senim.deid._hierarchy import DateHierarchy, NumericHierarchy, region_paths

    values = column.to_pylist()
    if spec is None:
        numeric = pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
        if pa.types.is_temporal(column.type):
            return DateHierarchy(values)
        return default_hierarchy(values, numeric)
    if spec == "numeric":
        return NumericHierarchy(values)
    if spec == "date":
        return DateHierarchy(values)
    if spec == "flat":
        return TreeHierarchy(values, {})
    if spec == "region":
        return TreeHierarchy(values, region_paths([str(v) for v in values if v]) or {})
    if isinstance(spec, Mapping):
        return TreeHierarchy(values, tree_from_config(spec))
    raise ConfigError("deid.kanon_bad_hierarchy", column=name)


def _sensitive(table: pa.Table, name: str, l_min: int, t: float | None) -> _Sensitive:
    column = table.column(name)
    values = ["" if v is None else v for v in column.to_pylist()]
    ordered = pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
    uniq, codes = np.unique(
        np.array(values, dtype=object if not ordered else float), return_inverse=True
    )
    counts = np.bincount(codes, minlength=len(uniq)).astype(float)
    return _Sensitive(codes.astype(np.intp), l_min, t, counts / counts.sum(), ordered)


def _emd(s: _Sensitive, rows: Rows) -> float:
    p = np.bincount(s.codes[rows], minlength=s.global_p.size) / rows.size
    diff = p - s.global_p
    if s.ordered and s.global_p.size > 1:
        return float(np.abs(np.cumsum(diff)[:-1]).sum() / (s.global_p.size - 1))
    return float(0.5 * np.abs(diff).sum())


def anonymise_table(table: pa.Table, config: AnonymityConfig) -> AnonymityResult:
    """Generalise the quasi-identifiers of ``table`` until it is k-anonymous (and l-diverse,
    t-close when asked), suppressing at most ``max_suppression`` of the records.

    Records keep their order; non-QI columns are untouched; QI columns become text.
    """
    started = time.perf_counter()
    n = table.num_rows
    missing = [
        c
        for c in [*config.quasi_identifiers, *config.l_diversity, *config.t_closeness]
        if c not in table.column_names
    ]
    if missing:
        raise UsageError(
            "deid.kanon_unknown_column",
            columns=", ".join(missing),
            available=", ".join(table.column_names),
        )
    if n < config.k:
        raise UsageError("deid.kanon_too_few", records=n, k=config.k)
    qis = config.quasi_identifiers
    hier = {q: _hierarchy(q, table.column(q), config.hierarchies.get(q)) for q in qis}
    sensitive = [
        _sensitive(table, name, config.l_diversity.get(name, 1), config.t_closeness.get(name))
        for name in sorted(set(config.l_diversity) | set(config.t_closeness))
    ]

    def valid(rows: Rows) -> bool:
        if rows.size < config.k:
            return False
        for s in sensitive:
            if s.l_min > 1 and np.unique(s.codes[rows]).size < s.l_min:
                return False
            if s.t is not None and _emd(s, rows) > s.t:
                return False
        return True

    everyone: Rows = np.arange(n, dtype=np.intp)
    if not valid(everyone):
        raise UsageError("deid.kanon_unreachable")
    budget = int(config.max_suppression * n)
    suppressed: list[Rows] = []
    finished: list[Rows] = []
    stack = [everyone]
    while stack:
        rows = stack.pop()
        split_done = False
        order = sorted(qis, key=lambda q: -hier[q].width(rows))
        for q in order:
            if hier[q].width(rows) == 0:
                break
            parts = hier[q].split(rows)
            if len(parts) < 2:
                continue
            good = [p for p in parts if valid(p)]
            small = [p for p in parts if not valid(p)]
            if not good:
                continue
            rest_size = sum(p.size for p in small)
            drop: list[Rows] = []
            if small and rest_size <= budget:
                drop = small
            elif small:
                rest = np.concatenate(small)
                if valid(rest):
                    good.append(rest)
                else:
                    smallest = min(range(len(good)), key=lambda i: good[i].size)
                    good[smallest] = np.concatenate([good[smallest], rest])
            if len(good) < 2 and not drop:
                continue
            budget -= rest_size if drop else 0
            suppressed.extend(drop)
            stack.extend(good)
            split_done = True
            break
        if not split_done:
            finished.append(rows)

    labels: dict[str, list[str]] = {q: [""] * n for q in qis}
    class_id = np.full(n, -1, dtype=np.intp)
    for cid, rows in enumerate(finished):
        class_id[rows] = cid
        for q in qis:
            label = hier[q].label(rows)
            col = labels[q]
            for r in rows.tolist():
                col[r] = label
    sup_rows = np.concatenate(suppressed) if suppressed else np.array([], dtype=np.intp)
    for q in qis:
        col = labels[q]
        for r in sup_rows.tolist():
            col[r] = ROOT
    out = table
    for q in qis:
        idx = out.column_names.index(q)
        out = out.set_column(idx, pa.field(q, pa.string()), pa.array(labels[q], pa.string()))
    before = risk_metrics(_raw_classes(table, qis))
    sizes = np.bincount(class_id[class_id >= 0])
    after = risk_metrics(sizes)
    utility = utility_metrics(
        sizes=sizes,
        n=n,
        suppressed=int(sup_rows.size),
        k=config.k,
        intensity=_intensity(hier, finished, n, int(sup_rows.size), qis),
    )
    return AnonymityResult(
        table=out,
        classes=len(finished),
        suppressed=int(sup_rows.size),
        risk_before=before,
        risk_after=after,
        utility=utility,
        config=config,
        seconds=time.perf_counter() - started,
        hierarchy_kinds={q: _kind(hier[q]) for q in qis},
    )


def _kind(h: Hierarchy) -> str:
    if isinstance(h, TreeHierarchy):
        depth = max((len(p) for p in h.leaf_paths), default=2)
        return "region" if depth > 2 else "categorical"
    return h.kind


def _intensity(
    hier: Mapping[str, Hierarchy],
    classes: Sequence[Rows],
    n: int,
    suppressed: int,
    qis: Sequence[str],
) -> float:
    """Mean over records and QIs of the relative width of the generalised value (0 = exact,
    1 = fully generalised or suppressed)."""
    total = float(suppressed * len(qis))
    for rows in classes:
        total += rows.size * sum(hier[q].width(rows) for q in qis)
    return total / (n * len(qis)) if n else 0.0


def _raw_classes(table: pa.Table, qis: Sequence[str]) -> npt.NDArray[np.intp]:
    """Equivalence class sizes of the raw quasi-identifiers."""
    import polars as pl

    frame = pl.from_arrow(table.select(list(qis)))
    assert isinstance(frame, pl.DataFrame)
    counts = frame.group_by(list(qis)).len()["len"].to_numpy()
    return counts.astype(np.intp)

"""Differential privacy for aggregate releases (counts, sums, means, histograms by group),
via OpenDP, with an epsilon budget a session cannot exceed.

Each release is an OpenDP measurement whose noise scale is calibrated (binary search) so that
its privacy loss is the epsilon asked for, for a privacy unit of ``max_contributions`` rows per
person (symmetric distance). Groups (``by``) must be *public* keys given by the caller: taking
them from the data would leak which groups exist. Groups are disjoint, so a query over all groups
costs its epsilon once (parallel composition). A mean is a noisy sum over a noisy count, each
with half the epsilon. Values are clamped to the declared bounds before summing.

The session charges every release to its budget *before* computing it; when a release would
exceed the budget it is refused and nothing is computed. With a store and a session name, the
budget and the ledger are persisted, so separate runs share one budget that cannot be raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import opendp.prelude as dp
import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, insert, select

from senim.deid._vault_schema import dp_ledger, dp_session
from senim.errors import UsageError
from senim.store import Store

__all__ = ["DPQuery", "DPRelease", "DPSession"]

dp.enable_features("contrib")

Kind = Literal["count", "sum", "mean", "histogram"]


class DPQuery(BaseModel):
    """One aggregate to release."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    column: str | None = None
    bounds: tuple[float, float] | None = None
    categories: list[str] | None = None
    by: str | None = None
    groups: list[str] | None = None
    epsilon: float = Field(gt=0.0, le=10.0)

    @model_validator(mode="after")
    def _complete(self) -> DPQuery:
        if self.kind in ("sum", "mean") and (self.column is None or self.bounds is None):
            raise ValueError(f"{self.kind} needs a column and bounds")
        if self.bounds is not None and self.bounds[0] >= self.bounds[1]:
            raise ValueError("bounds must be (low, high) with low < high")
        if self.kind == "histogram" and (self.column is None or not self.categories):
            raise ValueError("histogram needs a column and its public categories")
        if (self.by is None) != (self.groups is None):
            raise ValueError("'by' needs its public 'groups' (and the reverse)")
        return self

    def describe(self) -> str:
        parts: list[str] = [self.kind]
        if self.column:
            parts.append(self.column)
        if self.by:
            parts.append(f"by {self.by}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class DPRelease:
    query: DPQuery
    values: dict[str, Any]
    """``group -> value`` (``"*"`` without groups); histograms give ``{category: count}``."""
    epsilon: float
    remaining: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.model_dump(mode="json", exclude_none=True),
            "values": self.values,
            "epsilon": self.epsilon,
            "remaining_budget": round(self.remaining, 9),
        }


def _calibrate(make: Any, d_in: int, epsilon: float) -> Any:
    scale = dp.binary_search_param(make, d_in=d_in, d_out=epsilon)
    return make(scale)


@dataclass(slots=True)
class DPSession:
    """A privacy budget and the releases charged to it (see module doc)."""

    budget: float
    max_contributions: int = 1
    store: Store | None = None
    name: str | None = None
    spent: float = 0.0
    releases: list[DPRelease] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not 0 < self.budget <= 100:
            raise UsageError("deid.dp_bad_budget", budget=self.budget)
        if self.max_contributions < 1:
            raise UsageError("deid.dp_bad_contributions", value=self.max_contributions)
        if self.store is not None and self.name:
            with self.store.transaction() as conn:
                row = conn.execute(
                    select(dp_session.c.budget).where(dp_session.c.session == self.name)
                ).first()
                if row is None:
                    conn.execute(insert(dp_session).values(session=self.name, budget=self.budget))
                elif abs(row.budget - self.budget) > 1e-12:
                    raise UsageError("deid.dp_budget_fixed", session=self.name, budget=row.budget)
                used = conn.scalar(
                    select(func.coalesce(func.sum(dp_ledger.c.epsilon), 0.0)).where(
                        dp_ledger.c.session == self.name
                    )
                )
                self.spent = float(used or 0.0)

    @property
    def remaining(self) -> float:
        return max(self.budget - self.spent, 0.0)

    def _charge(self, query: DPQuery) -> None:
        if self.spent + query.epsilon > self.budget + 1e-12:
            raise UsageError(
                "deid.dp_budget_exceeded",
                query=query.describe(),
                epsilon=query.epsilon,
                remaining=round(self.remaining, 6),
                budget=self.budget,
            )
        if self.store is not None and self.name:
            with self.store.transaction() as conn:
                conn.execute(
                    insert(dp_ledger).values(
                        session=self.name, query=query.describe()[:500], epsilon=query.epsilon
                    )
                )
        self.spent += query.epsilon

    def release(self, frame: pl.DataFrame, query: DPQuery) -> DPRelease:
        """Charge ``query`` to the budget, then compute and return its noisy answer."""
        for name in (query.column, query.by):
            if name is not None and name not in frame.columns:
                raise UsageError(
                    "deid.kanon_unknown_column", columns=name, available=", ".join(frame.columns)
                )
        self._charge(query)
        values: dict[str, Any] = {}
        if query.by is None:
            values["*"] = self._one(frame, query)
        else:
            keys = frame.get_column(query.by).cast(pl.String)
            for group in query.groups or []:
                values[group] = self._one(frame.filter(keys == group), query)
        out = DPRelease(query=query, values=values, epsilon=query.epsilon, remaining=self.remaining)
        self.releases.append(out)
        return out

    def _one(self, frame: pl.DataFrame, q: DPQuery) -> Any:
        d_in = self.max_contributions
        met = dp.symmetric_distance()
        if q.kind == "count":
            dom = dp.vector_domain(dp.atom_domain(T=bool))
            m = _calibrate(
                lambda s: dp.t.make_count(dom, met) >> dp.m.then_laplace(s), d_in, q.epsilon
            )
            return int(m([True] * frame.height))
        if q.kind == "histogram":
            assert q.column is not None
            assert q.categories is not None
            dom_s = dp.vector_domain(dp.atom_domain(T=str))
            cats = list(q.categories)
            m = _calibrate(
                lambda s: (
                    dp.t.make_count_by_categories(dom_s, met, categories=cats)
                    >> dp.m.then_laplace(s)
                ),
                d_in,
                q.epsilon,
            )
            data = [str(v) for v in frame.get_column(q.column).cast(pl.String).fill_null("")]
            counts = m(data)
            return {**dict(zip(cats, counts, strict=False)), "(other)": counts[-1]}
        assert q.column is not None
        assert q.bounds is not None
        lo, hi = float(q.bounds[0]), float(q.bounds[1])
        data_f = [
            float(v)
            for v in frame.get_column(q.column).cast(pl.Float64, strict=False).drop_nulls()
            if v == v
        ]
        fdom = dp.vector_domain(dp.atom_domain(T=float, nan=False))

        def summer(s: float) -> Any:
            return (
                (fdom, met) >> dp.t.then_clamp((lo, hi)) >> dp.t.then_sum() >> dp.m.then_laplace(s)  # type: ignore[no-untyped-call]
            )

        if q.kind == "sum":
            return float(_calibrate(summer, d_in, q.epsilon)(data_f))
        half = q.epsilon / 2
        total = float(_calibrate(summer, d_in, half)(data_f))
        dom_b = dp.vector_domain(dp.atom_domain(T=bool))
        counter = _calibrate(
            lambda s: dp.t.make_count(dom_b, met) >> dp.m.then_laplace(s), d_in, half
        )
        count = max(int(counter([True] * len(data_f))), 1)
        return min(max(total / count, lo), hi)


def parse_query(
    text: str, *, epsilon: float, by: str | None, groups: Sequence[str] | None
) -> DPQuery:
    """``count``, ``sum:COL:LO:HI``, ``mean:COL:LO:HI``, ``histogram:COL:A|B|C``."""
    parts = text.split(":")
    try:
        if parts[0] == "count" and len(parts) == 1:
            data: dict[str, Any] = {"kind": "count"}
        elif parts[0] in ("sum", "mean") and len(parts) == 4:
            data = {
                "kind": parts[0],
                "column": parts[1],
                "bounds": (float(parts[2]), float(parts[3])),
            }
        elif parts[0] == "histogram" and len(parts) == 3:
            data = {"kind": "histogram", "column": parts[1], "categories": parts[2].split("|")}
        else:
            raise ValueError(text)
        return DPQuery(**data, epsilon=epsilon, by=by, groups=list(groups) if groups else None)
    except ValueError as exc:
        raise UsageError("deid.dp_bad_query", query=text) from exc

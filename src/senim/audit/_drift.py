"""Drift between two periods: population stability index (PSI) per feature and per group.

Numeric features are binned on the earlier period's quantiles (``policy.drift.bins``);
text/categorical features use their categories. The same is done inside each group of each
sensitive column, and for the groups' own shares (is a group disappearing from the data?).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from senim.audit._data import _require_columns, read_table
from senim.audit._policy import Policy, load_policy
from senim.audit._stats import psi
from senim.errors import UsageError

Level = Literal["stable", "moderate", "significant", "insufficient_data"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DriftItem:
    feature: str
    column: str | None  # sensitive column, None for the whole population
    group: str | None
    psi: float | None
    level: Level
    before: int
    after: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DriftReport:
    before: str | None
    after: str | None
    rows_before: int
    rows_after: int
    features: tuple[str, ...]
    sensitive: tuple[str, ...]
    policy: Policy
    items: tuple[DriftItem, ...]

    @property
    def worst(self) -> Level:
        levels = {item.level for item in self.items}
        for level in ("significant", "moderate", "stable"):
            if level in levels:
                return level
        return "insufficient_data"


def _level(value: float | None, policy: Policy) -> Level:
    if value is None:
        return "insufficient_data"
    if value >= policy.drift.significant:
        return "significant"
    if value >= policy.drift.moderate:
        return "moderate"
    return "stable"


def _bin_expr(column: str, before: pl.DataFrame, bins: int, numeric: bool) -> pl.Expr:
    if not numeric:
        return pl.col(column).cast(pl.String).fill_null("(missing)").alias("__bin")
    qs = before.select(
        [pl.col(column).quantile(k / bins, "linear").alias(str(k)) for k in range(1, bins)]
    ).row(0)
    edges = sorted({float(q) for q in qs if q is not None})
    expr = pl.col(column).cast(pl.Float64)
    if not edges:
        binned = pl.when(expr.is_null()).then(pl.lit("(missing)")).otherwise(pl.lit("all"))
    else:
        binned = (
            pl.when(expr.is_null() | expr.is_nan())
            .then(pl.lit("(missing)"))
            .otherwise(
                pl.sum_horizontal([(expr > edge).cast(pl.Int32) for edge in edges]).cast(pl.String)
            )
        )
    return binned.alias("__bin")


def _psi_table(
    before: pl.DataFrame, after: pl.DataFrame, bin_expr: pl.Expr, keys: Sequence[str]
) -> dict[tuple[object, ...], tuple[float | None, int, int]]:
    count = pl.len().alias("n")
    b = before.with_columns(bin_expr).group_by([*keys, "__bin"]).agg(count)
    a = after.with_columns(bin_expr).group_by([*keys, "__bin"]).agg(count)
    joined = b.join(a, on=[*keys, "__bin"], how="full", coalesce=True, suffix="_after").fill_null(0)
    out: dict[tuple[object, ...], tuple[float | None, int, int]] = {}
    groups = joined.partition_by(list(keys), as_dict=True) if keys else {(): joined}
    for key, part in groups.items():
        e = part.get_column("n").to_list()
        o = part.get_column("n_after").to_list()
        total_e, total_o = int(sum(e)), int(sum(o))
        value = psi(e, o) if total_e and total_o else None
        out[tuple(key)] = (value, total_e, total_o)
    return out


def drift_frames(
    before: pl.DataFrame,
    after: pl.DataFrame,
    *,
    features: Sequence[str],
    sensitive: Sequence[str] = (),
    policy: Policy | None = None,
) -> DriftReport:
    """PSI of each feature overall and within each group, plus drift of the group shares."""
    if not features:
        raise UsageError("audit.error.no_features")
    pol = policy or load_policy()
    for frame in (before, after):
        _require_columns(frame, [*features, *sensitive])
    items: list[DriftItem] = []
    for feature in features:
        numeric = before.schema[feature].is_numeric() and after.schema[feature].is_numeric()
        expr = _bin_expr(feature, before, pol.drift.bins, numeric)
        value, nb, na = _psi_table(before, after, expr, [])[()]
        items.append(
            DriftItem(
                feature=feature,
                column=None,
                group=None,
                psi=value,
                level=_level(value, pol),
                before=nb,
                after=na,
            )
        )
        for column in sensitive:
            keyed_b = before.with_columns(pl.col(column).cast(pl.String).fill_null("(missing)"))
            keyed_a = after.with_columns(pl.col(column).cast(pl.String).fill_null("(missing)"))
            table = _psi_table(keyed_b, keyed_a, expr, [column])
            for key, (value, nb, na) in sorted(table.items(), key=lambda kv: str(kv[0])):
                small = min(nb, na) < pol.min_group_size
                items.append(
                    DriftItem(
                        feature=feature,
                        column=column,
                        group=str(key[0]),
                        psi=None if small else value,
                        level="insufficient_data" if small else _level(value, pol),
                        before=nb,
                        after=na,
                    )
                )
    for column in sensitive:
        expr = pl.col(column).cast(pl.String).fill_null("(missing)").alias("__bin")
        value, nb, na = _psi_table(before, after, expr, [])[()]
        items.append(
            DriftItem(
                feature=f"share:{column}",
                column=column,
                group=None,
                psi=value,
                level=_level(value, pol),
                before=nb,
                after=na,
            )
        )
    return DriftReport(
        before=None,
        after=None,
        rows_before=before.height,
        rows_after=after.height,
        features=tuple(features),
        sensitive=tuple(sensitive),
        policy=pol,
        items=tuple(items),
    )


def drift(
    before: str,
    after: str,
    *,
    features: Sequence[str],
    sensitive: Sequence[str] = (),
    table: str | None = None,
    policy: Policy | None = None,
) -> DriftReport:
    """Read two periods (files or database tables) and compare them."""
    columns = [*features, *sensitive]
    b = read_table(before, columns=columns, table=table, string_columns=sensitive)
    a = read_table(after, columns=columns, table=table, string_columns=sensitive)
    report = drift_frames(b, a, features=features, sensitive=sensitive, policy=policy)
    from dataclasses import replace

    return replace(report, before=before, after=after)

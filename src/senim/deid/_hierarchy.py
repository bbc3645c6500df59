"""Generalisation hierarchies for quasi-identifiers: numbers, dates, regions, categories.

A hierarchy turns the values of one column into something the partitioner can split and a
label it can write for a group of values:

- :class:`NumericHierarchy`: numbers; a group is written as its interval ``30-39``;
- :class:`DateHierarchy`: dates; a group is written as the year, ``1987-1990`` or ``1987-05``;
- :class:`TreeHierarchy`: categories with a tree of ancestors, written as the lowest common
  ancestor: Kazakhstan's regions (city > oblast > country, from ``data/kz_regions.yaml``), a
  user tree from the policy, or the flat default (value > ``*``).

:func:`default_hierarchy` picks one for a column with no configuration: numbers, then dates,
then regions when most values name a place in Kazakhstan, else a flat category tree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt

from senim.deid._regions import regions, script_lang
from senim.deid.operators.generalise import parse_date

__all__ = ["DateHierarchy", "Hierarchy", "NumericHierarchy", "TreeHierarchy", "default_hierarchy"]

ROOT = "*"
PLACE_SHARE = 0.8
"""A text column is read as places when at least this share of its distinct values are."""


class NumericHierarchy:
    kind: Literal["numeric", "date", "tree"] = "numeric"

    def __init__(self, values: Sequence[object]) -> None:
        self.values = np.array([_num(v) for v in values], dtype=float)
        finite = self.values[~np.isnan(self.values)]
        self.span = float(finite.max() - finite.min()) if finite.size else 0.0

    def width(self, rows: npt.NDArray[np.intp]) -> float:
        v = self.values[rows]
        v = v[~np.isnan(v)]
        if not v.size or not self.span:
            return 0.0
        return float(v.max() - v.min()) / self.span

    def split(self, rows: npt.NDArray[np.intp]) -> list[npt.NDArray[np.intp]]:
        v = self.values[rows]
        order = np.argsort(v, kind="stable")
        sorted_v = v[order]
        median = sorted_v[len(sorted_v) // 2]
        left = rows[v < median]
        right = rows[v >= median]
        if not left.size:  # many ties at the median: split above it instead
            left, right = rows[v <= median], rows[v > median]
        return [left, right] if left.size and right.size else []

    def label(self, rows: npt.NDArray[np.intp]) -> str:
        v = self.values[rows]
        lo, hi = np.nanmin(v), np.nanmax(v)
        return _fmt(lo) if lo == hi else f"{_fmt(lo)}-{_fmt(hi)}"


class DateHierarchy(NumericHierarchy):
    kind: Literal["numeric", "date", "tree"] = "date"

    def __init__(self, values: Sequence[object]) -> None:
        days = []
        for v in values:
            d = v if isinstance(v, date) else parse_date(str(v)) if v is not None else None
            days.append(float(d.toordinal()) if d is not None else np.nan)
        super().__init__(days)

    def label(self, rows: npt.NDArray[np.intp]) -> str:
        v = self.values[rows]
        lo, hi = date.fromordinal(int(np.nanmin(v))), date.fromordinal(int(np.nanmax(v)))
        if lo == hi:
            return lo.isoformat()
        if (lo.year, lo.month) == (hi.year, hi.month):
            return f"{lo.year:04d}-{lo.month:02d}"
        return str(lo.year) if lo.year == hi.year else f"{lo.year}-{hi.year}"


class TreeHierarchy:
    """Categories with ancestors: ``paths[value] = (root, ..., value)``."""

    kind: Literal["numeric", "date", "tree"] = "tree"

    def __init__(self, values: Sequence[object], paths: Mapping[str, tuple[str, ...]]) -> None:
        texts = ["" if v is None else str(v) for v in values]
        self.paths = {t: paths.get(t, (ROOT, t)) for t in set(texts)}
        leaves = sorted(self.paths)
        self.leaf_code = {t: i for i, t in enumerate(leaves)}
        self.codes = np.array([self.leaf_code[t] for t in texts], dtype=np.intp)
        self.leaf_paths = [self.paths[t] for t in leaves]
        self.total = max(len(leaves), 1)

    def _lca_depth(self, codes: npt.NDArray[np.intp]) -> int:
        uniq = np.unique(codes)
        first = self.leaf_paths[uniq[0]]
        depth = len(first) - 1
        for c in uniq[1:]:
            path = self.leaf_paths[c]
            d = 0
            while d < min(depth, len(path) - 1) and path[d + 1] == first[d + 1]:
                d += 1
            depth = d
        return depth

    def width(self, rows: npt.NDArray[np.intp]) -> float:
        n = np.unique(self.codes[rows]).size
        return (n - 1) / (self.total - 1) if self.total > 1 else 0.0

    def split(self, rows: npt.NDArray[np.intp]) -> list[npt.NDArray[np.intp]]:
        codes = self.codes[rows]
        uniq = np.unique(codes)
        if uniq.size < 2:
            return []
        depth = self._lca_depth(codes)
        child = {
            int(c): self.leaf_paths[c][min(depth + 1, len(self.leaf_paths[c]) - 1)] for c in uniq
        }
        groups: dict[str, list[int]] = {}
        for c in uniq:
            groups.setdefault(child[int(c)], []).append(int(c))
        if len(groups) < 2:
            return []
        return [rows[np.isin(codes, members)] for members in groups.values()]

    def label(self, rows: npt.NDArray[np.intp]) -> str:
        codes = self.codes[rows]
        depth = self._lca_depth(codes)
        return self.leaf_paths[int(codes[0])][depth]


Hierarchy = NumericHierarchy | DateHierarchy | TreeHierarchy


def region_paths(values: Sequence[str]) -> dict[str, tuple[str, ...]] | None:
    """``value -> (*, country, region, city?, value)`` when most values name places."""
    index = regions()
    distinct = {v for v in values if v}
    if not distinct:
        return None
    paths: dict[str, tuple[str, ...]] = {}
    for value in distinct:
        place = index.find(value)
        if place is None:
            continue
        lang = script_lang(value)
        chain = [ROOT, place.country[lang], place.region[lang]]
        if place.city is not None and place.city[lang] != place.region[lang]:
            chain.append(place.city[lang])
        if chain[-1] != value:
            chain.append(value)
        paths[value] = tuple(chain)
    if len(paths) < PLACE_SHARE * len(distinct):
        return None
    return paths


def tree_from_config(tree: Mapping[str, object]) -> dict[str, tuple[str, ...]]:
    """A user tree ``{parent: [child, ...] or {child: ...}}`` as ``leaf -> path``."""
    paths: dict[str, tuple[str, ...]] = {}

    def walk(node: object, prefix: tuple[str, ...]) -> None:
        if isinstance(node, Mapping):
            for name, sub in node.items():
                walk(sub, (*prefix, str(name)))
        elif isinstance(node, list):
            for item in node:
                if isinstance(item, Mapping):
                    walk(item, prefix)
                else:
                    paths[str(item)] = (*prefix, str(item))
        elif node is not None:
            paths[str(node)] = (*prefix, str(node))

    walk(tree, (ROOT,))
    return paths


def default_hierarchy(values: Sequence[object], numeric: bool) -> Hierarchy:
    """The hierarchy for a column without configuration (see module doc)."""
    if numeric:
        return NumericHierarchy(values)
    texts = [None if v is None else str(v) for v in values]
    present = [t for t in texts if t]
    if present and all(not np.isnan(_num(t)) for t in present[:1000]):
        return NumericHierarchy(texts)
    if present and all(parse_date(t) is not None for t in present[:1000]):
        return DateHierarchy(texts)
    paths = region_paths([t for t in texts if t])
    return TreeHierarchy(texts, paths or {})


def _num(value: object) -> float:
    if value is None:
        return np.nan
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return np.nan


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"

"""Classify a system card against rule packs.

Evaluation runs in two phases per pack. First the rules that decide the classification
(``prohibited``, ``risk_level``, ``autonomy``) are evaluated over the card; then the remaining
rules, which may also read ``result.risk_level``, ``result.autonomy_level`` and
``result.prohibited``. Every rule ends as *applies*, *does not apply* or *undetermined* (the card
leaves out a field that decides it); undetermined rules list the fields that would settle them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from senim.risk._card import SystemCard
from senim.risk._conditions import UNKNOWN, Outcome, evaluate
from senim.risk._pack import APPLIES_PREFIX, DERIVED_PREFIXES, Fine, Pack, Rule

__all__ = ["CardResult", "FineExposure", "PackResult", "RuleResult", "classify", "fingerprint"]

Status = Literal["applies", "undetermined", "does_not_apply"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleResult:
    """How one rule came out for one card."""

    rule: Rule
    status: Status
    unknown: tuple[str, ...] = ()
    in_force: bool = True

    @property
    def id(self) -> str:
        return self.rule.id


@dataclass(frozen=True, slots=True, kw_only=True)
class FineExposure:
    """A fine a rule exposes the owner to, in the owner's size band when the card gives one."""

    rule: RuleResult
    fine_id: str
    fine: Fine
    size: str | None
    first: dict[str, int] = field(default_factory=dict)
    repeat: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class PackResult:
    """Everything one pack says about one card."""

    pack: Pack
    rules: tuple[RuleResult, ...]
    risk_level: str | None
    risk_level_possible: tuple[str, ...]
    autonomy_level: str | None
    autonomy_possible: tuple[str, ...]
    as_of: dt.date
    owner_size: str | None = None

    def by_status(self, status: Status, *kinds: str) -> list[RuleResult]:
        return [
            r
            for r in self.rules
            if r.status == status and (not kinds or r.rule.outcome.kind in kinds)
        ]

    @property
    def prohibited(self) -> list[RuleResult]:
        return self.by_status("applies", "prohibited")

    @property
    def possibly_prohibited(self) -> list[RuleResult]:
        return self.by_status("undetermined", "prohibited")

    @property
    def obligations(self) -> list[RuleResult]:
        return self.by_status("applies", "obligation")

    @property
    def breaches(self) -> list[RuleResult]:
        return self.by_status("applies", "breach")

    @property
    def fines(self) -> list[FineExposure]:
        return [self._exposure(r) for r in self.by_status("applies", "fine")]

    @property
    def possible_fines(self) -> list[FineExposure]:
        return [self._exposure(r) for r in self.by_status("undetermined", "fine")]

    def _exposure(self, result: RuleResult) -> FineExposure:
        fine_id = result.rule.outcome.fine or ""
        fine = self.pack.model.fines[fine_id]
        size = self.owner_size
        first: dict[str, int] = {str(k): v for k, v in (fine.first or {}).items()}
        repeat: dict[str, int] = {str(k): v for k, v in (fine.repeat or {}).items()}
        if size is not None:
            first = {size: first[size]} if size in first else first
            repeat = {size: repeat[size]} if size in repeat else repeat
        return FineExposure(
            rule=result, fine_id=fine_id, fine=fine, size=size, first=first, repeat=repeat
        )

    @property
    def unknown_fields(self) -> dict[str, list[str]]:
        """Fields the card does not state that would change an answer: ``{field: [rule ids]}``."""
        found: dict[str, list[str]] = {}
        for result in self.rules:
            if result.status != "undetermined":
                continue
            for name in result.unknown:
                found.setdefault(name, []).append(result.id)
        return dict(sorted(found.items()))


@dataclass(frozen=True, slots=True, kw_only=True)
class CardResult:
    """A card's classification under every selected pack."""

    card: SystemCard
    source: str
    fingerprint: str
    packs: tuple[PackResult, ...]


def fingerprint(card: SystemCard) -> str:
    """Stable SHA-256 of the card's content (what the classification was computed from)."""
    canonical = json.dumps(card.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _card_lookup(card: SystemCard, derived: dict[str, object]) -> Callable[[str], Any]:
    cache: dict[str, object] = {}

    def lookup(path: str) -> object:
        if path.startswith(DERIVED_PREFIXES):
            return derived.get(path, UNKNOWN)
        if path not in cache:
            value = card.value(path)
            if value is None:
                cache[path] = UNKNOWN
            elif isinstance(value, list):
                cache[path] = tuple(value)
            else:
                cache[path] = value
        return cache[path]

    return lookup


def _status(outcome: Outcome) -> Status:
    if outcome.value is None:
        return "undetermined"
    return "applies" if outcome.value else "does_not_apply"


def _in_force(pack: Pack, rule: Rule, as_of: dt.date) -> bool:
    dates = [pack.effective(c) for c in rule.citations]
    known = [d for d in dates if d is not None]
    return not known or max(known) <= as_of


def _level(
    results: Sequence[RuleResult], order: list[str], default: str | None
) -> tuple[str | None, tuple[str, ...]]:
    """(highest level that applies, or the default; higher levels the card leaves open)."""
    rank = {level: i for i, level in enumerate(order)}
    applied = [r.rule.outcome.level for r in results if r.status == "applies"]
    best = max(applied, key=lambda lv: rank[lv or ""], default=None) if applied else None
    best_rank = rank[best] if best else -1
    open_rules = [
        r
        for r in results
        if r.status == "undetermined" and rank[r.rule.outcome.level or ""] > best_rank
    ]
    possible = tuple(
        sorted({r.rule.outcome.level or "" for r in open_rules}, key=lambda lv: rank[lv])
    )
    if best is None and not open_rules:
        best = default
    return best, possible


def _classify_pack(card: SystemCard, pack: Pack, as_of: dt.date) -> PackResult:
    derived: dict[str, object] = {}
    # the card fields behind each derived value that is still unknown
    derived_unknown: dict[str, set[str]] = {}
    lookup = _card_lookup(card, derived)
    results: dict[str, RuleResult] = {}

    def run(rule: Rule) -> RuleResult:
        outcome = evaluate(pack.conditions[rule.id], lookup, today=as_of)
        unknown: set[str] = set()
        for name in outcome.unknown:
            unknown |= (
                derived_unknown.get(name, set()) if name.startswith(DERIVED_PREFIXES) else {name}
            )
        result = RuleResult(
            rule=rule,
            status=_status(outcome),
            unknown=tuple(sorted(unknown)),
            in_force=_in_force(pack, rule, as_of),
        )
        key = APPLIES_PREFIX + rule.id
        if result.status == "undetermined":
            derived_unknown[key] = set(result.unknown)
        else:
            derived[key] = result.status == "applies"
        return result

    later = []
    for rule in pack.model.rules:
        if rule.outcome.kind in ("prohibited", "risk_level", "autonomy"):
            results[rule.id] = run(rule)
        else:
            later.append(rule)

    model = pack.model
    risk_results = [r for r in results.values() if r.rule.outcome.kind == "risk_level"]
    auto_results = [r for r in results.values() if r.rule.outcome.kind == "autonomy"]
    prohibited = [r for r in results.values() if r.rule.outcome.kind == "prohibited"]
    risk, risk_possible = _level(risk_results, model.risk_levels, model.default_risk_level)
    autonomy, autonomy_possible = _level(auto_results, model.autonomy_levels, None)
    any_prohibited = any(r.status == "applies" for r in prohibited)
    if any_prohibited and model.prohibited_level:
        risk, risk_possible = model.prohibited_level, ()
    elif model.prohibited_level and any(r.status == "undetermined" for r in prohibited):
        risk_possible = (*risk_possible, model.prohibited_level)

    def open_fields(rules: Sequence[RuleResult]) -> set[str]:
        return {name for r in rules if r.status == "undetermined" for name in r.unknown}

    if risk is not None and not risk_possible:
        derived["result.risk_level"] = risk
    else:
        derived_unknown["result.risk_level"] = open_fields(risk_results) | (
            open_fields(prohibited) if model.prohibited_level else set()
        )
    if autonomy is not None and not autonomy_possible:
        derived["result.autonomy_level"] = autonomy
    else:
        derived_unknown["result.autonomy_level"] = open_fields(auto_results)
    if any_prohibited:
        derived["result.prohibited"] = True
    elif not any(r.status == "undetermined" for r in prohibited):
        derived["result.prohibited"] = False
    else:
        derived_unknown["result.prohibited"] = open_fields(prohibited)

    for rule in later:
        results[rule.id] = run(rule)

    ordered = tuple(results[rule.id] for rule in model.rules)
    result = PackResult(
        pack=pack,
        rules=ordered,
        risk_level=risk,
        risk_level_possible=risk_possible,
        autonomy_level=autonomy,
        autonomy_possible=autonomy_possible,
        as_of=as_of,
        owner_size=card.owner.size,
    )
    return result


def classify(
    card: SystemCard,
    packs: Sequence[Pack],
    *,
    source: str = "",
    as_of: dt.date | None = None,
) -> CardResult:
    """Classify ``card`` under each pack (``as_of`` decides which rules are in force)."""
    day = as_of or dt.date.today()
    return CardResult(
        card=card,
        source=source,
        fingerprint=fingerprint(card),
        packs=tuple(_classify_pack(card, pack, day) for pack in packs),
    )

"""Golden cards: a pack's own regression tests (``senim rules test``).

A golden file holds one card and, per pack, what the pack must conclude about it::

    name: City-wide face recognition by the police
    as_of: 2026-11-22
    card: {...}                       # a system card
    expect:
      kz:
        risk_level: high              # null: the level must be undetermined
        autonomy_level: low
        prohibited: []                # exactly these prohibited rules apply
        applies: [kz.obligation.public_biometrics_purpose]
        does_not_apply: [kz.prohibited.public_biometrics]
        undetermined: []

Coverage: a pack passes only if every rule applies in at least one golden card (positive) and is
shown not to apply in at least one other (negative).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from senim._i18n import shown
from senim.risk._classify import PackResult, classify
from senim.risk._io import CardInvalid, parse_card, problems_from, read_document
from senim.risk._pack import Pack

__all__ = ["GoldenCase", "GoldenReport", "builtin_golden_dir", "run_golden"]

DEFAULT_AS_OF = dt.date(2026, 11, 22)


class _Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    risk_level: str | None = Field(default="-")  # "-" = not checked
    autonomy_level: str | None = Field(default="-")
    prohibited: list[str] | None = None
    applies: list[str] = Field(default_factory=list)
    does_not_apply: list[str] = Field(default_factory=list)
    undetermined: list[str] = Field(default_factory=list)


class _GoldenFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str | None = None
    as_of: dt.date = DEFAULT_AS_OF
    card: dict[str, Any]
    expect: dict[str, _Expectation]


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """One unmet expectation (a message key and its parameters)."""

    key: str
    params: Mapping[str, object]


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldenCase:
    """One golden card's outcome for one pack."""

    name: str
    source: str
    failures: tuple[Failure, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldenReport:
    """Every golden card of a pack, and which rules they cover."""

    pack: Pack
    cases: tuple[GoldenCase, ...]
    positive: Mapping[str, int] = field(default_factory=dict)
    negative: Mapping[str, int] = field(default_factory=dict)

    @property
    def uncovered(self) -> list[tuple[str, str]]:
        """``(rule id, "positive" | "negative")`` for every missing kind of coverage."""
        missing: list[tuple[str, str]] = []
        for rule_id in self.pack.rules:
            if not self.positive.get(rule_id):
                missing.append((rule_id, "positive"))
            if not self.negative.get(rule_id):
                missing.append((rule_id, "negative"))
        return missing

    @property
    def ok(self) -> bool:
        return bool(self.cases) and all(c.ok for c in self.cases) and not self.uncovered


def builtin_golden_dir() -> Path:
    return Path(str(resources.files("senim.risk").joinpath("rules", "golden")))


def _check(result: PackResult, expect: _Expectation) -> list[Failure]:
    failures: list[Failure] = []
    status = {r.id: r.status for r in result.rules}
    mentioned = [*expect.applies, *expect.does_not_apply, *expect.undetermined]
    mentioned += expect.prohibited or []
    for rule_id in mentioned:
        if rule_id not in status:
            failures.append(Failure(key="risk.golden.unknown_rule", params={"rule": rule_id}))
    for name, got, want in (
        (
            "risk_level",
            result.risk_level if not result.risk_level_possible else None,
            expect.risk_level,
        ),
        (
            "autonomy_level",
            result.autonomy_level if not result.autonomy_possible else None,
            expect.autonomy_level,
        ),
    ):
        if want != "-" and got != want:
            failures.append(
                Failure(
                    key="risk.golden.level",
                    params={
                        "what": name,
                        "expected": want or "undetermined",
                        "got": got or "undetermined",
                    },
                )
            )
    if expect.prohibited is not None:
        got_ids = sorted(r.id for r in result.prohibited)
        if got_ids != sorted(expect.prohibited):
            failures.append(
                Failure(
                    key="risk.golden.prohibited",
                    params={
                        "expected": ", ".join(sorted(expect.prohibited)) or "-",
                        "got": ", ".join(got_ids) or "-",
                    },
                )
            )
    for wanted, ids in (
        ("applies", expect.applies),
        ("does_not_apply", expect.does_not_apply),
        ("undetermined", expect.undetermined),
    ):
        for rule_id in ids:
            if rule_id in status and status[rule_id] != wanted:
                failures.append(
                    Failure(
                        key="risk.golden.status",
                        params={"rule": rule_id, "expected": wanted, "got": status[rule_id]},
                    )
                )
    return failures


def load_golden_files(directory: Path) -> list[tuple[Path, _GoldenFile]]:
    """Every ``*.yaml`` golden file in ``directory`` (validated)."""
    if not directory.is_dir():
        from senim.errors import InputError

        raise InputError("error.path_not_found", path=str(directory))
    files: list[tuple[Path, _GoldenFile]] = []
    for path in sorted(directory.glob("*.yaml")):
        data, node = read_document(path)
        try:
            files.append((path, _GoldenFile.model_validate(data)))
        except ValidationError as exc:
            raise CardInvalid(
                source=shown(path), problems=problems_from(exc, node, _GoldenFile)
            ) from None
    return files


def run_golden(pack: Pack, directory: str | Path | None = None) -> GoldenReport:
    """Run every golden card in ``directory`` (default: the built-in set) that expects ``pack``."""
    folder = Path(directory) if directory is not None else builtin_golden_dir()
    cases: list[GoldenCase] = []
    positive: dict[str, int] = {}
    negative: dict[str, int] = {}
    for path, golden in load_golden_files(folder):
        expect = golden.expect.get(pack.id)
        if expect is None:
            continue
        try:
            card = parse_card(golden.card, source=f"{path.name}: card")
        except CardInvalid as exc:
            failures = tuple(
                Failure(key="risk.golden.card_invalid", params={"problem": p.render("en")})
                for p in exc.problems
            )
            cases.append(GoldenCase(name=golden.name, source=path.name, failures=failures))
            continue
        result = classify(card, [pack], source=shown(path), as_of=golden.as_of).packs[0]
        failures = tuple(_check(result, expect))
        cases.append(GoldenCase(name=golden.name, source=path.name, failures=failures))
        if not failures:
            for r in result.rules:
                if r.status == "applies" and (
                    r.id in expect.applies or r.id in (expect.prohibited or [])
                ):
                    positive[r.id] = positive.get(r.id, 0) + 1
                if r.status == "does_not_apply" and r.id in expect.does_not_apply:
                    negative[r.id] = negative.get(r.id, 0) + 1
    return GoldenReport(pack=pack, cases=tuple(cases), positive=positive, negative=negative)

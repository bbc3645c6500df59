"""Rule packs: versioned YAML rulebooks whose every rule cites the law.

A pack names the laws it draws on, its ordered risk levels, a fine schedule, and rules. Each rule
has an id, a condition (``when``, in the language of :mod:`senim.risk._conditions`), an outcome,
one or more citations and a rationale in kk/ru/en. Packs are validated when loaded: the YAML
shape (pydantic), every condition (syntax, fields, types, enum values), references between rules,
laws and fines, and unique ids.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from senim._i18n import Lang, message
from senim.errors import ConfigError
from senim.risk._card import card_field_types
from senim.risk._conditions import ConditionError, FieldType, Node, check, parse, paths
from senim.risk._io import Problem, locate, problems_from, read_document

__all__ = [
    "BUILTIN_PACKS",
    "Citation",
    "Fine",
    "Law",
    "Pack",
    "PackInvalid",
    "Rule",
    "Text",
    "builtin_pack_names",
    "load_pack",
    "load_packs",
]

BUILTIN_PACKS = ("kz", "eu")
RESULT_PREFIX = "result."
APPLIES_PREFIX = "applies."
DERIVED_PREFIXES = (RESULT_PREFIX, APPLIES_PREFIX)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Text(_Model):
    """A sentence in Kazakh, Russian and English."""

    en: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    kk: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        return str(getattr(self, lang))


class Law(_Model):
    """A law a pack cites."""

    title: Text
    short: Text
    number: str | None = None
    adopted: dt.date | None = None
    effective: dt.date | None = None
    effective_note: Text | None = None
    url: str | None = None


class Citation(_Model):
    """Law, article, paragraph and sub-paragraph; the effective date defaults to the law's."""

    law: str
    article: str = Field(pattern=r"^[0-9]+(-[0-9]+)?$|^Annex [IVX]+$")
    paragraph: str | None = Field(None, pattern=r"^[0-9]+(-[0-9]+)?$")
    subparagraph: str | None = Field(None, pattern=r"^[0-9a-z]+$")
    effective: dt.date | None = None
    effective_note: Text | None = None


Size = Literal["individual", "small", "medium", "large"]


class Fine(_Model):
    """A fine in a pack's schedule: MCI bands by offender size, or an EUR cap."""

    citation: Citation
    offence: Text
    unit: Literal["MCI", "EUR"]
    first: dict[Size, int] | None = None
    repeat: dict[Size, int] | None = None
    repeat_note: Text | None = None
    max_eur: int | None = None
    max_turnover_percent: float | None = None
    note: Text | None = None

    @field_validator("first", "repeat")
    @classmethod
    def _all_sizes(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value is not None and set(value) != {"individual", "small", "medium", "large"}:
            raise ValueError("needs amounts for individual, small, medium and large")
        return value


OutcomeKind = Literal["prohibited", "risk_level", "autonomy", "obligation", "breach", "fine"]


class Outcome(_Model):
    """What follows when a rule applies."""

    kind: OutcomeKind
    level: str | None = None
    fine: str | None = None
    topic: str | None = Field(None, pattern=r"^[a-z_]+$")


class Rule(_Model):
    """One rule of a pack."""

    id: str = Field(pattern=r"^[a-z]{2,8}\.[a-z_]+\.[a-z_][a-z0-9_]*$")
    title: Text
    when: str
    outcome: Outcome
    citations: list[Citation] = Field(min_length=1)
    rationale: Text
    interpretation: bool = False


class Units(_Model):
    mci_kzt: int
    year: int
    source: str


class _PackModel(_Model):
    pack: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,15}$")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    schema_version: Literal["1"] = "1"
    title: Text
    jurisdiction: str
    updated: dt.date
    card_schema: Literal["1"] = "1"
    laws: dict[str, Law]
    risk_levels: list[str] = Field(min_length=1)
    autonomy_levels: list[str] = Field(default_factory=list)
    default_risk_level: str | None = None
    prohibited_level: str | None = None
    units: Units | None = None
    fines: dict[str, Fine] = Field(default_factory=dict)
    rules: list[Rule] = Field(min_length=1)


class Pack:
    """A validated rule pack with parsed conditions."""

    def __init__(self, *, model: _PackModel, conditions: Mapping[str, Node], source: str) -> None:
        self.model = model
        self.conditions = dict(conditions)
        self.source = source
        self.rules = {rule.id: rule for rule in model.rules}

    @property
    def id(self) -> str:
        return self.model.pack

    @property
    def version(self) -> str:
        return self.model.version

    def fields(self, rule: Rule) -> list[str]:
        """Card fields the rule's condition reads directly."""
        return sorted(
            p for p in paths(self.conditions[rule.id]) if not p.startswith(DERIVED_PREFIXES)
        )

    def cite(self, citation: Citation, lang: Lang) -> str:
        """``AI Law 230-VIII, Art. 17(3)(1)`` in ``lang``."""
        law = self.model.laws[citation.law]
        if citation.article.startswith("Annex "):
            annex = citation.article.split(" ", 1)[1]
            if citation.paragraph:
                ref = message("risk.cite.annex_point", lang, annex=annex, point=citation.paragraph)
            else:
                ref = message("risk.cite.annex", lang, annex=annex)
            return f"{law.short.get(lang)}, {ref}"
        number = citation.article
        if citation.paragraph:
            number += f"({citation.paragraph})"
        if citation.subparagraph:
            number += f"({citation.subparagraph})"
        return f"{law.short.get(lang)}, {message('risk.cite.article', lang, article=number)}"

    def effective(self, citation: Citation) -> dt.date | None:
        return citation.effective or self.model.laws[citation.law].effective

    def effective_note(self, citation: Citation) -> Text | None:
        return citation.effective_note or self.model.laws[citation.law].effective_note


class PackInvalid(ConfigError):
    """A rule pack failed validation; ``problems`` lists every problem."""

    def __init__(self, *, source: str, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("risk.pack.invalid", source=source, count=len(problems))

    def message(self, lang: str | None = None) -> str:
        head = super().message(lang)
        return "\n".join([head, *(f"  - {p.render(lang)}" for p in self.problems)])


def _result_types(model: _PackModel) -> dict[str, FieldType]:
    return {
        "result.risk_level": FieldType(kind="str", values=frozenset(model.risk_levels)),
        "result.autonomy_level": FieldType(
            kind="str", values=frozenset(model.autonomy_levels or ["-"])
        ),
        "result.prohibited": FieldType(kind="bool"),
    }


def _validate(model: _PackModel, node: object, source: str) -> dict[str, Node]:
    import yaml

    tree = node if isinstance(node, yaml.Node) else None
    problems: list[Problem] = []
    schema = {**card_field_types(), **_result_types(model)}
    conditions: dict[str, Node] = {}
    seen: set[str] = set()

    def add(index: int, where: list[str | int], key: str, **params: object) -> None:
        loc: list[str | int] = ["rules", index, *where]
        field = f"rules[{index}]" + "".join(f".{w}" for w in where)
        problems.append(Problem(field=field, line=locate(tree, loc), key=key, params=params))

    levels = set(model.risk_levels)
    for name in ("default_risk_level", "prohibited_level"):
        value = getattr(model, name)
        if value is not None and value not in levels:
            problems.append(
                Problem(
                    field=name,
                    line=locate(tree, [name]),
                    key="risk.pack.unknown_level",
                    params={"value": value, "choices": ", ".join(model.risk_levels)},
                )
            )
    for fine_id, fine in model.fines.items():
        if fine.citation.law not in model.laws:
            problems.append(
                Problem(
                    field=f"fines.{fine_id}.citation.law",
                    line=locate(tree, ["fines", fine_id, "citation", "law"]),
                    key="risk.pack.unknown_law",
                    params={"value": fine.citation.law, "choices": ", ".join(model.laws)},
                )
            )
        if fine.unit == "MCI" and fine.first is None:
            problems.append(
                Problem(
                    field=f"fines.{fine_id}",
                    line=locate(tree, ["fines", fine_id]),
                    key="risk.pack.fine_amounts",
                    params={},
                )
            )
    if any(f.unit == "MCI" for f in model.fines.values()) and model.units is None:
        problems.append(Problem(field="units", line=None, key="risk.pack.units_missing", params={}))

    for index, rule in enumerate(model.rules):
        if index:
            previous = model.rules[index - 1].id
            schema[APPLIES_PREFIX + previous] = FieldType(kind="bool")
        if rule.id in seen:
            add(index, ["id"], "risk.pack.duplicate_id", id=rule.id)
        seen.add(rule.id)
        if not rule.id.startswith(model.pack + "."):
            add(index, ["id"], "risk.pack.id_prefix", id=rule.id, pack=model.pack)
        try:
            tree_node = parse(rule.when)
        except ConditionError as exc:
            add(index, ["when"], exc.key, **exc.params)
            continue
        for error in check(tree_node, schema):
            add(index, ["when"], error.key, **error.params)
        conditions[rule.id] = tree_node
        outcome = rule.outcome
        if outcome.kind == "risk_level" and outcome.level not in levels:
            add(
                index,
                ["outcome", "level"],
                "risk.pack.unknown_level",
                value=outcome.level,
                choices=", ".join(model.risk_levels),
            )
        if outcome.kind == "autonomy" and outcome.level not in set(model.autonomy_levels):
            add(
                index,
                ["outcome", "level"],
                "risk.pack.unknown_level",
                value=outcome.level,
                choices=", ".join(model.autonomy_levels),
            )
        if outcome.kind == "fine" and outcome.fine not in model.fines:
            add(
                index,
                ["outcome", "fine"],
                "risk.pack.unknown_fine",
                value=outcome.fine,
                choices=", ".join(model.fines),
            )
        if outcome.kind in ("obligation", "breach") and outcome.topic is None:
            add(index, ["outcome", "topic"], "risk.pack.topic_missing")
        first_phase = outcome.kind in ("prohibited", "risk_level", "autonomy")
        if first_phase and any(p.startswith(DERIVED_PREFIXES) for p in paths(tree_node)):
            add(index, ["when"], "risk.pack.result_in_first_phase", kind=outcome.kind)
        for c_index, citation in enumerate(rule.citations):
            if citation.law not in model.laws:
                add(
                    index,
                    ["citations", c_index, "law"],
                    "risk.pack.unknown_law",
                    value=citation.law,
                    choices=", ".join(model.laws),
                )
    if problems:
        raise PackInvalid(source=source, problems=problems)
    return conditions


def parse_pack(data: object, *, source: str, node: object = None) -> Pack:
    """Validate parsed pack data."""
    import yaml

    tree = node if isinstance(node, yaml.Node) else None
    try:
        model = _PackModel.model_validate(data)
    except ValidationError as exc:
        raise PackInvalid(source=source, problems=problems_from(exc, tree, _PackModel)) from None
    conditions = _validate(model, node, source)
    return Pack(model=model, conditions=conditions, source=source)


def builtin_pack_names() -> tuple[str, ...]:
    return BUILTIN_PACKS


def _builtin_path(name: str) -> Path:
    return Path(str(resources.files("senim.risk").joinpath("rules", f"{name}.yaml")))


@cache
def _load_builtin(name: str) -> Pack:
    path = _builtin_path(name)
    data, node = read_document(path)
    return parse_pack(data, source=f"{name} ({path.name})", node=node)


_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,15}$")


def load_pack(name_or_path: str | Path) -> Pack:
    """A built-in pack by name (``kz``, ``eu``) or a pack file by path."""
    text = str(name_or_path)
    if text in BUILTIN_PACKS:
        return _load_builtin(text)
    path = Path(text)
    if _NAME.match(text) and not path.exists():
        from senim.errors import UsageError

        raise UsageError("risk.pack.unknown", name=text, choices=", ".join(BUILTIN_PACKS))
    data, node = read_document(path)
    return parse_pack(data, source=text, node=node)


def load_packs(spec: str | list[str] | None) -> list[Pack]:
    """Packs from a comma-separated spec (``"kz,eu"``) or a list; default: all built-ins."""
    if spec is None:
        names: list[str] = list(BUILTIN_PACKS)
    elif isinstance(spec, str):
        names = [part.strip() for part in spec.split(",") if part.strip()]
    else:
        names = list(spec)
    if not names:
        from senim.errors import UsageError

        raise UsageError("risk.pack.none_selected")
    packs = [load_pack(name) for name in names]
    ids = [pack.id for pack in packs]
    if len(set(ids)) != len(ids):
        from senim.errors import UsageError

        raise UsageError("risk.pack.duplicate", ids=", ".join(ids))
    return packs

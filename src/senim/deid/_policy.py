"""The de-identification policy: which operator applies to which entity and column.

A policy is YAML, validated with pydantic (unknown keys and bad parameters are errors)::

    version: 1
    min_score: 0.4                 # findings below this score are left alone
    default: {operator: tag}       # for entities without their own rule
    entities:
      KZ_IIN: {operator: pseudonym, length: 16, vault: true}
      PERSON: {operator: surrogate}
      DATE_OF_BIRTH: {operator: generalise, to: year}
    columns:                       # tables only; by column name (dotted for nested JSON)
      iin: {operator: pseudonym, entity: KZ_IIN}   # the whole cell
      comment: scan                # find personal data inside the text (the default)
      branch: keep                 # leave the column as it is
    anonymity:                     # tables: k-anonymise these columns (optional)
      quasi_identifiers: [age, city, sex]
      k: 10
      l_diversity: {diagnosis: 2}
      hierarchies: {city: region, sex: flat}

Keys are never part of a policy: they come from a key file or the environment.
``senim deid --plan-only`` writes the policy it would apply, plus a ``discovered`` section
(counts of what the scan found per column; never values) for review.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from senim.deid._kanon import AnonymityConfig
from senim.deid.operators import BaseOperator, Keep, OperatorRule, Tag
from senim.errors import ConfigError, InputError

__all__ = ["ColumnRule", "Policy", "dump_policy", "load_policy"]

ColumnRule = Annotated[Literal["scan"] | OperatorRule, Field(union_mode="left_to_right")]
EXTRA_ENTITIES = frozenset({"NUMBER", "DATE"})
"""Entities a column rule may name besides the detectors' (for generalisation of columns)."""


class Policy(BaseModel):
    """A reviewable de-identification plan (see module doc)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    min_score: float = Field(default=0.4, ge=0.0, le=1.0)
    default: OperatorRule = Field(default_factory=Tag)
    entities: dict[str, OperatorRule] = Field(default_factory=dict)
    columns: dict[str, ColumnRule] = Field(default_factory=dict)
    discovered: dict[str, dict[str, int]] = Field(default_factory=dict)
    anonymity: AnonymityConfig | None = None
    """k-anonymity of a table's quasi-identifiers (CLI options override it)."""

    @field_validator("columns", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ({"operator": "keep"} if v == "keep" else v) for k, v in value.items()}
        return value

    def rule_for(self, entity: str) -> BaseOperator:
        rule: BaseOperator = self.entities.get(entity, self.default)
        return rule

    def operators(self) -> list[BaseOperator]:
        rules: list[BaseOperator] = [self.default, *self.entities.values()]
        rules += [r for r in self.columns.values() if isinstance(r, BaseOperator)]
        return rules

    @property
    def needs_key(self) -> bool:
        return any(r.needs_key for r in self.operators())

    @property
    def uses_vault(self) -> bool:
        return any(getattr(r, "vault", False) for r in self.operators())

    def check(self, known_entities: set[str]) -> None:
        """Cross-field checks the schema cannot express: known entities, supported operators."""
        known = known_entities | EXTRA_ENTITIES
        for entity, rule in self.entities.items():
            if entity not in known:
                raise ConfigError(
                    "deid.policy_unknown_entity", entity=entity, known=", ".join(sorted(known))
                )
            if not rule.supports(entity):
                raise ConfigError("deid.policy_unsupported", operator=rule.name, entity=entity)
        for entity in sorted(known_entities):
            fallback = self.rule_for(entity)
            if entity not in self.entities and not fallback.supports(entity):
                raise ConfigError("deid.policy_unsupported", operator=fallback.name, entity=entity)
        for column, col_rule in self.columns.items():
            if not isinstance(col_rule, BaseOperator) or isinstance(col_rule, Keep):
                continue
            if col_rule.entity is None:
                raise ConfigError("deid.policy_column_entity", column=column)
            if col_rule.entity not in known:
                raise ConfigError(
                    "deid.policy_unknown_entity",
                    entity=col_rule.entity,
                    known=", ".join(sorted(known)),
                )
            if not col_rule.supports(col_rule.entity):
                raise ConfigError(
                    "deid.policy_unsupported", operator=col_rule.name, entity=col_rule.entity
                )


def _problems(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def parse_policy(data: Any, *, source: str = "<policy>") -> Policy:
    """A policy from already-parsed YAML/JSON data."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("deid.policy_invalid", path=source, problems="not a mapping")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("deid.policy_invalid", path=source, problems=_problems(exc)) from exc


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file (a :class:`ConfigError` names what is wrong)."""
    target = Path(path)
    try:
        text = target.read_text("utf-8")
    except FileNotFoundError as exc:
        raise InputError("error.path_not_found", path=str(target)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("source.read_failed", source=str(target), reason=str(exc)) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError("deid.policy_invalid", path=str(target), problems=str(exc)) from exc
    return parse_policy(data, source=str(target))


def dump_policy(policy: Policy) -> str:
    """The policy as YAML (operators with their non-default parameters)."""

    def rule(r: BaseOperator) -> dict[str, Any]:
        data = r.model_dump(mode="json", exclude_defaults=True)
        data = {"operator": r.name, **data}
        if "keep" in data and isinstance(data["keep"], list):
            data["keep"] = sorted(data["keep"])
        return data

    out: dict[str, Any] = {
        "version": policy.version,
        "min_score": policy.min_score,
        "default": rule(policy.default),
        "entities": {k: rule(v) for k, v in sorted(policy.entities.items())},
        "columns": {k: (v if isinstance(v, str) else rule(v)) for k, v in policy.columns.items()},
    }
    if policy.anonymity is not None:
        out["anonymity"] = policy.anonymity.model_dump(mode="json", exclude_defaults=True)
    if policy.discovered:
        out["discovered"] = policy.discovered
    return yaml.safe_dump(out, allow_unicode=True, sort_keys=False)

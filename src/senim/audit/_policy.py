"""Audit policy: which fairness criteria apply, their thresholds and why (data, not code).

A policy is a YAML file validated with pydantic. Each criterion names the metric(s), the statistic
compared with the threshold, the rationale in kk/ru/en and its legal basis. senim ships
``policies/default.yaml``; organisations copy and adapt it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from senim.audit._metrics import METRIC_NAMES
from senim.audit._stats import Correction
from senim.errors import ConfigError, InputError, UsageError

Statistic = Literal[
    "max_difference",
    "min_ratio",
    "max_difference_to_reference",
    "min_ratio_to_reference",
    "min_count",
]
Comparator = Literal["<=", ">="]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Model):
    """Where a rule comes from: a law and article, or a method's published source."""

    source: str
    article: str | None = None
    paragraph: str | None = None
    note: str | None = None

    def label(self) -> str:
        parts = [self.source]
        if self.article:
            parts.append(f"Art. {self.article}")
        if self.paragraph:
            parts[-1] += f"({self.paragraph})"
        return ", ".join(parts)


class Criterion(_Model):
    """One pass/fail rule over a dimension's groups."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    metrics: tuple[str, ...] = Field(min_length=1)
    statistic: Statistic
    threshold: float | None = None
    pass_if: Comparator
    rationale: dict[str, str]
    basis: tuple[Citation, ...] = ()

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in value if name not in (*METRIC_NAMES, "count")]
        if unknown:
            raise ValueError(f"unknown metric(s) {unknown}; known: {list(METRIC_NAMES)}")
        return value

    @field_validator("rationale")
    @classmethod
    def _english_rationale(cls, value: dict[str, str]) -> dict[str, str]:
        if "en" not in value:
            raise ValueError("rationale needs at least an 'en' text")
        return value

    @model_validator(mode="after")
    def _threshold_given(self) -> Criterion:
        if self.threshold is None and self.statistic != "min_count":
            raise ValueError("threshold is required (only min_count may omit it)")
        return self

    def rationale_in(self, lang: str) -> str:
        return self.rationale.get(lang) or self.rationale["en"]


class DriftPolicy(_Model):
    """Population-stability thresholds for drift between two periods."""

    bins: int = Field(default=10, ge=2, le=100)
    moderate: float = Field(default=0.1, gt=0)
    significant: float = Field(default=0.25, gt=0)
    rationale: dict[str, str] = Field(default_factory=dict)
    basis: tuple[Citation, ...] = ()


class Policy(_Model):
    """A versioned fairness policy."""

    id: str
    version: str
    title: dict[str, str] = Field(default_factory=dict)
    min_group_size: int = Field(default=30, ge=1)
    confidence: float = Field(default=0.95, gt=0.5, lt=1.0)
    correction: Correction = "holm"
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    drift: DriftPolicy = Field(default_factory=DriftPolicy)

    def with_overrides(
        self, *, min_group_size: int | None = None, confidence: float | None = None
    ) -> Policy:
        update: dict[str, object] = {}
        if min_group_size is not None:
            update["min_group_size"] = min_group_size
        if confidence is not None:
            update["confidence"] = confidence
        if not update:
            return self
        try:
            return Policy.model_validate({**self.model_dump(), **update})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise UsageError(
                "audit.error.option_invalid", option=where, reason=first["msg"]
            ) from exc


def load_policy(path: str | Path | None = None) -> Policy:
    """Load and validate a policy file; ``None`` gives senim's default policy."""
    if path is None:
        return _default_policy()
    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except FileNotFoundError as exc:
        raise InputError("error.path_not_found", path=str(path)) from exc
    except OSError as exc:
        raise InputError("audit.error.read", path=str(path), reason=exc.strerror or "") from exc
    return _parse(text, str(path))


@cache
def _default_policy() -> Policy:
    text = resources.files("senim.audit").joinpath("policies/default.yaml").read_text("utf-8")
    return _parse(text, "default.yaml")


def _parse(text: str, name: str) -> Policy:
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(text, Loader=loader)  # a safe loader (C if available)
    except yaml.YAMLError as exc:
        raise ConfigError("audit.error.policy_yaml", path=name, reason=str(exc)[:200]) from exc
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(
            "audit.error.policy_invalid", path=name, where=where or "-", reason=first["msg"]
        ) from exc

"""Human-rights impact assessment: a scored questionnaire in the spirit of Canada's AIA.

Questions, options, points, levels and measures are data (``aia/questionnaire.yaml``) in kk/ru/en.
Impact questions add points; if the mitigation answers earn at least ``threshold_percent`` of the
mitigation points, the impact score is reduced by ``reduction_percent``. The adjusted score as a
share of the maximum impact score gives the impact level (I-IV) and its required measures.
Questions can be answered from the system card (``prefill`` conditions); an answers file wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from senim._i18n import shown
from senim.errors import InputError
from senim.risk._card import SystemCard, card_field_types
from senim.risk._classify import fingerprint
from senim.risk._conditions import UNKNOWN, ConditionError, Node, check, evaluate, parse
from senim.risk._io import CardInvalid, Problem, locate, problems_from, read_document
from senim.risk._pack import PackInvalid, Text

__all__ = [
    "Answer",
    "Assessment",
    "Question",
    "Questionnaire",
    "assess",
    "load_answers",
    "load_questionnaire",
    "prefill",
]

Source = Literal["answers", "card", "interactive"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Option(_Model):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: Text


class Question(_Model):
    """One question: its scale (options), points per option and optional card prefill."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    section: str
    kind: Literal["impact", "mitigation"]
    scale: str
    points: dict[str, int]
    text: Text
    prefill: dict[str, str] = Field(default_factory=dict)

    @property
    def max_points(self) -> int:
        return max(self.points.values())


class Level(_Model):
    level: Literal["I", "II", "III", "IV"]
    max_percent: float = Field(gt=0, le=100)
    title: Text
    measures: list[Text] = Field(min_length=1)


class Mitigation(_Model):
    threshold_percent: float = Field(ge=0, le=100)
    reduction_percent: float = Field(ge=0, le=100)


class Questionnaire(_Model):
    """The whole questionnaire, validated (scales, points, sections, levels, prefill)."""

    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    title: Text
    mitigation: Mitigation
    scales: dict[str, list[Option]]
    sections: dict[str, Text]
    questions: list[Question] = Field(min_length=1)
    levels: list[Level] = Field(min_length=4, max_length=4)

    @model_validator(mode="after")
    def _consistent(self) -> Questionnaire:
        ids = [q.id for q in self.questions]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate question ids: {', '.join(duplicates)}")
        for q in self.questions:
            if q.scale not in self.scales:
                raise ValueError(f"question {q.id}: unknown scale {q.scale!r}")
            options = {o.id for o in self.scales[q.scale]}
            if set(q.points) != options:
                raise ValueError(f"question {q.id}: points must cover exactly {sorted(options)}")
            if q.section not in self.sections:
                raise ValueError(f"question {q.id}: unknown section {q.section!r}")
            if not set(q.prefill) <= options:
                raise ValueError(f"question {q.id}: prefill names an unknown option")
        ceilings = [level.max_percent for level in self.levels]
        if ceilings != sorted(ceilings) or ceilings[-1] != 100:
            raise ValueError("levels must rise and the last must end at 100 percent")
        return self

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def options(self, question: Question) -> list[Option]:
        return self.scales[question.scale]


@dataclass(frozen=True, slots=True)
class _Loaded:
    questionnaire: Questionnaire
    prefill: Mapping[tuple[str, str], Node]


def _validate_prefill(model: Questionnaire, node: Any, source: str) -> dict[tuple[str, str], Node]:
    import yaml

    tree = node if isinstance(node, yaml.Node) else None
    schema = card_field_types()
    conditions: dict[tuple[str, str], Node] = {}
    problems: list[Problem] = []
    for index, q in enumerate(model.questions):
        for option, text in q.prefill.items():
            loc: list[str | int] = ["questions", index, "prefill", option]
            try:
                tree_node = parse(text)
            except ConditionError as exc:
                problems.append(
                    Problem(
                        field=f"{q.id}.prefill.{option}",
                        line=locate(tree, loc),
                        key=exc.key,
                        params=exc.params,
                    )
                )
                continue
            for error in check(tree_node, schema):
                problems.append(
                    Problem(
                        field=f"{q.id}.prefill.{option}",
                        line=locate(tree, loc),
                        key=error.key,
                        params=error.params,
                    )
                )
            conditions[(q.id, option)] = tree_node
    if problems:
        raise PackInvalid(source=source, problems=problems)
    return conditions


def _load(path: Path, source: str) -> _Loaded:
    data, node = read_document(path)
    try:
        model = Questionnaire.model_validate(data)
    except ValidationError as exc:
        raise PackInvalid(source=source, problems=problems_from(exc, node, Questionnaire)) from None
    return _Loaded(questionnaire=model, prefill=_validate_prefill(model, node, source))


@cache
def _builtin() -> _Loaded:
    path = Path(str(resources.files("senim.risk").joinpath("aia", "questionnaire.yaml")))
    return _load(path, "questionnaire.yaml")


def load_questionnaire(path: str | Path | None = None) -> Questionnaire:
    """The built-in questionnaire, or one from ``path``."""
    return _loaded(path).questionnaire


def _loaded(path: str | Path | None) -> _Loaded:
    return _builtin() if path is None else _load(Path(path), shown(path))


def prefill(
    card: SystemCard, *, questionnaire: str | Path | None = None, today: dt.date | None = None
) -> dict[str, str]:
    """Answers the card settles: ``{question id: option id}`` (first true prefill wins)."""
    loaded = _loaded(questionnaire)

    def lookup(path: str) -> object:
        value = card.value(path)
        if value is None:
            return UNKNOWN
        return tuple(value) if isinstance(value, list) else value

    answers: dict[str, str] = {}
    for q in loaded.questionnaire.questions:
        for option in q.prefill:
            outcome = evaluate(loaded.prefill[(q.id, option)], lookup, today=today)  # type: ignore[arg-type]
            if outcome.value is True:
                answers[q.id] = option
                break
    return answers


def load_answers(path: str | Path, questionnaire: Questionnaire) -> dict[str, str]:
    """Read an answers file (``question id: option id``) and check every entry."""
    data, node = read_document(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CardInvalid(
            source=shown(path),
            problems=[Problem(field="", line=1, key="risk.assess.answers_not_mapping", params={})],
        )
    problems: list[Problem] = []
    answers: dict[str, str] = {}
    known = {q.id for q in questionnaire.questions}
    for raw_key, raw_value in data.items():
        key = str(raw_key)
        # YAML reads unquoted yes/no as booleans
        value = ("yes" if raw_value else "no") if isinstance(raw_value, bool) else raw_value
        line = locate(node, [key])
        if key not in known:
            from difflib import get_close_matches

            close = get_close_matches(key, sorted(known), n=1)
            problems.append(
                Problem(
                    field=key,
                    line=line,
                    key="risk.assess.unknown_question",
                    params={"hint": close[0] if close else "-"},
                )
            )
            continue
        options = [o.id for o in questionnaire.options(questionnaire.question(key))]
        if str(value) not in options:
            problems.append(
                Problem(
                    field=key,
                    line=line,
                    key="risk.card.bad_choice",
                    params={"value": str(value), "choices": ", ".join(options)},
                )
            )
            continue
        answers[key] = str(value)
    if problems:
        raise CardInvalid(source=shown(path), problems=problems)
    return answers


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """One answered question."""

    question: Question
    option: str
    points: int
    source: Source


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """The scored assessment of one card."""

    questionnaire: Questionnaire
    card: SystemCard
    fingerprint: str
    answers: tuple[Answer, ...]
    impact_raw: int
    impact_max: int
    mitigation_raw: int
    mitigation_max: int
    reduction_applied: bool
    score: float
    percent: float
    level: Level

    def section_scores(self) -> dict[str, tuple[int, int]]:
        """``{section: (points, maximum)}`` over impact questions."""
        totals: dict[str, tuple[int, int]] = {}
        for answer in self.answers:
            if answer.question.kind != "impact":
                continue
            got, top = totals.get(answer.question.section, (0, 0))
            totals[answer.question.section] = (
                got + answer.points,
                top + answer.question.max_points,
            )
        return totals


Ask = Callable[[Question, list[Option]], str]


def assess(
    card: SystemCard,
    *,
    answers: Mapping[str, str] | None = None,
    ask: Ask | None = None,
    questionnaire: str | Path | None = None,
    use_card: bool = True,
    today: dt.date | None = None,
) -> Assessment:
    """Score ``card``: answers file first, then the card's prefill, then ``ask`` (interactive).

    Without ``ask``, questions left unanswered raise :class:`InputError` naming them.
    """
    loaded = _loaded(questionnaire)
    model = loaded.questionnaire
    given = dict(answers or {})
    from_card = prefill(card, questionnaire=questionnaire, today=today) if use_card else {}
    chosen: list[Answer] = []
    missing: list[str] = []
    for q in model.questions:
        options = model.options(q)
        source: Source
        if q.id in given:
            option, source = given[q.id], "answers"
        elif q.id in from_card:
            option, source = from_card[q.id], "card"
        elif ask is not None:
            option, source = ask(q, options), "interactive"
        else:
            missing.append(q.id)
            continue
        if option not in q.points:
            raise InputError(
                "risk.card.bad_choice",
                value=option,
                choices=", ".join(o.id for o in options),
            )
        chosen.append(Answer(question=q, option=option, points=q.points[option], source=source))
    if missing:
        raise InputError("risk.assess.unanswered", count=len(missing), ids=", ".join(missing))

    impact_raw = sum(a.points for a in chosen if a.question.kind == "impact")
    impact_max = sum(q.max_points for q in model.questions if q.kind == "impact")
    mitigation_raw = sum(a.points for a in chosen if a.question.kind == "mitigation")
    mitigation_max = sum(q.max_points for q in model.questions if q.kind == "mitigation")
    reduce = (
        mitigation_max > 0
        and 100 * mitigation_raw / mitigation_max >= model.mitigation.threshold_percent
    )
    score = impact_raw * (1 - model.mitigation.reduction_percent / 100) if reduce else impact_raw
    percent = 100 * score / impact_max if impact_max else 0.0
    level = next(lv for lv in model.levels if percent <= lv.max_percent)
    return Assessment(
        questionnaire=model,
        card=card,
        fingerprint=fingerprint(card),
        answers=tuple(chosen),
        impact_raw=impact_raw,
        impact_max=impact_max,
        mitigation_raw=mitigation_raw,
        mitigation_max=mitigation_max,
        reduction_applied=reduce,
        score=round(score, 2),
        percent=round(percent, 1),
        level=level,
    )

"""Reading cards (and other YAML/JSON documents) with errors that point at the field and line."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from senim._i18n import message, shown
from senim.errors import InputError
from senim.risk._card import SystemCard

__all__ = ["CardInvalid", "Problem", "load_card", "parse_card", "read_document"]

MAX_DOCUMENT_BYTES = 2_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One validation problem: where (dotted field, line) and what (message key + params)."""

    field: str
    line: int | None
    key: str
    params: Mapping[str, object]

    def render(self, lang: str | None = None) -> str:
        where = self.field or "-"
        if self.line is not None:
            where = message("risk.card.where_line", lang, field=where, line=self.line)
        return f"{where}: {message(self.key, lang, **self.params)}"


class CardInvalid(InputError):
    """A card (or document) failed validation; ``problems`` lists every problem found."""

    def __init__(self, *, source: str, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("risk.card.invalid", source=source, count=len(self.problems))

    def message(self, lang: str | None = None) -> str:
        head = super().message(lang)
        return "\n".join([head, *(f"  - {p.render(lang)}" for p in self.problems)])


def read_document(path: str | Path) -> tuple[Any, yaml.Node | None]:
    """Read a YAML or JSON file: its data and its YAML node tree (for line numbers)."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise InputError("error.path_not_found", path=str(path)) from None
    except OSError as exc:
        raise InputError("risk.file.unreadable", path=str(path), reason=exc.strerror) from None
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise InputError("risk.file.too_large", path=str(path), limit=MAX_DOCUMENT_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("risk.file.not_utf8", path=str(path)) from None
    return parse_text(text, source=shown(path), json_only=file.suffix.lower() == ".json")


def parse_text(text: str, *, source: str, json_only: bool = False) -> tuple[Any, yaml.Node | None]:
    """Parse YAML (or strict JSON) text; syntax errors name the line and column."""
    if json_only:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                "risk.file.syntax", path=source, line=exc.lineno, column=exc.colno, reason=exc.msg
            ) from None
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
            if not json_only:
                data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise InputError(
            "risk.file.syntax",
            path=source,
            line=(mark.line + 1) if mark else "?",
            column=(mark.column + 1) if mark else "?",
            reason=str(exc.problem or exc),
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(
            "risk.file.syntax", path=source, line="?", column="?", reason=str(exc)
        ) from None
    return data, node


def locate(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """1-based line of the deepest YAML node along ``loc``."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    nxt = value
                    line = key.start_mark.line + 1
                    break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if 0 <= part < len(node.value) else None
            if node is not None:
                line = node.start_mark.line + 1
        else:
            break
        if node is None:
            break
    return line


_TYPE_KEYS = {
    "bool_type": "risk.card.expected_bool",
    "bool_parsing": "risk.card.expected_bool",
    "int_type": "risk.card.expected_int",
    "int_parsing": "risk.card.expected_int",
    "int_from_float": "risk.card.expected_int",
    "string_type": "risk.card.expected_text",
    "list_type": "risk.card.expected_list",
    "model_type": "risk.card.expected_mapping",
    "model_attributes_type": "risk.card.expected_mapping",
    "dict_type": "risk.card.expected_mapping",
    "date_type": "risk.card.expected_date",
    "date_parsing": "risk.card.expected_date",
    "date_from_datetime_parsing": "risk.card.expected_date",
    "date_from_datetime_inexact": "risk.card.expected_date",
    "missing": "risk.card.missing",
    "string_too_short": "risk.card.too_short",
    "string_too_long": "risk.card.too_long",
    "greater_than_equal": "risk.card.too_small",
}


def problems_from(
    exc: ValidationError, node: yaml.Node | None, model: type[BaseModel]
) -> list[Problem]:
    """Turn pydantic errors into localisable problems with field paths and line numbers."""
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        loc = [part for part in error["loc"] if not str(part).startswith("function-after")]
        field = ".".join(str(part) for part in loc)
        kind = error["type"]
        ctx = error.get("ctx") or {}
        value = error.get("input")
        key = _TYPE_KEYS.get(kind)
        params: dict[str, object] = {}
        if kind == "literal_error":
            key = "risk.card.bad_choice"
            params = {"value": _short(value), "choices": ctx.get("expected", "")}
        elif kind == "extra_forbidden":
            key = "risk.card.unknown_field"
            params = {"name": loc[-1] if loc else "", "hint": _hint(model, loc)}
        elif kind == "string_pattern_mismatch":
            key = "risk.card.bad_pattern"
            params = {"value": _short(value), "pattern": ctx.get("pattern", "")}
        elif key is None:
            key = "risk.card.invalid_value"
            params = {"detail": error["msg"]}
        else:
            params = {"value": _short(value), **{k: v for k, v in ctx.items() if k != "error"}}
        problems.append(Problem(field=field, line=locate(node, loc), key=key, params=params))
    return problems


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _hint(model: type[BaseModel], loc: Sequence[int | str]) -> str:
    """Suggest the closest known field name for a misspelt one."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        info = fields.get(str(part))
        if info is None:
            return "-"
        current = info.annotation
        for arg in getattr(current, "__args__", ()):  # Optional[Model]
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                current = arg
    names = list(getattr(current, "model_fields", {}))
    close = difflib.get_close_matches(str(loc[-1]), names, n=1) if loc else []
    return close[0] if close else ", ".join(names)


def parse_card(data: Any, *, source: str, node: yaml.Node | None = None) -> SystemCard:
    """Validate already-parsed card data."""
    if not isinstance(data, dict):
        raise CardInvalid(
            source=source,
            problems=[Problem(field="", line=1, key="risk.card.not_mapping", params={})],
        )
    version = data.get("schema_version")
    if version is not None and str(version) != "1":
        raise CardInvalid(
            source=source,
            problems=[
                Problem(
                    field="schema_version",
                    line=locate(node, ["schema_version"]),
                    key="risk.card.unsupported_version",
                    params={"value": _short(version), "supported": "1"},
                )
            ],
        )
    if version is not None:
        data = {**data, "schema_version": str(version)}
    try:
        return SystemCard.model_validate(data)
    except ValidationError as exc:
        raise CardInvalid(source=source, problems=problems_from(exc, node, SystemCard)) from None


def load_card(path: str | Path) -> SystemCard:
    """Load and validate one card file (YAML or JSON)."""
    data, node = read_document(path)
    return parse_card(data, source=shown(path), node=node)

"""Generate the reference tables of ``docs/risk.md`` (card fields and every rule).

``python -c "from senim.risk._reference import reference_markdown; print(reference_markdown())"``
prints them; a test keeps the document in step with the code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from senim.risk._card import card_field_types
from senim.risk._pack import load_packs
from senim.risk._schema import card_json_schema

__all__ = ["reference_markdown"]


def _leaves(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    defs = schema.get("$defs", {})

    def walk(node: dict[str, Any], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for name, prop in node.get("properties", {}).items():
            ref = prop.get("$ref")
            if ref:
                yield from walk(defs[ref.split("/")[-1]], f"{prefix}{name}.")
            else:
                yield f"{prefix}{name}", prop

    yield from walk(schema, "")


def reference_markdown() -> str:
    """The card-field table and one rule table per built-in pack, in English."""
    lines = ["### Card fields", "", "| Field | Type | Meaning |", "|---|---|---|"]
    types = card_field_types()
    for path, prop in _leaves(json.loads(card_json_schema())):
        desc = prop.get("description", "").replace("|", "\\|")
        example = json.dumps(prop.get("examples", [None])[0], ensure_ascii=False)
        lines.append(f"| `{path}` | {types[path].describe()} | {desc} Example: `{example}` |")
    for pack in load_packs(None):
        lines += [
            "",
            f"### Rules of the `{pack.id}` pack (v{pack.version})",
            "",
            "| Rule | Outcome | Citation | Finding |",
            "|---|---|---|---|",
        ]
        for rule in pack.model.rules:
            outcome = rule.outcome
            text: str = outcome.kind
            text += f": {outcome.level}" if outcome.level else ""
            text += f" ({outcome.topic})" if outcome.topic else ""
            text += f" ({outcome.fine})" if outcome.fine else ""
            cites = "; ".join(pack.cite(c, "en") for c in rule.citations)
            mark = " *(interpretation)*" if rule.interpretation else ""
            lines.append(f"| `{rule.id}` | {text} | {cites} | {rule.title.en}{mark} |")
    return "\n".join(lines) + "\n"

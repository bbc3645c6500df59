"""docs/risk.md documents every rule, card field, command and golden-card count."""

from __future__ import annotations

from pathlib import Path

from senim.risk import card_field_types, load_packs
from senim.risk._golden import builtin_golden_dir

DOC = (Path(__file__).resolve().parents[2] / "docs" / "risk.md").read_text("utf-8")


def test_every_rule_is_documented() -> None:
    missing = [r.id for p in load_packs(None) for r in p.model.rules if f"`{r.id}`" not in DOC]
    assert not missing, "regenerate the reference tables in docs/risk.md"


def test_every_card_field_is_documented() -> None:
    missing = [f for f in card_field_types() if f"`{f}`" not in DOC]
    assert not missing


def test_commands_and_golden_count_are_documented() -> None:
    for command in (
        "senim classify",
        "senim rules list",
        "senim rules show",
        "senim rules test",
        "senim assess",
        "senim card validate",
        "senim card schema",
    ):
        assert command in DOC
    count = len(list(builtin_golden_dir().glob("*.yaml")))
    assert f"holds {count} golden cards" in DOC


def test_reference_tables_are_current() -> None:
    from senim.risk._reference import reference_markdown

    assert reference_markdown() in DOC, "regenerate: see senim.risk._reference"

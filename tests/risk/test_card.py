"""System cards: schema, published JSON Schema, loading and validation messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from senim.errors import InputError
from senim.risk import CardInvalid, SystemCard, card_field_types, load_card
from senim.risk._schema import card_json_schema, published_schema_path

from .conftest import EXAMPLES

MINIMAL = 'schema_version: "1"\nid: demo\nname: Demo\nowner: {name: Org}\n'


def test_published_json_schema_matches_the_models() -> None:
    assert published_schema_path().read_text("utf-8") == card_json_schema(), (
        "regenerate with: senim card schema -o src/senim/risk/schema/system-card.v1.schema.json"
    )


def _leaf_properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    defs = schema.get("$defs", {})
    found: list[tuple[str, dict[str, Any]]] = []

    def walk(node: dict[str, Any], prefix: str) -> None:
        for name, prop in node.get("properties", {}).items():
            ref = prop.get("$ref")
            if ref:
                walk(defs[ref.split("/")[-1]], f"{prefix}{name}.")
            else:
                found.append((f"{prefix}{name}", prop))

    walk(schema, "")
    return found


def test_every_card_field_is_documented_with_examples() -> None:
    schema = json.loads(card_json_schema())
    leaves = _leaf_properties(schema)
    assert len(leaves) == len(card_field_types())
    for name, prop in leaves:
        assert prop.get("description"), f"{name} has no description"
        assert prop.get("examples"), f"{name} has no examples"


def test_every_example_value_validates() -> None:
    """The examples in the schema are real values of their fields."""
    schema = json.loads(card_json_schema())
    for name, prop in _leaf_properties(schema):
        parts = name.split(".")
        for example in prop["examples"]:
            data: dict[str, Any] = {
                "schema_version": "1",
                "id": "x",
                "name": "x",
                "owner": {"name": "x"},
            }
            target = data
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = example
            SystemCard.model_validate(data)


CARD_EXAMPLES = [p for p in sorted(EXAMPLES.glob("*.*")) if not p.name.endswith(".answers.yaml")]


@pytest.mark.parametrize("path", CARD_EXAMPLES, ids=lambda p: p.name)
def test_examples_load(path: Path) -> None:
    card = load_card(path)
    assert card.schema_version == "1"


def test_minimal_card_leaves_everything_unknown(write) -> None:  # type: ignore[no-untyped-def]
    card = load_card(write("c.yaml", MINIMAL))
    assert card.capabilities is None
    assert card.value("personal_data.processed") is None
    assert card.value("owner.name") == "Org"


def test_integer_schema_version_is_accepted(write) -> None:  # type: ignore[no-untyped-def]
    card = load_card(write("c.yaml", MINIMAL.replace('"1"', "1")))
    assert card.schema_version == "1"


def _problems(exc: CardInvalid, lang: str = "en") -> list[str]:
    return [p.render(lang) for p in exc.problems]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "capabilites: [chatbot]\n",
            "capabilites (line 5): unknown field 'capabilites' (did you mean: capabilities?)",
        ),
        (
            "failure_impact: catastrophic\n",
            'failure_impact (line 5): "catastrophic" is not allowed; choose one of: '
            "'minimal', 'reduced_efficiency', 'moral_or_material_damage' or 'severe'",
        ),
        (
            "personal_data:\n  processed: maybe\n",
            'personal_data.processed (line 6): expected true or false, got "maybe"',
        ),
        (
            "personal_data:\n  storage_countries: [kz]\n",
            'personal_data.storage_countries.0 (line 6): "kz" does not have the required form '
            "(^[A-Z]{2}$)",
        ),
        (
            "risk_management: {last_review: next week}\n",
            'risk_management.last_review (line 5): expected a date YYYY-MM-DD, got "next week"',
        ),
        (
            "affected_persons: {estimated_count: -5}\n",
            "affected_persons.estimated_count (line 5): must be at least 0, got -5",
        ),
        (
            "biometrics: {purpos: commercial}\n",
            "biometrics.purpos (line 5): unknown field 'purpos' (did you mean: purpose?)",
        ),
        (
            "capabilities: chatbot\n",
            'capabilities (line 5): expected a list, got "chatbot"',
        ),
    ],
)
def test_validation_messages_point_at_the_field_and_line(
    write,
    extra: str,
    expected: str,  # type: ignore[no-untyped-def]
) -> None:
    with pytest.raises(CardInvalid) as info:
        load_card(write("c.yaml", MINIMAL + extra))
    assert _problems(info.value) == [expected]
    assert info.value.exit_code == 2


def test_all_problems_are_reported_at_once(write) -> None:  # type: ignore[no-untyped-def]
    text = 'schema_version: "1"\nid: Bad Id\nowner: {}\nsector: space\n'
    with pytest.raises(CardInvalid) as info:
        load_card(write("c.yaml", text))
    fields = [p.field for p in info.value.problems]
    assert fields == ["id", "name", "owner.name", "sector"]
    head = info.value.message("en").splitlines()[0]
    assert head.endswith("c.yaml: 4 problem(s) in the card")


def test_messages_exist_in_russian_and_kazakh(write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CardInvalid) as info:
        load_card(write("c.yaml", MINIMAL + "personal_data:\n  processed: maybe\n"))
    assert _problems(info.value, "ru") == [
        'personal_data.processed (строка 6): ожидалось true или false, получено "maybe"'
    ]
    assert _problems(info.value, "kk") == [
        'personal_data.processed (6-жол): true немесе false күтілді, алынғаны "maybe"'
    ]


def test_json_cards_get_line_numbers_too(write) -> None:  # type: ignore[no-untyped-def]
    text = json.dumps(
        {
            "schema_version": "1",
            "id": "x",
            "name": "x",
            "owner": {"name": "o"},
            "deployment": {"openness": "ajar"},
        },
        indent=2,
    )
    with pytest.raises(CardInvalid) as info:
        load_card(write("c.json", text))
    (problem,) = info.value.problems
    assert problem.field == "deployment.openness"
    assert problem.line == 9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "- a\n- b\n",
            "c.yaml: 1 problem(s) in the card\n  - - (line 1): the document must be a "
            "mapping of fields (key: value)",
        ),
        (
            'schema_version: "2"\nid: x\n',
            "c.yaml: 1 problem(s) in the card\n  - schema_version "
            '(line 1): schema_version "2" is not supported; supported: 1',
        ),
    ],
)
def test_unreadable_documents(write, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = write("c.yaml", text)
    with pytest.raises(InputError) as info:
        load_card(path)
    assert info.value.message("en").replace(str(path), "c.yaml") == expected


def test_yaml_syntax_errors_name_line_and_column(write) -> None:  # type: ignore[no-untyped-def]
    path = write("c.yaml", "id: [unclosed\n")
    with pytest.raises(InputError) as info:
        load_card(path)
    text = info.value.message("en").replace(str(path), "c.yaml")
    # the wording of the reason comes from libyaml or PyYAML, whichever is installed
    assert text.startswith("c.yaml, line 2, column 1: ")
    assert "',' or ']'" in text
    assert (
        info.value.message("ru")
        .replace(str(path), "c.yaml")
        .startswith("c.yaml, строка 2, столбец 1: ")
    )


def test_missing_file() -> None:
    with pytest.raises(InputError) as info:
        load_card("/nonexistent/card.yaml")
    assert info.value.message("en") == "/nonexistent/card.yaml: no such file or directory"


def test_duplicate_capabilities_are_rejected(write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CardInvalid) as info:
        load_card(write("c.yaml", MINIMAL + "capabilities: [chatbot, chatbot]\n"))
    assert _problems(info.value) == [
        "capabilities (line 5): invalid value: Value error, duplicate entries"
    ]

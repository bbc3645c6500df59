"""The published JSON Schema of system cards (``schema/system-card.v1.schema.json``)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from senim.risk._card import CARD_SCHEMA_VERSION, SystemCard

__all__ = ["SCHEMA_ID", "card_json_schema", "published_schema_path"]

SCHEMA_ID = f"https://senim.dev/schemas/system-card.v{CARD_SCHEMA_VERSION}.schema.json"


def _schema() -> dict[str, Any]:
    schema = SystemCard.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def card_json_schema() -> str:
    """The JSON Schema of the current card version, as text (stable key order)."""
    return json.dumps(_schema(), ensure_ascii=False, indent=2) + "\n"


def published_schema_path() -> Path:
    """Where the published schema file lives inside the package."""
    name = f"system-card.v{CARD_SCHEMA_VERSION}.schema.json"
    return Path(str(resources.files("senim.risk").joinpath("schema", name)))

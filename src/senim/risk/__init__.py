"""AI system cards, rule packs that cite the law, classification and impact assessment.

- :class:`SystemCard` / :func:`load_card`: the versioned card schema (YAML or JSON).
- :func:`load_pack` / :func:`load_packs`: the ``kz`` and ``eu`` rule packs (or your own file).
- :func:`classify`: a card under each pack: risk and autonomy level, prohibited findings,
  obligations, breaches, fines, and the unknown fields that would change the answer.
- :func:`run_golden`: a pack's golden cards, as ``senim rules test`` runs them.
- :func:`load_questionnaire` / :func:`assess`: the human-rights impact assessment.
"""

from __future__ import annotations

from senim.risk._assess import Assessment, assess, load_answers, load_questionnaire
from senim.risk._card import CARD_SCHEMA_VERSION, SystemCard, card_field_types
from senim.risk._classify import CardResult, PackResult, RuleResult, classify, fingerprint
from senim.risk._conditions import ConditionError, evaluate, parse
from senim.risk._golden import GoldenReport, run_golden
from senim.risk._io import CardInvalid, load_card, parse_card
from senim.risk._pack import Pack, PackInvalid, Rule, load_pack, load_packs
from senim.risk._render import (
    assessment_html,
    assessment_json,
    assessment_table,
    classification_html,
    classification_json,
    classification_table,
)

__all__ = [
    "CARD_SCHEMA_VERSION",
    "Assessment",
    "CardInvalid",
    "CardResult",
    "ConditionError",
    "GoldenReport",
    "Pack",
    "PackInvalid",
    "PackResult",
    "Rule",
    "RuleResult",
    "SystemCard",
    "assess",
    "assessment_html",
    "assessment_json",
    "assessment_table",
    "card_field_types",
    "classification_html",
    "classification_json",
    "classification_table",
    "classify",
    "evaluate",
    "fingerprint",
    "load_answers",
    "load_card",
    "load_pack",
    "load_packs",
    "load_questionnaire",
    "parse",
    "parse_card",
    "run_golden",
]

"""Classification: levels, unknown fields, dates in force, fines, and invariants."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from senim.risk import SystemCard, card_field_types, classify, load_card, load_pack, load_packs
from senim.risk._render import classification_html, classification_json, classification_table

from .conftest import EXAMPLES

DAY = dt.date(2026, 11, 22)


def card(**fields: Any) -> SystemCard:
    return SystemCard.model_validate(
        {"schema_version": "1", "id": "t", "name": "T", "owner": {"name": "O"}, **fields}
    )


def test_unknown_fields_name_what_would_change_the_answer() -> None:
    result = classify(card(capabilities=["emotion_recognition"]), [load_pack("kz")], as_of=DAY)
    (kz,) = result.packs
    unknown = kz.unknown_fields
    assert unknown["emotion_recognition.consent"] == [
        "kz.prohibited.emotion_without_consent",
        "kz.obligation.immediate_measures",
    ]
    assert "failure_impact" in unknown
    assert kz.risk_level is None


def test_stating_the_fields_settles_the_answer() -> None:
    kz = classify(
        card(capabilities=["emotion_recognition"], emotion_recognition={"consent": True}),
        [load_pack("kz")],
        as_of=DAY,
    ).packs[0]
    statuses = {r.id: r.status for r in kz.rules}
    assert statuses["kz.prohibited.emotion_without_consent"] == "does_not_apply"
    assert "emotion_recognition.consent" not in kz.unknown_fields


def test_partial_risk_level_lists_the_higher_levels_still_possible() -> None:
    kz = classify(card(failure_impact="minimal"), [load_pack("kz")], as_of=DAY).packs[0]
    assert kz.risk_level == "minimal"
    assert kz.risk_level_possible == ("medium", "high")


def test_rules_not_yet_in_force_are_flagged() -> None:
    subject = card(capabilities=["automated_decisions"])
    before = classify(subject, [load_pack("kz")], as_of=dt.date(2026, 3, 1)).packs[0]
    after = classify(subject, [load_pack("kz")], as_of=DAY).packs[0]
    rule = "kz.obligation.algorithmic_decisions"  # Digital Code Art. 43, about July 2026
    assert {r.id: r.in_force for r in before.rules}[rule] is False
    assert {r.id: r.in_force for r in after.rules}[rule] is True
    assert "not yet in force: applies from 2026-07-10" in classification_table(
        [classify(subject, [load_pack("kz")], as_of=dt.date(2026, 3, 1))]
    )


def test_fines_use_the_owner_size_band() -> None:
    subject = card(
        owner={"name": "Bank", "size": "large"},
        personal_data={"processed": True, "protection_measures": False},
    )
    kz = classify(subject, [load_pack("kz")], as_of=DAY).packs[0]
    (fine,) = kz.fines
    assert fine.fine_id == "koap-79-3"
    assert fine.first == {"large": 600}
    data = json.loads(classification_json([classify(subject, [load_pack("kz")], as_of=DAY)]))
    (entry,) = data["results"][0]["packs"][0]["fines"]
    assert entry["first_kzt"] == {"large": 600 * 4325}
    unsized = classify(
        card(personal_data={"processed": True, "protection_measures": False}),
        [load_pack("kz")],
        as_of=DAY,
    ).packs[0]
    assert set(unsized.fines[0].first) == {"individual", "small", "medium", "large"}


def test_eu_prohibited_practice_makes_the_level_unacceptable_and_fines() -> None:
    eu = classify(
        card(practices={"manipulative_techniques": True}), [load_pack("eu")], as_of=DAY
    ).packs[0]
    assert eu.risk_level == "unacceptable"
    assert [f.fine_id for f in eu.fines] == ["art99-3"]
    assert "EUR 35 000 000 or 7" in classification_table(
        [classify(card(practices={"manipulative_techniques": True}), [load_pack("eu")], as_of=DAY)]
    )


def test_fingerprint_is_stable_and_content_based() -> None:
    a = classify(card(sector="finance"), [], as_of=DAY).fingerprint
    b = classify(card(sector="finance"), [], as_of=DAY).fingerprint
    c = classify(card(sector="health"), [], as_of=DAY).fingerprint
    assert a == b != c
    assert a.startswith("sha256:")


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_reports_in_every_language(lang: str) -> None:
    subject = load_card(EXAMPLES / "mall-shopper-recognition.json")
    results = [classify(subject, load_packs(None), source="mall.json", as_of=DAY)]
    table = classification_table(results, lang=lang)
    html = classification_html(results, lang=lang)
    data = json.loads(classification_json(results, lang=lang))
    heading = {
        "en": "Prohibited findings",
        "ru": "Запрещённые функции",
        "kk": "Тыйым салынған функциялар",
    }[lang]
    assert heading in table
    assert heading in html
    assert html.startswith("<!doctype html>")
    assert "<script" not in html
    kz = data["results"][0]["packs"][0]
    assert [f["rule"] for f in kz["prohibited"]] == [
        "kz.prohibited.pd_without_basis",
        "kz.prohibited.public_biometrics",
    ]
    assert kz["prohibited"][0]["citations"][0]["effective"] == "2026-01-18"


def test_raw_card_text_is_not_echoed_into_reports() -> None:
    """Reports carry ids, levels and citations; free text such as oversight notes stays out."""
    subject = card(autonomy={"human_role": "decides", "oversight": "call Aigerim +7 701 000 0000"})
    results = [classify(subject, load_packs(None), as_of=DAY)]
    for text in (
        classification_table(results),
        classification_json(results),
        classification_html(results),
    ):
        assert "Aigerim" not in text
        assert "701 000" not in text


# ---------------------------------------------------------------- invariants

FIELDS = card_field_types()
KZ = load_pack("kz")


def _value_strategy(path: str) -> st.SearchStrategy[Any]:
    ft = FIELDS[path]
    if ft.values is not None:
        base: st.SearchStrategy[Any] = st.sampled_from(sorted(ft.values))
    elif ft.kind == "bool":
        base = st.booleans()
    elif ft.kind == "int":
        base = st.integers(0, 10_000_000)
    elif ft.kind == "date":
        base = st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31))
    elif "countr" in path or path.endswith("hosted_in"):
        base = st.sampled_from(["KZ", "RU", "US", "DE"])
    else:
        base = st.text(min_size=1, max_size=5, alphabet="abc")
    if ft.is_list:
        return st.lists(base, max_size=3, unique=True)
    return base


CONDITION_FIELDS = sorted({f for rule in KZ.model.rules for f in KZ.fields(rule)})


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        parts = path.split(".")
        target = nested
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return nested


@st.composite
def partial_cards(draw: st.DrawFn) -> tuple[dict[str, Any], str, Any]:
    chosen = draw(st.lists(st.sampled_from(CONDITION_FIELDS), max_size=12, unique=True))
    flat = {path: draw(_value_strategy(path)) for path in chosen}
    missing = [f for f in CONDITION_FIELDS if f not in flat]
    extra = draw(st.sampled_from(missing)) if missing else CONDITION_FIELDS[0]
    return flat, extra, draw(_value_strategy(extra))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(partial_cards())
def test_stating_one_more_field_never_flips_a_decided_kz_rule(
    drawn: tuple[dict[str, Any], str, Any],
) -> None:
    """Kleene monotonicity end to end: a decided rule keeps its status as the card grows.

    (The kz pack does not use known(); the eu pack does, on purpose: an Art. 6(3) derogation
    counts only when the card claims it.)
    """
    flat, extra, value = drawn
    base = {"schema_version": "1", "id": "t", "name": "T", "owner": {"name": "O"}}
    before_card = SystemCard.model_validate(
        {**base, **_nest(flat)} | ({"owner": {"name": "O", **_nest(flat).get("owner", {})}})
    )
    after_flat = {**flat, extra: value}
    after_card = SystemCard.model_validate(
        {**base, **_nest(after_flat)}
        | ({"owner": {"name": "O", **_nest(after_flat).get("owner", {})}})
    )
    before = classify(before_card, [KZ], as_of=DAY).packs[0]
    after = classify(after_card, [KZ], as_of=DAY).packs[0]
    after_status = {r.id: r.status for r in after.rules}
    for r in before.rules:
        if r.status != "undetermined":
            assert after_status[r.id] == r.status, (r.id, extra, value)
    if before.risk_level is not None and not before.risk_level_possible:
        assert after.risk_level == before.risk_level

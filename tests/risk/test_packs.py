"""Rule packs: the built-in packs are valid and complete; broken packs fail with clear messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from senim._i18n import catalogue, message
from senim.errors import UsageError
from senim.risk import PackInvalid, load_pack, load_packs
from senim.risk._pack import BUILTIN_PACKS

KAZAKH_LETTERS = re.compile("[әғқңөұүһі]", re.IGNORECASE)
SRC = Path(__file__).resolve().parents[2] / "src" / "senim"


@pytest.mark.parametrize("name", BUILTIN_PACKS)
def test_builtin_packs_load_and_cite(name: str) -> None:
    pack = load_pack(name)
    assert pack.id == name
    assert pack.rules
    for rule in pack.model.rules:
        assert rule.citations
        for lang in ("en", "ru", "kk"):
            assert rule.title.get(lang)
            assert rule.rationale.get(lang)
        # the Kazakh text is Kazakh, not a copy of the Russian one
        assert KAZAKH_LETTERS.search(rule.rationale.kk), rule.id
        assert rule.rationale.kk != rule.rationale.ru


def test_kz_pack_covers_every_prohibited_capability_of_article_17_3() -> None:
    pack = load_pack("kz")
    points = {
        c.subparagraph
        for rule in pack.model.rules
        if rule.outcome.kind == "prohibited"
        for c in rule.citations
        if c.law == "ai-law" and c.article == "17" and c.paragraph == "3"
    }
    assert points == {"1", "2", "3", "4", "5", "6", "7"}


def test_eu_pack_covers_article_5_and_every_annex_iii_area() -> None:
    pack = load_pack("eu")
    art5 = {c.subparagraph for r in pack.model.rules for c in r.citations if c.article == "5"}
    annex = {c.paragraph for r in pack.model.rules for c in r.citations if c.article == "Annex III"}
    assert art5 == set("abcdefgh")
    assert annex == {str(i) for i in range(1, 9)}


def test_citations_render_in_three_languages() -> None:
    pack = load_pack("kz")
    rule = pack.rules["kz.prohibited.public_biometrics"]
    assert [pack.cite(c, "en") for c in rule.citations] == [
        "AI Law 230-VIII, Art. 17(3)(4)",
        "PD Law 94-V, Art. 7(12)",
    ]
    assert [pack.cite(c, "ru") for c in rule.citations] == [
        "Закон об ИИ № 230-VIII, ст. 17(3)(4)",
        "Закон о ПД № 94-V, ст. 7(12)",
    ]
    assert [pack.cite(c, "kk") for c in rule.citations] == [
        "ЖИ туралы Заң № 230-VIII, 17(3)(4)-бап",
        "ДД туралы Заң № 94-V, 7(12)-бап",
    ]
    eu = load_pack("eu")
    annex = eu.rules["eu.high.education"].citations[1]
    assert eu.cite(annex, "en") == "EU AI Act, Annex III, point 3"


def test_load_packs_spec() -> None:
    assert [p.id for p in load_packs("kz, eu")] == ["kz", "eu"]
    assert [p.id for p in load_packs(None)] == list(BUILTIN_PACKS)
    with pytest.raises(UsageError) as info:
        load_packs("kz,xx")
    assert info.value.message("en") == (
        "no rule pack named 'xx'; built-in packs: kz, eu (or give a path to a pack file)"
    )
    with pytest.raises(UsageError):
        load_packs("kz,kz")
    with pytest.raises(UsageError):
        load_packs(" , ")


PACK = """\
pack: demo
version: 0.1.0
title: {{en: Demo, ru: Демо, kk: Демо}}
jurisdiction: KZ
updated: 2026-01-01
laws:
  ai-law:
    title: {{en: AI Law, ru: Закон об ИИ, kk: ЖИ туралы заң}}
    short: {{en: AI Law, ru: Закон об ИИ, kk: ЖИ туралы заң}}
risk_levels: [minimal, high]
rules:
{rules}
"""

RULE = """\
  - id: {id}
    title: {{en: T, ru: Т, kk: Т}}
    when: '{when}'
    outcome: {outcome}
    citations: [{{law: {law}, article: "17"}}]
    rationale: {{en: R, ru: Р, kk: Ә}}
"""


def _pack(write, *rules: dict[str, str]) -> Path:  # type: ignore[no-untyped-def]
    body = "".join(
        RULE.format(
            id=r.get("id", "demo.x.y"),
            when=r.get("when", "critical_infrastructure"),
            outcome=r.get("outcome", "{kind: risk_level, level: high}"),
            law=r.get("law", "ai-law"),
        )
        for r in rules
    )
    return write("demo.yaml", PACK.format(rules=body))


def test_a_custom_pack_file_loads(write) -> None:  # type: ignore[no-untyped-def]
    pack = load_pack(_pack(write, {}))
    assert pack.id == "demo"
    assert pack.fields(pack.rules["demo.x.y"]) == ["critical_infrastructure"]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            {"when": "critical_infrastructur == true"},
            "rules[0].when (line 14): unknown card field 'critical_infrastructur' at position 0 "
            "(did you mean 'critical_infrastructure'?)",
        ),
        (
            {"when": "critical_infrastructure =="},
            "rules[0].when (line 14): unexpected 'end of condition' at position 26",
        ),
        (
            {"when": 'sector == "space"'},
            "rules[0].when (line 14): 'space' is not a possible value here (position 10); choose "
            "from: agriculture, education, employment, energy, finance, health, industry, "
            "insurance, justice, law_enforcement, media, migration, other, "
            "public_administration, retail, telecom, transport",
        ),
        (
            {"outcome": "{kind: risk_level, level: extreme}"},
            "rules[0].outcome.level (line 15): unknown level 'extreme'; levels of this pack: "
            "minimal, high",
        ),
        (
            {"law": "tax-code"},
            "rules[0].citations.0.law (line 16): unknown law 'tax-code'; laws of this pack: ai-law",
        ),
        (
            {"id": "other.x.y"},
            "rules[0].id (line 12): rule id other.x.y must start with the pack name 'demo.'",
        ),
        (
            {"when": 'result.risk_level == "high"'},
            "rules[0].when (line 14): a risk_level rule cannot read result.* or applies.* "
            "(they are computed from such rules)",
        ),
        (
            {"outcome": "{kind: obligation}"},
            "rules[0].outcome.topic (line 15): obligations and breaches need a topic",
        ),
        (
            {"outcome": "{kind: fine, fine: koap-1}"},
            "rules[0].outcome.fine (line 15): unknown fine 'koap-1'; fines of this pack: ",
        ),
        (
            {"outcome": "{kind: forbidden}"},
            'rules.0.outcome.kind (line 15): "forbidden" is not allowed; choose one of: '
            "'prohibited', 'risk_level', 'autonomy', 'obligation', 'breach' or 'fine'",
        ),
    ],
)
def test_broken_packs_fail_with_clear_messages(
    write,
    rule: dict[str, str],
    expected: str,  # type: ignore[no-untyped-def]
) -> None:
    with pytest.raises(PackInvalid) as info:
        load_pack(_pack(write, rule))
    assert [p.render("en") for p in info.value.problems] == [expected]
    assert info.value.exit_code == 2


def test_duplicate_ids_and_forward_references(write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PackInvalid) as info:
        load_pack(
            _pack(
                write,
                {
                    "id": "demo.x.a",
                    "when": "applies.demo.x.b",
                    "outcome": "{kind: obligation, topic: t}",
                },
                {"id": "demo.x.b"},
                {"id": "demo.x.b"},
            )
        )
    keys = [p.key for p in info.value.problems]
    assert keys == ["risk.cond.unknown_field", "risk.pack.duplicate_id"]


def test_every_message_key_used_by_the_risk_code_exists_in_three_languages() -> None:
    used: set[str] = set()
    files = [*list((SRC / "risk").rglob("*.py")), SRC / "cli" / "_risk.py"]
    files += list((SRC / "risk" / "templates").glob("*.j2"))
    for path in files:
        used |= set(re.findall(r"[\"'](risk\.[a-z_]+\.[a-z_.]+)[\"']", path.read_text("utf-8")))
    dynamic = {k for k in used if k.endswith(".")}
    used -= dynamic
    entries = catalogue()
    missing = sorted(k for k in used if k not in entries)
    assert not missing
    for key, entry in entries.items():
        if key.startswith("risk."):
            assert set(entry) == {"en", "ru", "kk"}, key
    # keys built at run time: levels, kinds, sizes, topics
    for pack in load_packs(None):
        for level in pack.model.risk_levels:
            assert message(f"risk.level.{level}", "kk") != f"risk.level.{level}"
        for level in pack.model.autonomy_levels:
            assert message(f"risk.autonomy.{level}", "kk") != f"risk.autonomy.{level}"
        for rule in pack.model.rules:
            assert f"risk.kind.{rule.outcome.kind}" in entries
            if rule.outcome.topic:
                assert f"risk.topic.{rule.outcome.topic}" in entries, rule.outcome.topic

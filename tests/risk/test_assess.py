"""Human-rights impact assessment: data, scoring, levels, prefill, answers files."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from senim.errors import InputError
from senim.risk import CardInvalid, SystemCard, load_card
from senim.risk._assess import assess, load_answers, load_questionnaire, prefill
from senim.risk._render import assessment_html, assessment_json, assessment_table

from .conftest import EXAMPLES

Q = load_questionnaire()
IMPACT = [q for q in Q.questions if q.kind == "impact"]
MITIGATION = [q for q in Q.questions if q.kind == "mitigation"]


def card(**fields: object) -> SystemCard:
    return SystemCard.model_validate(
        {"schema_version": "1", "id": "t", "name": "T", "owner": {"name": "O"}, **fields}
    )


def lowest(question_id: str) -> str:
    q = Q.question(question_id)
    return min(q.points, key=lambda o: q.points[o])


def highest(question_id: str) -> str:
    q = Q.question(question_id)
    return max(q.points, key=lambda o: q.points[o])


def test_questionnaire_shape() -> None:
    assert len(IMPACT) >= 20
    assert len(MITIGATION) >= 10
    assert [lv.level for lv in Q.levels] == ["I", "II", "III", "IV"]
    sections = {q.section for q in IMPACT}
    assert {"surveillance", "discrimination", "data"} <= sections
    for q in Q.questions:
        for lang in ("en", "ru", "kk"):
            assert q.text.get(lang)  # type: ignore[arg-type]


def test_all_lowest_answers_give_level_one_and_all_highest_level_four() -> None:
    low = {q.id: lowest(q.id) for q in IMPACT} | {q.id: highest(q.id) for q in MITIGATION}
    high = {q.id: highest(q.id) for q in IMPACT} | {q.id: lowest(q.id) for q in MITIGATION}
    a = assess(card(), answers=low, use_card=False)
    b = assess(card(), answers=high, use_card=False)
    assert (a.level.level, a.score, a.reduction_applied) == ("I", 0, True)
    assert (b.level.level, b.percent, b.reduction_applied) == ("IV", 100.0, False)


def test_mitigation_reduces_the_score_only_above_the_threshold() -> None:
    impact = {q.id: highest(q.id) for q in IMPACT}
    full = {q.id: highest(q.id) for q in MITIGATION}
    none = {q.id: lowest(q.id) for q in MITIGATION}
    with_mitigation = assess(card(), answers=impact | full, use_card=False)
    without = assess(card(), answers=impact | none, use_card=False)
    assert with_mitigation.reduction_applied
    assert not without.reduction_applied
    assert with_mitigation.score == pytest.approx(without.score * 0.85)
    assert with_mitigation.level.level == "IV"  # 85% is still level IV


def test_answers_are_prefilled_from_the_card_and_the_answers_file_wins() -> None:
    subject = card(
        capabilities=["biometric_identification"],
        autonomy={"human_role": "none"},
        owner={"name": "Police", "type": "law_enforcement"},
    )
    filled = prefill(subject)
    assert filled["biometric_identification"] == "yes"
    assert filled["human_role"] == "none"
    assert filled["policing_use"] == "yes"
    assert filled["human_review"] == "no"
    answers = {q.id: lowest(q.id) for q in Q.questions} | {"human_role": "decides"}
    result = assess(subject, answers=answers)
    by_id = {a.question.id: a for a in result.answers}
    assert by_id["human_role"].option == "decides"
    assert by_id["human_role"].source == "answers"


def test_unanswered_questions_are_listed() -> None:
    with pytest.raises(InputError) as info:
        assess(card(), answers={"legal_effect": "no"})
    text = info.value.message("en")
    assert text.startswith("38 question(s) are answered neither by the answers file nor by")
    assert "people_affected" in text
    assert "legal_effect" not in text


def test_interactive_answers_fill_the_gaps() -> None:
    asked: list[str] = []

    def ask(question, options):  # type: ignore[no-untyped-def]
        asked.append(question.id)
        return options[-1].id

    result = assess(card(capabilities=["chatbot"]), ask=ask)
    assert "biometric_identification" not in asked  # the card settles it
    assert len(result.answers) == len(Q.questions)
    assert {a.source for a in result.answers} == {"card", "interactive"}


def test_answers_file_validation(write) -> None:  # type: ignore[no-untyped-def]
    path = write("a.yaml", "legal_efect: yes\nhuman_role: sometimes\nchilling_effect: no\n")
    with pytest.raises(CardInvalid) as info:
        load_answers(path, Q)
    assert [p.render("en") for p in info.value.problems] == [
        "legal_efect (line 1): no such question (did you mean 'legal_effect'?)",
        "human_role (line 2): sometimes is not allowed; choose one of: decides, can_override, none",
    ]
    ok = load_answers(write("b.yaml", "legal_effect: yes\nchilling_effect: no\n"), Q)
    assert ok == {"legal_effect": "yes", "chilling_effect": "no"}


def test_example_assessment_renders_in_three_languages() -> None:
    subject = load_card(EXAMPLES / "almaty-face-recognition.yaml")
    answers = load_answers(EXAMPLES / "almaty-face-recognition.answers.yaml", Q)
    result = assess(subject, answers=answers)
    assert result.level.level == "III"
    assert "Required measures" in assessment_table(result, lang="en")
    assert "Обязательные меры" in assessment_table(result, lang="ru")
    assert "Міндетті шаралар" in assessment_html(result, lang="kk")
    assert '"level": "III"' in assessment_json(result)


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_raising_an_impact_answer_never_lowers_the_level(data: st.DataObject) -> None:
    answers = {q.id: data.draw(st.sampled_from(sorted(q.points))) for q in Q.questions}
    target = data.draw(st.sampled_from(IMPACT))
    before = assess(card(), answers=answers, use_card=False)
    after = assess(card(), answers=answers | {target.id: highest(target.id)}, use_card=False)
    order = ["I", "II", "III", "IV"]
    assert order.index(after.level.level) >= order.index(before.level.level)
    assert after.impact_raw >= before.impact_raw

"""The rule condition language: parsing, checking against the card schema, Kleene evaluation."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from senim._i18n import message
from senim.risk._card import card_field_types
from senim.risk._conditions import (
    MAX_DEPTH,
    MAX_LENGTH,
    UNKNOWN,
    ConditionError,
    check,
    evaluate,
    parse,
    paths,
)

SCHEMA = card_field_types()


def run(source: str, values: dict[str, object], today: dt.date | None = None):
    def lookup(path: str) -> object:
        value = values.get(path, UNKNOWN)
        return tuple(value) if isinstance(value, list) else value

    node = parse(source)
    return evaluate(node, lookup, today=today)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("a == true", {"a": True}, True),
        ("a == true", {"a": False}, False),
        ("a == true", {}, None),
        ("a", {"a": True}, True),
        ("not a", {"a": True}, False),
        ("not a", {}, None),
        ('x == "b"', {"x": "b"}, True),
        ('x != "b"', {"x": "c"}, True),
        ('x in ["a", "b"]', {"x": "b"}, True),
        ('x not in ["a", "b"]', {"x": "b"}, False),
        ('"KZ" in xs', {"xs": ["KZ", "US"]}, True),
        ('"KZ" not in xs', {"xs": ["US"]}, True),
        ('"KZ" not in xs', {}, None),
        ('xs intersects ["a", "z"]', {"xs": ["a", "b"]}, True),
        ('xs intersects ["z"]', {"xs": ["a", "b"]}, False),
        ("n > 10", {"n": 11}, True),
        ("n >= 10.5", {"n": 10}, False),
        ("n < -1", {"n": -2}, True),
        ("n <= 3", {"n": 3}, True),
        # Kleene logic: a known false settles 'and', a known true settles 'or'
        ("a and b", {"a": False}, False),
        ("a and b", {"a": True}, None),
        ("a or b", {"a": True}, True),
        ("a or b", {"a": False}, None),
        ("a or b", {"a": False, "b": False}, False),
        ("(a or b) and not c", {"a": True, "c": False}, True),
        ("known(a)", {}, False),
        ("known(a)", {"a": False}, True),
        ("not (known(a) and a == true)", {}, True),
        ("x == 'q\\'s'", {"x": "q's"}, True),
    ],
)
def test_evaluation(source: str, values: dict[str, object], expected: bool | None) -> None:
    assert run(source, values).value is expected


def test_unknown_fields_are_reported_only_when_they_matter() -> None:
    assert run("a and b", {"a": False}).unknown == frozenset()
    assert run("a and b", {"a": True}).unknown == frozenset({"b"})
    assert run("a or (b and c)", {"b": True}).unknown == frozenset({"a", "c"})
    assert run("a or b", {"a": True}).unknown == frozenset()


def test_days_since() -> None:
    today = dt.date(2026, 11, 22)
    assert run("days_since(d) > 365", {"d": dt.date(2025, 1, 1)}, today).value is True
    assert run("days_since(d) > 365", {"d": dt.date(2026, 1, 1)}, today).value is False
    assert run("days_since(d) > 365", {}, today).unknown == frozenset({"d"})


def test_paths() -> None:
    node = parse('a.b == true and ("x" in c or known(d)) and days_since(e) > 1')
    assert paths(node) == {"a.b", "c", "d", "e"}


TRUTHS = st.sampled_from([True, False, None])


@given(a=TRUTHS, b=TRUTHS)
def test_kleene_truth_tables(a: bool | None, b: bool | None) -> None:
    values = {k: v for k, v in (("a", a), ("b", b)) if v is not None}
    expected_and = False if False in (a, b) else (None if None in (a, b) else True)
    expected_or = True if True in (a, b) else (None if None in (a, b) else False)
    assert run("a and b", values).value is expected_and
    assert run("a or b", values).value is expected_or
    assert run("not a", values).value is (None if a is None else not a)


@pytest.mark.parametrize(
    ("source", "key"),
    [
        ("__import__('os').system('rm -rf /')", "risk.cond.bad_character"),
        ("__import__('os')", "risk.cond.unknown_function"),
        ("eval('1')", "risk.cond.unknown_function"),
        ("open('/etc/passwd')", "risk.cond.unknown_function"),
        ("a; b", "risk.cond.bad_character"),
        ("a == `ls`", "risk.cond.bad_character"),
        ("lambda: 1", "risk.cond.bad_character"),
        ("[x for x in y]", "risk.cond.list_literal_only"),
        ("a +b", "risk.cond.bad_character"),
        ("a ==", "risk.cond.unexpected"),
        ("(a", "risk.cond.expected"),
        ("a)", "risk.cond.trailing"),
        ("a == true true", "risk.cond.trailing"),
        ("", "risk.cond.empty"),
        ("   ", "risk.cond.empty"),
        ("'unterminated", "risk.cond.bad_character"),
        ("x == 'a\\q'", "risk.cond.bad_escape"),
        ("known('x')", "risk.cond.call_needs_field"),
        ("known(and)", "risk.cond.call_needs_field"),
        ("[a] == b", "risk.cond.list_literal_only"),
        ("and", "risk.cond.unexpected"),
        ("a == \x00", "risk.cond.bad_character"),
    ],
)
def test_malicious_or_broken_input_is_rejected(source: str, key: str) -> None:
    with pytest.raises(ConditionError) as info:
        parse(source)
    assert info.value.key == key
    assert info.value.position >= 0
    # every error renders to a real sentence in every language
    for lang in ("en", "ru", "kk"):
        text = message(info.value.key, lang, **info.value.params)
        assert text != info.value.key
        assert "{" not in text


def test_dunder_paths_fail_the_schema_check() -> None:
    errors = check(parse("capabilities.__class__ == true"), SCHEMA)
    assert [e.key for e in errors] == ["risk.cond.unknown_field"]


def test_nesting_and_size_limits() -> None:
    deep = "(" * (MAX_DEPTH + 5) + "a" + ")" * (MAX_DEPTH + 5)
    with pytest.raises(ConditionError) as info:
        parse(deep)
    assert info.value.key == "risk.cond.too_deep"
    nots = "not " * (MAX_DEPTH + 5) + "a"
    with pytest.raises(ConditionError) as info:
        parse(nots)
    assert info.value.key == "risk.cond.too_deep"
    with pytest.raises(ConditionError) as info:
        parse("a or " * (MAX_LENGTH // 5) + "a")
    assert info.value.key == "risk.cond.too_long"
    with pytest.raises(ConditionError) as info:
        parse("x in [" + ", ".join(['"v"'] * 300) + "]")
    assert info.value.key == "risk.cond.list_too_long"


def test_parser_does_not_evaluate_python() -> None:
    # A string that would have side effects under eval is just a string literal here.
    node = parse("purpose == \"__import__('os').system('echo pwned')\"")
    errors = check(node, SCHEMA)
    assert errors == []
    outcome = evaluate(node, lambda path: "x")
    assert outcome.value is False


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_fuzzed_text_only_ever_raises_condition_error(source: str) -> None:
    try:
        node = parse(source)
    except ConditionError:
        return
    check(node, SCHEMA)  # never raises; returns problems


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.sampled_from(["a", "b", "c", "true", "false"]),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            inner.map(lambda x: f"not {x}"),
        ),
        max_leaves=12,
    ),
    st.fixed_dictionaries(
        {}, optional={"a": st.booleans(), "b": st.booleans(), "c": st.booleans()}
    ),
)
def test_filling_unknowns_never_flips_a_decided_answer(source: str, known: dict[str, bool]) -> None:
    """Kleene monotonicity: a decided result stays when more fields become known."""
    partial = run(source, dict(known))
    full = run(source, {"a": True, "b": False, "c": True, **known})
    if partial.value is not None:
        assert full.value is partial.value
    else:
        assert partial.unknown  # undecided results name what is missing


@pytest.mark.parametrize(
    ("source", "key"),
    [
        ('failure_impact == "catastrophic"', "risk.cond.bad_value"),
        ('"teleportation" in capabilities', "risk.cond.bad_value"),
        ('capabilites intersects ["chatbot"]', "risk.cond.unknown_field"),
        ('personal_data.processed == "yes"', "risk.cond.type_mismatch"),
        ('capabilities == "chatbot"', "risk.cond.type_mismatch"),
        ("affected_persons.estimated_count", "risk.cond.not_boolean"),
        ("risk_management.last_review > 3", "risk.cond.type_mismatch"),
        ("days_since(role) > 3", "risk.cond.type_mismatch"),
        ('["a", 1] intersects capabilities', "risk.cond.mixed_list"),
        ('role in "owner"', "risk.cond.type_mismatch"),
    ],
)
def test_schema_check(source: str, key: str) -> None:
    errors = check(parse(source), SCHEMA)
    assert key in [e.key for e in errors]


def test_unknown_field_suggests_the_closest_name() -> None:
    (error,) = check(parse("personal_data.procesed == true"), SCHEMA)
    assert message(error.key, "en", **error.params) == (
        "unknown card field 'personal_data.procesed' at position 0 "
        "(did you mean 'personal_data.processed'?)"
    )

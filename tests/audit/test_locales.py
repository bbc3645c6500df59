from __future__ import annotations

import string
from importlib import resources

import pytest
import yaml

KAZAKH_LETTERS = set("әғқңөұүһі")


def _entries() -> dict[str, dict[str, str]]:
    text = resources.files("senim.locales").joinpath("audit.yaml").read_text("utf-8")
    return yaml.safe_load(text)  # type: ignore[no-any-return]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize(("key", "entry"), sorted(_entries().items()))
def test_every_message_in_three_languages_with_same_placeholders(
    key: str, entry: dict[str, str]
) -> None:
    assert key.startswith("audit.")
    assert set(entry) == {"en", "ru", "kk"}
    assert all(entry[lang].strip() for lang in entry)
    assert _fields(entry["en"]) == _fields(entry["ru"]) == _fields(entry["kk"])


def test_kazakh_texts_are_kazakh() -> None:
    long_kk = [e["kk"] for e in _entries().values() if len(e["kk"]) > 40]
    with_letters = [text for text in long_kk if KAZAKH_LETTERS & set(text.lower())]
    assert len(with_letters) / len(long_kk) > 0.9


def test_policy_rationales_in_three_languages() -> None:
    from senim.audit import load_policy

    policy = load_policy()
    for criterion in policy.criteria:
        assert set(criterion.rationale) == {"en", "ru", "kk"}
        assert KAZAKH_LETTERS & set(criterion.rationale["kk"].lower())
    assert set(policy.drift.rationale) == {"en", "ru", "kk"}

from __future__ import annotations

import pytest

from senim.discovery._context import ContextMatcher, words
from senim.discovery._scanner import column_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ИИН:", "иин"),
        ("(жсн)", "жсн"),
        ("иинфо", None),
        ("телефона клиента", "телефон*"),
        ("Дата рождения", "дата рождения"),
        ("дата рожденияx", None),
        ("Туған күні", "туған күні"),
    ],
)
def test_whole_word_and_stems(text: str, expected: str | None) -> None:
    matcher = ContextMatcher(
        {"ru": ("иин", "телефон*", "дата рождения"), "kk": ("жсн", "туған күні")}
    )
    assert matcher.find_in(text) == expected


def test_words_keep_kazakh_letters() -> None:
    assert words("Әбіш ҰЛЫ, қызы-ңөүһі") == ["әбіш", "ұлы", "қызы", "ңөүһі"]


def test_column_words() -> None:
    assert column_words("clientPhone_2") == ["client", "phone", "2"]
    assert column_words("client.iin") == ["client", "iin"]


def test_window_drops_words_cut_by_its_edges() -> None:
    from senim.discovery._scanner import _window

    text = "email ivanov@mail.kz IBAN KZ86125KZT5004100100 IP 95.56.1.2 and a long tail телевизор"
    start = text.index("95.56")
    before, after = _window(text, start, start + len("95.56.1.2"))
    assert not before.startswith("v@")
    assert before.endswith("IP ")
    long = "x" * 50 + " телевизор"
    _, after = _window("1.2.3.4 " + long, 0, 7)
    assert "тел" not in after

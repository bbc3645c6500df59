"""Every message a person reads exists in Kazakh, Russian and English."""

from __future__ import annotations

import re
import string

import pytest

from senim._i18n import LANGS, catalogue, for_terminal, message, resolve_lang

KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("key", sorted(catalogue()))
def test_every_message_in_three_languages(key: str) -> None:
    entry = catalogue()[key]
    assert set(entry) >= set(LANGS), f"{key} lacks {set(LANGS) - set(entry)}"
    for lang in LANGS:
        assert isinstance(entry[lang], str)
        assert entry[lang].strip(), f"{key}[{lang}] is empty"
    fields = {lang: _fields(entry[lang]) for lang in LANGS}
    assert fields["ru"] == fields["en"] == fields["kk"], f"{key}: placeholders differ"


def test_kazakh_catalogue_uses_kazakh_letters() -> None:
    kk = " ".join(entry["kk"] for entry in catalogue().values())
    assert KAZAKH_LETTERS & set(kk) >= set("әғқңөұүі")


def test_message_rendering_and_language_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    assert message("error.path_not_found", "kk", path="x") == "x: мұндай файл немесе қалта жоқ"
    assert message("error.path_not_found", "ru", path="x") == "x: файл или папка не найдены"
    assert message("no.such.key") == "no.such.key"
    monkeypatch.setenv("SENIM_LANG", "kz")
    assert resolve_lang() == "kk"
    assert resolve_lang("RU") == "ru"
    assert resolve_lang("fr") == "en"


def test_a_path_that_is_not_utf8_renders_as_escapes() -> None:
    """Python holds a file name's non-UTF-8 bytes as lone surrogates, which no output can
    write: a message names them as ``\\xNN``, the rest of the name as it is."""
    path = "папка/\udcff\udcfeклиент.txt"  # b"\xff\xfe" in a cp1251-era name
    for lang in LANGS:
        text = message("error.path_not_found", lang, path=path)
        text.encode("utf-8")  # writable anywhere
        assert text.startswith("папка/\\xff\\xfeклиент.txt: ")


def test_no_cyrillic_in_english_messages() -> None:
    offenders = [
        k
        for k, e in catalogue().items()
        if re.search("[а-яА-ЯәғқңөұүһіЁё]", e["en"].replace("сенім", ""))
    ]
    # entity names written in Russian/Kazakh inside English text would be a translation miss
    # (the product's own name, сенім, is the one Kazakh word English text may hold)
    assert offenders == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain ascii", "plain ascii"),
        ("Алматы, Төле би көшесі", "Алматы, Төле би көшесі"),
        ("rows\n\tindented\n", "rows\n\tindented\n"),  # lines and tabs are the layout
        ("group \x1b[2J cleared", "group \\x1b[2J cleared"),
        ("carriage\rreturn", "carriage\\x0dreturn"),
        ("bell\x07 and del\x7f and csi\x9b", "bell\\x07 and del\\x7f and csi\\x9b"),
    ],
)
def test_text_for_a_terminal_escapes_control_characters(text: str, expected: str) -> None:
    assert for_terminal(text) == expected

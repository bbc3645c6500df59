"""--help in Kazakh, Russian and English: every text translated, chosen by --lang or
$SENIM_LANG."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import typer.main

from senim._i18n import catalogue, message
from senim.cli import app
from senim.cli._help import help_lang


def _texts(command: Any) -> Iterator[str]:
    if command.help:
        yield command.help
    for param in command.params:
        if getattr(param, "help", None):
            yield param.help
    for sub in getattr(command, "commands", {}).values():
        yield from _texts(sub)


def _entries() -> dict[str, dict[str, str]]:
    return {k: v for k, v in catalogue().items() if k.startswith("help.")}


def test_every_help_text_has_its_translations() -> None:
    english = {entry["en"]: entry for entry in _entries().values()}
    texts = set(_texts(typer.main.get_command(app)))
    missing = sorted(t[:60] for t in texts if t not in english)
    assert not missing, "add these to locales/help.yaml (en word for word, ru, kk)"
    for text in texts:
        entry = english[text]
        assert entry["ru"]
        assert entry["kk"]
        assert entry["ru"] != entry["kk"]


def test_no_translation_is_left_over() -> None:
    texts = set(_texts(typer.main.get_command(app)))
    stale = [
        k for k, v in _entries().items() if not k.startswith("help.ui.") and v["en"] not in texts
    ]
    assert not stale, "these English help texts are no longer in the code"


@pytest.mark.parametrize(
    ("argv", "env", "lang"),
    [
        (["scan", "--help"], None, None),
        (["scan", "--help", "--lang", "kk"], None, "kk"),
        (["scan", "--lang=ru", "--help"], None, "ru"),
        (["scan", "--help"], "ru", "ru"),
        (["scan", "--help", "--lang", "en"], "ru", None),
        ([], "kk", "kk"),  # `senim` alone shows the help
        (["scan", "x.csv", "--lang", "kk"], None, None),  # not a help request
    ],
)
def test_help_language(
    argv: list[str], env: str | None, lang: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if env is None:
        monkeypatch.delenv("SENIM_LANG", raising=False)
    else:
        monkeypatch.setenv("SENIM_LANG", env)
    assert help_lang(argv) == lang


_SHOW_HELP = (
    "import sys\n"
    "from senim.cli import main\n"
    "sys.argv = {argv!r}\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_scan_help_in_kazakh_and_russian(lang: str, fresh_python: Callable[..., list[str]]) -> None:
    out = "\n".join(
        fresh_python(_SHOW_HELP.format(argv=["senim", "scan", "--help", "--lang", lang]))
    )
    screen = " ".join(out.split())  # the help wraps lines
    assert " ".join(message("help.scan.entities", lang).split()) in screen
    assert f"{message('help.ui.options', lang)}:" in out
    assert f"[{message('help.ui.default', lang, default='table')}]" in screen
    assert "Only these entities" not in screen


def test_command_list_in_russian_from_the_environment(
    fresh_python: Callable[..., list[str]],
) -> None:
    out = fresh_python(_SHOW_HELP.format(argv=["senim", "--help"]), SENIM_LANG="ru")
    assert f"{message('help.ui.commands', 'ru')}:" in out
    assert any(line.strip().startswith("scan") and "Найти" in line for line in out)


def test_english_help_is_the_code_text(fresh_python: Callable[..., list[str]]) -> None:
    out = fresh_python(_SHOW_HELP.format(argv=["senim", "scan", "--help"]), SENIM_LANG="en")
    screen = " ".join(" ".join(out).split())
    assert "Only these entities, comma-separated" in screen
    assert "Options:" in out

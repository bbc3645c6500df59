"""``--help`` in Kazakh, Russian or English.

The help texts in the code are English. When help is asked for (``--help``, or ``senim``
alone) in another language (``--lang`` on the command line, else ``$SENIM_LANG``), every
command's and option's text is replaced by its translation from the message catalogue
(``locales/help.yaml``, found by its English text) before the help is drawn, and so are the
help screen's own words (Options, default, required ...). Commands that do work never load
the catalogue for this.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from senim._i18n import Lang, catalogue, resolve_lang

__all__ = ["help_lang", "localize"]

_UI = "help.ui."
"""Catalogue keys of the help screen's own words (the rest: command and option texts)."""


def help_lang(argv: Sequence[str]) -> Lang | None:
    """The language of a help request other than English (``None``: not help, or English)."""
    if argv and "--help" not in argv:
        return None
    lang: str | None = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.partition("=")[2]
    code = resolve_lang(lang)
    return None if code == "en" else code


def translations(lang: Lang) -> tuple[dict[str, str], dict[str, str]]:
    """``({English help text: translation}, {English screen word: translation})``."""
    texts: dict[str, str] = {}
    words: dict[str, str] = {}
    for key, entry in catalogue().items():
        if key.startswith("help.") and entry.get(lang):
            (words if key.startswith(_UI) else texts)[entry["en"]] = entry[lang]
    return texts, words


def localize(command: Any, lang: Lang) -> None:
    """Translate the help of ``command`` (a click command built by typer) and of every
    subcommand, and the words typer draws help screens with, into ``lang``."""
    import typer.core
    from typer._click.core import Context

    texts, words = translations(lang)

    def walk(cmd: Any) -> None:
        cmd.help = texts.get(cmd.help, cmd.help)
        option = cmd.get_help_option(Context(cmd))  # created once per command, then kept
        for param in [*cmd.params, *([option] if option is not None else [])]:
            help_text = getattr(param, "help", None)
            if help_text:
                param.help = texts.get(help_text, words.get(help_text, help_text))
        for sub in getattr(cmd, "commands", {}).values():
            walk(sub)

    walk(command)
    # typer draws "Options", "default: ..." and "required" through gettext, looked up at
    # each call from its module's ``_``; no catalogue for kk or ru ships with it
    names = vars(typer.core)
    english: Callable[[str], str] = names["_"]
    names["_"] = lambda text: words.get(text, english(text))

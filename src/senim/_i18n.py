"""Message catalogue: every sentence a person reads, in Kazakh, Russian and English.

Messages live in ``locales/*.yaml`` (one file per subsystem: ``core.yaml``, ``scan.yaml``,
``risk.yaml``, ``audit.yaml`` ...) as ``key: {en: ..., ru: ..., kk: ...}`` with ``str.format``
placeholders. Keys are unique across files. Code refers to messages by key; tests assert exact text
through :func:`message`.
"""

from __future__ import annotations

import os
import re
from functools import cache
from importlib import resources
from typing import Literal, cast, get_args

Lang = Literal["en", "ru", "kk"]
LANGS: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "en"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """The whole catalogue, loaded once: ``{key: {lang: template}}``."""
    import yaml  # only when a message is first needed (a clean scan shows none)

    merged: dict[str, dict[str, str]] = {}
    folder = resources.files("senim.locales")
    for item in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if not item.name.endswith(".yaml"):
            continue
        data = cast(dict[str, dict[str, str]], yaml.safe_load(item.read_text("utf-8")) or {})
        duplicated = merged.keys() & data.keys()
        if duplicated:
            raise RuntimeError(f"duplicate message keys in {item.name}: {sorted(duplicated)}")
        merged.update(data)
    return merged


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters but the tab and the new line, which text laid out in lines holds."""


def _escape(match: re.Match[str]) -> str:
    """A control character matched as ``\\xNN``."""
    return f"\\x{ord(match.group()):02x}"


def for_terminal(text: str) -> str:
    """``text`` with control characters other than tabs and new lines written as ``\\xNN``,
    as :func:`shown` writes them in names: what comes from the data (a group's value, a
    card's name, a column, a reason a library gave) can then not rewrite a terminal."""
    if text.isascii() and text.isprintable():
        return text
    return _CONTROL_IN_TEXT.sub(_escape, text)


def shown(path: str | os.PathLike[str]) -> str:
    """``path`` as senim names it: the path itself, with ``\\xNN`` escapes for bytes that
    are not UTF-8 and for control characters.

    Bytes that are not UTF-8 come from names made on a system with another encoding
    (cp1251 or cp866 names copied from Windows, a zip unpacked by a tool that kept the
    bytes): Python keeps them as lone surrogates, which JSON, Arrow and the terminal cannot
    encode. Control characters (an escape sequence, a new line) in a file name would
    reach the terminal of whoever reads the report, where they can rewrite what is shown.
    The file itself is still opened by its real path.
    """
    text = os.fspath(path)
    if text.isascii() and text.isprintable():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _escaped_bytes(text)
    return _CONTROL.sub(_escape, text)


def _escaped_bytes(text: str) -> str:
    """``text`` with the bytes Python keeps as lone surrogates (``surrogateescape``, as
    ``os.fsdecode`` gives them) written as ``\\xNN``."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def resolve_lang(lang: str | None = None) -> Lang:
    """Pick a language: explicit value, then ``$SENIM_LANG``, then English."""
    value = (lang or os.environ.get("SENIM_LANG") or DEFAULT_LANG).strip().lower()
    value = {"kz": "kk", "kaz": "kk", "rus": "ru", "eng": "en"}.get(value, value)
    return value if value in LANGS else DEFAULT_LANG


def message(key: str, lang: str | None = None, /, **params: object) -> str:
    """Render message ``key`` in ``lang`` (falls back to English, then to the key)."""
    entry = catalogue().get(key)
    if entry is None:
        return key
    template = entry.get(resolve_lang(lang)) or entry.get(DEFAULT_LANG) or key
    if not params:
        return template
    text = template.format(**params)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # a path whose bytes are not UTF-8 (Python holds them as lone surrogates, which no
        # output can write): those bytes as \xNN escapes, as :func:`shown` names such files
        text = _escaped_bytes(text)
    return text

"""Name lexicons for PERSON: given names, surnames and patronymics in kk/ru/en.

Sources: the Kazakh, Russian, Ukrainian and English person datasets of `mimesis` (MIT
licence, https://github.com/lk-geimfari/mimesis; read from the installed package, not
copied), plus ``data/names_kk_extra.txt`` (Kazakh given names) and
``data/names_en_extra.txt`` (common English given names mimesis leaves out, from the US
Social Security Administration's lists as compiled in Faker). Every Cyrillic name also gets
its Latin transliterations (passport-style and the 2021 Kazakh Latin alphabet), so
"Нұрсұлтан" covers "Nursultan".

Building the lexicon (reading the datasets, case-folding and transliterating some 20,000
names) takes every scanning process about 20 ms at start-up; the result is kept in a cache
file (``$SENIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/senim`` or ``~/.cache/senim``), keyed by
everything it is built from, and read back in a few milliseconds. The lexicon holds public name
lists only, no scanned data. Where the cache cannot be read or written the lexicon is built
as before.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import marshal
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

__all__ = ["Lexicon", "lexicon", "transliterations"]

log = logging.getLogger("senim.scan")

_LOCALES = ("kk", "ru", "uk", "en")
_EXTRA_GIVEN = ("names_kk_extra.txt", "names_en_extra.txt")
"""senim's own given-name lists (data/): names the mimesis lists leave out."""

# Two common romanisations: passport-style (ICAO-like) and Kazakh Latin 2021.
_TRANSLIT_PASSPORT = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n",
    "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u",
    "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
_TRANSLIT_KZ2021 = {
    **_TRANSLIT_PASSPORT,
    "ә": "ä", "ғ": "ğ", "й": "i", "қ": "q", "ң": "ñ", "ө": "ö", "ұ": "ū", "ү": "ü",
    "х": "h", "ш": "ş", "ч": "ç", "ы": "y", "і": "ı", "ю": "iu", "я": "ia", "щ": "şş",
}  # fmt: skip
_TRANSLIT_COMMON = {**_TRANSLIT_PASSPORT, "й": "y", "ю": "yu", "я": "ya", "е": "e", "ы": "y"}


_TABLES = tuple(
    str.maketrans(table) for table in (_TRANSLIT_PASSPORT, _TRANSLIT_KZ2021, _TRANSLIT_COMMON)
)
_CYRILLIC = re.compile("[а-яёәғқңөұүһі]")


def transliterations(name: str) -> set[str]:
    """Latin spellings of a Cyrillic name (lower case); empty for a Latin name.

    An initial "е" is also written "ye" (Yerlan, Yelena), as it is in many Kazakh passports
    and in English texts.
    """
    low = name.casefold()
    return _latin_spellings([low]) if _CYRILLIC.search(low) else set()


def _latin_spellings(names: list[str]) -> set[str]:
    """:func:`transliterations` of case-folded Cyrillic ``names``, all together: each table
    runs once over all of them (a lexicon's thousands of names in one call per table)."""
    out: set[str] = set()
    if not names:
        return out
    joined = "\n".join(names)
    for table in _TABLES:
        spellings = joined.translate(table).split("\n")
        out.update(spellings)
        pairs = zip(spellings, names, strict=True)
        out.update("y" + spelling for spelling, name in pairs if name.startswith("е"))
    return out


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Case-folded name sets."""

    given: frozenset[str]
    surnames: frozenset[str]
    patronymics: frozenset[str]


def _dataset(locale: str) -> dict[str, object]:
    """mimesis's person dataset for ``locale``, read from the installed package's data files.

    The package is located, not imported: importing mimesis loads its whole provider
    machinery (about 0.1 s, at every scanner start) and senim only reads its JSON.
    """
    for path in _dataset_paths(locale):
        try:
            data: dict[str, object] = json.loads(path.read_text("utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        return data
    return {}


def _dataset_paths(locale: str) -> list[Path]:
    """Where mimesis's person dataset for ``locale`` may be (the first readable one counts)."""
    return [Path(folder, "datasets", locale, "person.json") for folder in _mimesis_folders()]


@cache
def _mimesis_folders() -> tuple[str, ...]:
    """The installed mimesis package's folders (looked up once: the cache key and the build
    both ask, for every locale)."""
    spec = importlib.util.find_spec("mimesis")
    if spec is None or not spec.submodule_search_locations:
        return ()
    return tuple(spec.submodule_search_locations)


def _names(value: object) -> list[str]:
    if isinstance(value, dict):
        return [n for v in value.values() if isinstance(v, list) for n in v if isinstance(n, str)]
    if isinstance(value, list):
        return [n for n in value if isinstance(n, str)]
    return []


@cache
def lexicon() -> Lexicon:
    """Load (once) every name list; Cyrillic entries add their Latin transliterations.

    Read from the cache file when one was written from the same inputs (see the module's
    documentation), else built and the cache file written."""
    key = _cache_key()
    path = _cache_dir() / f"lexicon-{key}.marshal"
    found = _cached(path)
    if found is not None:
        return found
    built = _built()
    _keep(path, built)
    return built


_CACHE_FILES = 4
"""Lexicon cache files kept side by side (one per installation or version in use)."""
_CACHE_FORMAT = "1"
"""Part of the cache key: changed when what a cache file holds changes shape."""


def _cache_dir() -> Path:
    explicit = os.environ.get("SENIM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "senim"


def _cache_key() -> str:
    """A digest of everything the lexicon is built from: the dataset and name-list files
    (path, size, modification time), this module's own source (its tables and rules) and
    the Python version (``marshal``'s format)."""
    folder = resources.files("senim.discovery.data")
    files = [
        *(p for locale in _LOCALES for p in _dataset_paths(locale)),
        *(Path(str(folder.joinpath(extra))) for extra in _EXTRA_GIVEN),
        Path(__file__),
    ]
    parts = [_CACHE_FORMAT, f"{sys.version_info[0]}.{sys.version_info[1]}"]
    for file in files:
        try:
            st = file.stat()
        except OSError:
            parts.append(f"{file}:-")
            continue
        parts.append(f"{file}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _cached(path: Path) -> Lexicon | None:
    """The lexicon in the cache file at ``path``, or ``None`` (none, unreadable, damaged)."""
    try:
        data = marshal.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, TypeError) as exc:
        log.debug("name lexicon cache %s unreadable: %s", path, exc)
        return None
    if not (isinstance(data, tuple) and len(data) == 3):
        return None
    if not all(isinstance(d, frozenset) for d in data):
        return None
    return Lexicon(given=data[0], surnames=data[1], patronymics=data[2])


def _keep(path: Path, lex: Lexicon) -> None:
    """Write ``lex`` to the cache file at ``path`` (whole or not at all); a cache that
    cannot be written is only a slower start."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".lexicon-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(marshal.dumps((lex.given, lex.surnames, lex.patronymics)))
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
        # other installations (another virtual environment, another senim) keep theirs;
        # the least recently written beyond a few go
        kept = sorted(path.parent.glob("lexicon-*.marshal"), key=_written, reverse=True)
        for old in kept[_CACHE_FILES:]:
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("name lexicon cache %s not written: %s", path, exc)


def _written(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _built() -> Lexicon:
    """Every name list read and folded, Cyrillic names with their transliterations."""
    given: set[str] = set()
    surnames: set[str] = set()
    patronymics: set[str] = set()
    for locale in _LOCALES:
        data = _dataset(locale)
        given.update(_names(data.get("names")))
        surnames.update(_names(data.get("surnames")))
        patronymics.update(_names(data.get("patronymic")))
    folder = resources.files("senim.discovery.data")
    for extra in _EXTRA_GIVEN:
        for line in folder.joinpath(extra).read_text("utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                given.add(line)

    def fold(items: set[str]) -> frozenset[str]:
        low = {item.casefold() for item in items}
        return frozenset(low | _latin_spellings([n for n in low if _CYRILLIC.search(n)]))

    return Lexicon(given=fold(given), surnames=fold(surnames), patronymics=fold(patronymics))

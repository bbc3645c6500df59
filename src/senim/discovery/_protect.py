"""Keyed hashes and masked previews: how senim refers to a value without holding it.

The hash key comes from ``$SENIM_HASH_KEY`` (hex or text), ``$SENIM_HASH_KEY_FILE``, or a
per-user key file created on first use (``$XDG_CONFIG_HOME/senim/hash.key``, mode 0600), so
the same value gives the same digest across runs on one machine and cannot be brute-forced
from a report without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import polars as pl

__all__ = ["KeyedHasher", "mask_preview", "mask_previews"]

_MASK = "•"


def _default_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "senim" / "hash.key"


def _load_key() -> bytes:
    raw = os.environ.get("SENIM_HASH_KEY")
    if raw:
        return raw.encode("utf-8")
    path = Path(os.environ.get("SENIM_HASH_KEY_FILE") or _default_key_file())
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    except OSError:
        return secrets.token_bytes(32)  # unreadable location: an ephemeral per-run key
    key = secrets.token_hex(32).encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
    except FileExistsError:
        return path.read_bytes().strip()
    except OSError:
        pass
    return key


class KeyedHasher:
    """HMAC-SHA256 of ``entity:normalised value``, truncated to 16 hex characters."""

    def __init__(self, *, key: bytes | None = None) -> None:
        self._key = key if key is not None else _load_key()
        self._mac = hmac.new(self._key, digestmod=hashlib.sha256)

    def digest(self, entity: str, value: str) -> str:
        norm = _NOT_KEPT.sub("", value.casefold())
        mac = self._mac.copy()  # the keyed state is prepared once
        mac.update(f"{entity}:{norm}".encode())
        return mac.hexdigest()[:16]

    def __getstate__(self) -> bytes:
        return self._key

    def __setstate__(self, key: bytes) -> None:
        self.__init__(key=key)  # type: ignore[misc]


_NOT_KEPT = re.compile(r"[^\w@.]|_")
"""What the digest ignores: everything but letters, digits (``str.isalnum``), ``@`` and ``.``."""


_ALNUM = re.compile(r"[^\W_]")
_WORD = re.compile(r"[^\W\d_]+")


def mask_preview(value: str) -> str:
    """A masked preview that keeps shape, not content.

    Separators stay; letters keep only the first letter of each word; in long digit runs
    (10 or more characters) the first two and last two characters stay visible.
    Short values are fully masked.
    """
    masked = _ALNUM.sub(_MASK, value)
    n = len(value)
    if n < 4:
        return masked
    alnum = masked.count(_MASK) - value.count(_MASK)
    if alnum >= 10 and sum(map(str.isdecimal, value)) >= alnum * 0.8:
        chars = list(masked)
        for i in (*_edge_alnum(value, range(n)), *_edge_alnum(value, range(n - 1, -1, -1))):
            chars[i] = value[i]
        return "".join(chars)
    if alnum < 6:
        return masked
    chars = list(masked)
    for m in _WORD.finditer(value):
        chars[m.start()] = value[m.start()]
    return "".join(chars)


def _edge_alnum(value: str, order: range) -> list[int]:
    """Positions of the first two letters/digits of ``value`` met in ``order``."""
    found: list[int] = []
    for i in order:
        if value[i].isalnum():
            found.append(i)
            if len(found) == 2:
                break
    return found


# The same rule in Rust regex classes: Python's ``str.isalnum`` is Unicode's letters and
# numbers, ``str.isdecimal`` its decimal digits, and ``[^\W\d_]`` letters and non-decimal
# numbers.
_RS_ALNUM = r"[\p{L}\p{N}]"
_RS_NOT_ALNUM = r"[^\p{L}\p{N}]"
_RS_WORD = r"[\p{L}\p{Nl}\p{No}]"
_RS_EDGES = (
    rf"(?s)^({_RS_NOT_ALNUM}*{_RS_ALNUM}{_RS_NOT_ALNUM}*{_RS_ALNUM})"
    rf"(.*)({_RS_ALNUM}{_RS_NOT_ALNUM}*{_RS_ALNUM}{_RS_NOT_ALNUM}*)$"
)


def mask_previews(values: pl.Series) -> pl.Series:
    """:func:`mask_preview` of every value of a string Series, in one polars pass."""
    v = pl.col("v")
    masked = v.str.replace_all(_RS_ALNUM, _MASK)
    alnum = v.str.count_matches(_RS_ALNUM)
    digits = v.str.count_matches(r"\p{Nd}")
    edges = v.str.extract_groups(_RS_EDGES)
    keep_edges = pl.concat_str(
        edges.struct[0],
        edges.struct[1].str.replace_all(_RS_ALNUM, _MASK),
        edges.struct[2],
    )
    runs = v.str.extract_all(rf"(?s){_RS_WORD}+|{_RS_NOT_ALNUM}+|\p{{Nd}}+")
    run = pl.element()
    first_letters = runs.list.eval(
        pl.when(run.str.contains(rf"^{_RS_WORD}"))
        .then(run.str.slice(0, 1) + run.str.slice(1).str.replace_all(_RS_ALNUM, _MASK))
        .otherwise(run.str.replace_all(_RS_ALNUM, _MASK))
    ).list.join("")
    preview = (
        pl.when((v.str.len_chars() < 4) | (alnum < 6))
        .then(masked)
        .when((alnum >= 10) & (digits >= alnum * 0.8))
        .then(keep_edges)
        .otherwise(first_letters)
    )
    frame = pl.DataFrame({"v": values.cast(pl.String)})
    return frame.select(preview.alias(values.name))[values.name]

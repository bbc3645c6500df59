"""Keyed hashes and masked previews: how senim refers to a value without holding it.

The hash key comes from ``$SENIM_HASH_KEY`` (hex or text), ``$SENIM_HASH_KEY_FILE``, or a
per-user key file created on first use (``$XDG_CONFIG_HOME/senim/hash.key``, mode 0600), so
the same value gives the same digest across runs on one machine and cannot be brute-forced
from a report without the key.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from senim.discovery._native import kernel

__all__ = ["KeyedHasher", "mask_preview"]

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
        # HMAC (RFC 2104) as its two keyed SHA-256 states, prepared once: copying a
        # ``hashlib`` state costs half of what copying an ``hmac`` object does
        block = hashlib.sha256().block_size
        padded = self._key if len(self._key) <= block else hashlib.sha256(self._key).digest()
        padded = padded.ljust(block, b"\0")
        self._inner = _sha256(padded.translate(_IPAD))
        self._outer = _sha256(padded.translate(_OPAD))

    def digest(self, entity: str, value: str) -> str:
        norm = _digested(value)
        inner = self._inner.copy()
        inner.update(f"{entity}:{norm}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()[:16]

    def digests(self, entities: list[str], values: list[str]) -> list[str]:
        """:meth:`digest` of each (entity, value) pair, in one call (compiled where the
        kernel is built: ``_kernel.digests``)."""
        if kernel is not None:
            found: list[str] = kernel.digests(self._inner, self._outer, entities, values)
            return found
        return [self.digest(e, v) for e, v in zip(entities, values, strict=True)]

    def __getstate__(self) -> bytes:
        return self._key

    def __setstate__(self, key: bytes) -> None:
        self.__init__(key=key)  # type: ignore[misc]


class _State(Protocol):
    """A hash state (``hashlib``'s or CPython's built-in SHA-256)."""

    def copy(self) -> _State: ...
    def update(self, data: bytes, /) -> None: ...
    def digest(self) -> bytes: ...
    def hexdigest(self) -> str: ...


def _sha256(data: bytes) -> _State:
    """A SHA-256 state after ``data``, of CPython's own implementation where it has one.

    A digest copies two states (:meth:`KeyedHasher.digest`); copying the built-in state is
    a copy of a small struct, copying an OpenSSL context (what ``hashlib.sha256`` gives)
    takes more than twice as long, a third of a digest. Both compute the same SHA-256; a
    Python without the built-in module (``_sha2`` from 3.12, ``_sha256`` before) uses
    ``hashlib``'s.
    """
    for module in ("_sha2", "_sha256"):
        try:
            state: _State = importlib.import_module(module).sha256(data)
        except (ImportError, AttributeError):
            continue
        return state
    return hashlib.sha256(data)  # pragma: no cover - a Python built without them


_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))
"""``bytes.translate`` tables: a key byte XOR-ed with HMAC's inner and outer pads."""

_NOT_KEPT = re.compile(r"[^\w@.]|_")
"""What the digest ignores: everything but letters, digits (``str.isalnum``), ``@`` and ``.``."""


def _digested_py(value: str) -> str:
    """What a keyed digest covers of ``value``: the case-folded value without what
    :data:`_NOT_KEPT` ignores. The reference of the compiled ``_kernel.digested``."""
    return _NOT_KEPT.sub("", value.casefold())


class _MaskTable(dict[int, int]):
    """``str.translate`` table: letters and digits to the mask, the rest kept; filled on
    first sight of each character."""

    def __missing__(self, code: int) -> int:
        out = _MASK_CODE if chr(code).isalnum() else code
        self[code] = out
        return out


_MASK_CODE = ord(_MASK)
_MASKED = _MaskTable()
_WORD = re.compile(r"[^\W\d_]+")


def _mask_preview_py(value: str) -> str:
    """A masked preview that keeps shape, not content.

    Separators stay; letters keep only the first letter of each word; in long digit runs
    (10 or more characters) the first two and last two characters stay visible.
    Short values are fully masked. The reference of the compiled ``_kernel.mask_preview``
    (see :mod:`senim.discovery._native`), which :func:`mask_preview` is when the install
    built it.
    """
    masked = value.translate(_MASKED)
    n = len(value)
    if n < 4:
        return masked
    alnum = masked.count(_MASK) - value.count(_MASK)
    if alnum < 6:
        return masked
    if alnum >= 10 and sum(map(str.isdigit, value)) >= alnum * 0.8:
        head = _second_alnum(value, range(n))
        tail = _second_alnum(value, range(n - 1, -1, -1))
        return value[: head + 1] + masked[head + 1 : tail] + value[tail:]
    chars = list(masked)
    for m in _WORD.finditer(value):
        chars[m.start()] = value[m.start()]
    return "".join(chars)


def _second_alnum(value: str, order: range) -> int:
    """Position of the second letter or digit of ``value`` met in ``order``."""
    seen = 0
    for i in order:
        if value[i].isalnum():
            seen += 1
            if seen == 2:
                return i
    raise ValueError("fewer than two letters or digits")  # pragma: no cover - alnum >= 10


_digested: Callable[[str], str] = kernel.digested if kernel is not None else _digested_py
mask_preview: Callable[[str], str] = kernel.mask_preview if kernel is not None else _mask_preview_py
"""A masked preview that keeps shape, not content (see :func:`_mask_preview_py`)."""

"""De-identification keys: loaded from a key file or an environment variable, never elsewhere.

Keys never come from the command line (shell history) or from the policy file (it is shared
for review). One master key of at least 256 bits is read from, in order:

1. an explicit key file (``--key-file`` / ``key_file=``),
2. the file named by ``$SENIM_DEID_KEY_FILE``,
3. the value of ``$SENIM_DEID_KEY``.

The key may be written as hex (64+ hex digits), base64 (decoding to 32+ bytes), or as a
passphrase of 32+ characters. Each purpose (pseudonyms, surrogates, encryption, vault) gets its
own sub-key through HKDF-SHA256, so a token of one kind says nothing about another. The store
only ever sees :attr:`DeidKeys.key_id`, a keyed fingerprint that identifies, not reveals, a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import stat
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from senim.errors import ConfigError, InputError

__all__ = ["ENV_KEY", "ENV_KEY_FILE", "MIN_KEY_BYTES", "DeidKeys", "generate_key_file", "load_keys"]

ENV_KEY = "SENIM_DEID_KEY"
ENV_KEY_FILE = "SENIM_DEID_KEY_FILE"
MIN_KEY_BYTES = 32
"""256 bits: the key size of HMAC-SHA256 and AES-256 (NIST SP 800-57 Part 1, Table 2)."""
_MIN_DISTINCT = 12
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_B64 = re.compile(r"^[A-Za-z0-9+/_-]+={0,2}$")

Purpose = Literal["pseudonym", "surrogate", "encrypt", "encrypt-siv", "vault"]


class DeidKeys:
    """A master key and its per-purpose sub-keys (HKDF-SHA256)."""

    def __init__(self, *, master: bytes, origin: str = "<memory>") -> None:
        _check_strength(master, origin)
        self._master = master
        self.origin = origin
        self._cache: dict[str, bytes] = {}

    def subkey(self, purpose: Purpose, *, length: int = 32) -> bytes:
        """The sub-key for ``purpose`` (deterministic for one master key)."""
        tag = f"{purpose}:{length}"
        if tag not in self._cache:
            self._cache[tag] = _hkdf(self._master, purpose, length)
        return self._cache[tag]

    @property
    def key_id(self) -> str:
        """A 16-hex fingerprint of the key (safe to store; the key cannot be derived from it)."""
        return hmac.new(self._master, b"senim-deid-key-id", hashlib.sha256).hexdigest()[:16]

    def __repr__(self) -> str:  # never print the key
        return f"DeidKeys(key_id={self.key_id!r}, origin={self.origin!r})"


@cache
def _hkdf_cached(master: bytes, purpose: str, length: int) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=b"senim-deid-v1", info=purpose.encode()
    ).derive(master)


def _hkdf(master: bytes, purpose: str, length: int) -> bytes:
    return _hkdf_cached(master, purpose, length)


def decode_key(text: str) -> bytes:
    """Key material from its written form: hex, base64, or the passphrase bytes."""
    value = text.strip()
    if len(value) >= 2 * MIN_KEY_BYTES and len(value) % 2 == 0 and _HEX.match(value):
        return bytes.fromhex(value)
    if _B64.match(value) and len(value) >= 43:
        try:
            decoded = base64.b64decode(
                value + "=" * (-len(value) % 4),
                altchars=b"-_" if "-" in value or "_" in value else None,
                validate=True,
            )
        except (binascii.Error, ValueError):
            decoded = b""
        if len(decoded) >= MIN_KEY_BYTES:
            return decoded
    return value.encode("utf-8")


def _check_strength(master: bytes, origin: str) -> None:
    if len(master) < MIN_KEY_BYTES:
        raise ConfigError("deid.key_weak_short", origin=origin, bits=len(master) * 8)
    if len(set(master)) < _MIN_DISTINCT:
        raise ConfigError("deid.key_weak_repetitive", origin=origin)


def _read_key_file(path: Path) -> bytes:
    try:
        info = path.stat()
        if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(
                "deid.key_file_open", path=str(path), mode=oct(stat.S_IMODE(info.st_mode))
            )
        text = path.read_text("utf-8")
    except FileNotFoundError as exc:
        raise ConfigError("deid.key_file_missing", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("deid.key_file_unreadable", path=str(path), reason=exc.reason) from exc
    except OSError as exc:
        raise ConfigError(
            "deid.key_file_unreadable", path=str(path), reason=exc.strerror or str(exc)
        ) from exc
    return decode_key(text)


def load_keys(
    *, key_file: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> DeidKeys:
    """Load the master key (see module doc); a missing or weak key is a :class:`ConfigError`."""
    env = os.environ if environ is None else environ
    if key_file is not None:
        path = Path(key_file)
        return DeidKeys(master=_read_key_file(path), origin=str(path))
    if env.get(ENV_KEY_FILE):
        path = Path(env[ENV_KEY_FILE])
        return DeidKeys(master=_read_key_file(path), origin=f"${ENV_KEY_FILE}")
    if env.get(ENV_KEY):
        return DeidKeys(master=decode_key(env[ENV_KEY]), origin=f"${ENV_KEY}")
    raise ConfigError("deid.key_missing", env=ENV_KEY, env_file=ENV_KEY_FILE)


def generate_key_file(path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a new random 256-bit key (hex) to ``path`` with mode 0600."""
    target = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, flags, 0o600)
    except FileExistsError as exc:
        raise InputError("deid.key_file_exists", path=str(target)) from exc
    except OSError as exc:
        raise InputError(
            "error.output_write", path=str(target), reason=exc.strerror or str(exc)
        ) from exc
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(MIN_KEY_BYTES) + "\n")
    os.chmod(target, 0o600)
    return target

"""``encrypt``: reversible encryption with the key, via ``cryptography``.

- ``mode: gcm`` (default): AES-256-GCM with a random 96-bit nonce; equal values give different
  tokens (nothing links two records).
- ``mode: siv``: AES-SIV (RFC 5297), deterministic: equal values give equal tokens, so
  encrypted columns can still be joined; the entity is authenticated as associated data.

Tokens look like ``enc1.g.KZ_IIN.<base64url>`` and are decrypted by :func:`decrypt_token`
(``senim deid-reidentify``), which logs the request.
"""

from __future__ import annotations

import base64
import os
import re
from typing import ClassVar, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV

from senim.deid.operators._base import BaseOperator, OperatorContext
from senim.errors import InputError

__all__ = ["TOKEN_PATTERN", "Encrypt", "decrypt_token"]

TOKEN_PATTERN = re.compile(r"enc1\.([gs])\.([A-Z][A-Z0-9_]*)\.([A-Za-z0-9_-]+)")
_NONCE = 12


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Encrypt(BaseOperator):
    """Replace the value with its encryption under the key (AES-GCM or deterministic AES-SIV)."""

    name: ClassVar[str] = "encrypt"
    needs_key: ClassVar[bool] = True
    operator: Literal["encrypt"] = "encrypt"
    mode: Literal["gcm", "siv"] = "gcm"

    def apply(self, value: str, entity: str, ctx: OperatorContext) -> str:
        aad = entity.encode()
        if self.mode == "siv":
            siv = AESSIV(ctx.key("encrypt-siv", self.name, length=64))
            return f"enc1.s.{entity}.{_b64(siv.encrypt(value.encode(), [aad]))}"
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(ctx.key("encrypt", self.name)).encrypt(nonce, value.encode(), aad)
        return f"enc1.g.{entity}.{_b64(nonce + sealed)}"


def decrypt_token(token: str, ctx: OperatorContext) -> str:
    """The original value of an ``enc1`` token; a wrong key or damaged token is an InputError."""
    match = TOKEN_PATTERN.fullmatch(token.strip())
    if match is None:
        raise InputError("deid.token_unknown", token=token[:40])
    mode, entity, payload = match.groups()
    aad = entity.encode()
    try:
        data = _unb64(payload)
        if mode == "s":
            siv = AESSIV(ctx.key("encrypt-siv", "encrypt", length=64))
            plain = siv.decrypt(data, [aad])
        else:
            plain = AESGCM(ctx.key("encrypt", "encrypt")).decrypt(data[:_NONCE], data[_NONCE:], aad)
    except (InvalidTag, ValueError) as exc:
        raise InputError("deid.token_undecryptable", token=token[:40]) from exc
    return plain.decode("utf-8")

"""The re-identification vault: token -> encrypted original, and a log of every look-up.

The vault lives in the store (SQLite by default, PostgreSQL by URL); the key does not: it is
loaded from a key file or environment variable (:mod:`senim.deid._keys`) each time. A stolen
database therefore holds only ciphertext, and each re-identification, granted or refused, is
recorded with the person who asked and the reason they gave.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import insert, select

from senim.deid._keys import DeidKeys
from senim.deid._vault_schema import reid_log, vault
from senim.deid.operators import OperatorContext, VaultEntry, decrypt_token
from senim.deid.operators.encrypt import TOKEN_PATTERN
from senim.errors import InputError, UsageError
from senim.store import Store

__all__ = ["Reidentified", "Vault"]

_NONCE = 12
Outcome = Literal["ok", "not_found", "wrong_key", "bad_token"]


@dataclass(frozen=True, slots=True)
class Reidentified:
    """The answer for one token: the value when ``outcome == "ok"``, else None."""

    token: str
    kind: Literal["vault", "encrypted"]
    outcome: Outcome
    value: str | None


@dataclass(frozen=True, slots=True)
class LogEntry:
    at: datetime
    actor: str
    reason: str
    token: str
    kind: str
    granted: bool
    outcome: str


def _actor() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return os.environ.get("USER") or "unknown"


class Vault:
    """Token -> sealed original, in a :class:`~senim.store.Store`."""

    def __init__(self, *, store: Store, keys: DeidKeys) -> None:
        self.store = store
        self.keys = keys

    def _aead(self) -> AESGCM:
        return AESGCM(self.keys.subkey("vault"))

    def put(self, entries: Iterable[VaultEntry]) -> int:
        """Seal and store new tokens (known tokens are skipped); returns how many were added."""
        unique = {e.token: e for e in entries}
        if not unique:
            return 0
        aead = self._aead()
        added = 0
        with self.store.transaction() as conn:
            tokens = list(unique)
            known: set[str] = set()
            for start in range(0, len(tokens), 500):
                chunk = tokens[start : start + 500]
                known.update(conn.scalars(select(vault.c.token).where(vault.c.token.in_(chunk))))
            rows = []
            for token, entry in unique.items():
                if token in known:
                    continue
                nonce = os.urandom(_NONCE)
                sealed = nonce + aead.encrypt(nonce, entry.value.encode(), token.encode())
                rows.append(
                    {
                        "token": token,
                        "entity": entry.entity,
                        "key_id": self.keys.key_id,
                        "sealed": sealed,
                    }
                )
            if rows:
                conn.execute(insert(vault), rows)
                added = len(rows)
        return added

    def reidentify(
        self, tokens: Sequence[str], *, reason: str, actor: str | None = None
    ) -> list[Reidentified]:
        """Originals of ``tokens`` (vault tokens and ``enc1`` tokens); every one is logged."""
        why = reason.strip()
        if len(why) < 8:
            raise UsageError("deid.reason_required")
        who = (actor or _actor()).strip() or "unknown"
        results = [self._one(token.strip()) for token in tokens]
        with self.store.transaction() as conn:
            conn.execute(
                insert(reid_log),
                [
                    {
                        "actor": who[:200],
                        "reason": why[:1000],
                        "token": r.token[:200],
                        "kind": r.kind,
                        "key_id": self.keys.key_id,
                        "granted": r.outcome == "ok",
                        "outcome": r.outcome,
                    }
                    for r in results
                ],
            )
        return results

    def _one(self, token: str) -> Reidentified:
        if TOKEN_PATTERN.fullmatch(token):
            try:
                value = decrypt_token(token, OperatorContext(keys=self.keys))
            except InputError as exc:
                outcome: Outcome = (
                    "wrong_key" if exc.key == "deid.token_undecryptable" else "bad_token"
                )
                return Reidentified(token, "encrypted", outcome, None)
            return Reidentified(token, "encrypted", "ok", value)
        with self.store.transaction() as conn:
            row = conn.execute(
                select(vault.c.sealed, vault.c.key_id).where(vault.c.token == token)
            ).first()
        if row is None:
            return Reidentified(token, "vault", "not_found", None)
        sealed = bytes(row.sealed)
        try:
            plain = self._aead().decrypt(sealed[:_NONCE], sealed[_NONCE:], token.encode())
        except InvalidTag:
            return Reidentified(token, "vault", "wrong_key", None)
        return Reidentified(token, "vault", "ok", plain.decode("utf-8"))

    def log(self, *, limit: int = 100) -> list[LogEntry]:
        """The latest re-identification requests, newest first."""
        with self.store.transaction() as conn:
            rows = conn.execute(select(reid_log).order_by(reid_log.c.id.desc()).limit(limit)).all()
        return [
            LogEntry(
                at=r.at,
                actor=r.actor,
                reason=r.reason,
                token=r.token,
                kind=r.kind,
                granted=bool(r.granted),
                outcome=r.outcome,
            )
            for r in rows
        ]

"""The operator contract: a pydantic model of validated parameters with an ``apply`` method.

Every operator is declared as a model whose ``operator`` field is a ``Literal`` tag, so a
policy's rules parse into the right class with their parameters checked (unknown parameters
are errors). ``apply`` turns one detected value into its replacement; it never logs values.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict

from senim.errors import ConfigError

if TYPE_CHECKING:
    from senim.deid._keys import DeidKeys, Purpose

__all__ = ["BaseOperator", "OperatorContext", "VaultEntry", "normalise"]


def normalise(value: str) -> str:
    """The form that makes equal values equal: case-folded letters and digits only.

    ``"+7 (701) 123-45-67"`` and ``"+77011234567"`` give the same pseudonym; so do
    ``"Иванов"`` and ``"ИВАНОВ"``.
    """
    return "".join(ch for ch in value.casefold() if ch.isalnum() or ch == "@")


@dataclass(frozen=True, slots=True)
class VaultEntry:
    token: str
    entity: str
    value: str


@dataclass(slots=True)
class OperatorContext:
    """What operators may use: the keys (if loaded) and the vault queue."""

    keys: DeidKeys | None = None
    vault_enabled: bool = False
    pending: list[VaultEntry] = field(default_factory=list)

    def key(self, purpose: Purpose, operator: str, *, length: int = 32) -> bytes:
        if self.keys is None:
            from senim.deid._keys import ENV_KEY, ENV_KEY_FILE

            raise ConfigError(
                "deid.key_needed", operator=operator, env=ENV_KEY, env_file=ENV_KEY_FILE
            )
        return self.keys.subkey(purpose, length=length)

    def rng(self, purpose: Purpose, operator: str, entity: str, value: str) -> random.Random:
        """A generator seeded by a keyed hash of the value: same value, same draws."""
        mac = hmac.new(
            self.key(purpose, operator), f"{entity}:{normalise(value)}".encode(), hashlib.sha256
        )
        return random.Random(int.from_bytes(mac.digest(), "big"))

    def remember(self, token: str, entity: str, value: str) -> None:
        """Queue ``token -> value`` for the vault (written encrypted, per batch)."""
        if self.vault_enabled:
            self.pending.append(VaultEntry(token, entity, value))


class BaseOperator(BaseModel):
    """Base of every operator model (frozen, unknown parameters rejected)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ClassVar[str] = ""
    needs_key: ClassVar[bool] = False

    entity: str | None = None
    """For column rules: what the column holds (e.g. ``KZ_IIN``); ignored for entity rules."""

    def supports(self, entity: str) -> bool:
        """Can this operator handle values of ``entity``? (checked when a policy loads)"""
        return True

    def apply(self, value: str, entity: str, ctx: OperatorContext) -> str:
        raise NotImplementedError

"""``pseudonym``: a keyed HMAC-SHA256 token; equal values give equal tokens under one key.

The token is ``HMAC-SHA256(sub-key, entity ":" normalised value)`` in hex, cut to ``length``.
The same value gives the same token in every file and table (joins survive); under another key
the tokens are unlinkable. With ``vault: true`` the original is kept, encrypted, in the vault
for authorised re-identification.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from senim.deid.operators._base import BaseOperator, OperatorContext, normalise


class Pseudonym(BaseOperator):
    """Replace the value with ``template`` formatted with ``{entity}`` and ``{token}``."""

    name: ClassVar[str] = "pseudonym"
    needs_key: ClassVar[bool] = True
    operator: Literal["pseudonym"] = "pseudonym"
    length: int = Field(default=16, ge=12, le=64)
    template: str = Field(default="{entity}_{token}", min_length=7, max_length=64)
    vault: bool = False

    @field_validator("template")
    @classmethod
    def _has_token(cls, value: str) -> str:
        if "{token}" not in value:
            raise ValueError("must contain {token}")
        try:
            value.format(entity="X", token="t")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError("only {entity} and {token} placeholders are allowed") from exc
        return value

    def token(self, value: str, entity: str, ctx: OperatorContext) -> str:
        key = ctx.key("pseudonym", self.name)
        mac = hmac.new(key, f"{entity}:{normalise(value)}".encode(), hashlib.sha256)
        return mac.hexdigest()[: self.length]

    def apply(self, value: str, entity: str, ctx: OperatorContext) -> str:
        out = self.template.format(entity=entity, token=self.token(value, entity, ctx))
        if self.vault:
            ctx.remember(out, entity, value)
        return out

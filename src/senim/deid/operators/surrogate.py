"""``surrogate``: a realistic, format-preserving fake that passes the entity's validators.

The fake is drawn from a generator seeded by a keyed hash of the value, so the same value gets
the same fake under one key (consistent across files) and cannot be guessed without the key.
``keep`` chooses what the fake inherits: ``decade`` and ``sex`` of an IIN's holder, the
``bank`` code of an IBAN, the mobile ``operator`` code of a phone number. See ``senim.deid._fakes``.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from senim.deid._fakes import Keep, fake
from senim.deid.operators._base import BaseOperator, OperatorContext


class Surrogate(BaseOperator):
    """Replace the value with a consistent fake of the same kind."""

    name: ClassVar[str] = "surrogate"
    needs_key: ClassVar[bool] = True
    operator: Literal["surrogate"] = "surrogate"
    keep: frozenset[Keep] = frozenset({"decade", "sex", "bank", "operator"})

    def apply(self, value: str, entity: str, ctx: OperatorContext) -> str:
        rng = ctx.rng("surrogate", self.name, entity, value)
        return fake(entity, value, rng, frozenset(self.keep))

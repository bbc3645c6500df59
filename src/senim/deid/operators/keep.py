"""``keep``: leave the value as it is (an explicit, reviewable decision in the policy)."""

from __future__ import annotations

from typing import ClassVar, Literal

from senim.deid.operators._base import BaseOperator, OperatorContext


class Keep(BaseOperator):
    """Do not change the value."""

    name: ClassVar[str] = "keep"
    operator: Literal["keep"] = "keep"

    def apply(self, value: str, entity: str, ctx: OperatorContext) -> str:
        return value

"""``tag``: replace the value with its entity label, e.g. ``<KZ_IIN>`` (the default)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator

from senim.deid.operators._base import BaseOperator, OperatorContext


class Tag(BaseOperator):
    """Replace the value with ``template`` formatted with ``{entity}``."""

    name: ClassVar[str] = "tag"
    operator: Literal["tag"] = "tag"
    template: str = Field(default="<{entity}>", min_length=1, max_length=64)

    @field_validator("template")
    @classmethod
    def _one_placeholder(cls, value: str) -> str:
        try:
            value.format(entity="X")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError("only the {entity} placeholder is allowed") from exc
        return value

    def apply(self, value: str, entity: str, ctx: OperatorContext) -> str:
        return self.template.format(entity=entity)

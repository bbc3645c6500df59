"""``redact``: remove the value (optionally leaving a fixed marker)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from senim.deid.operators._base import BaseOperator, OperatorContext


class Redact(BaseOperator):
    """Replace the value with ``replacement`` (empty by default)."""

    name: ClassVar[str] = "redact"
    operator: Literal["redact"] = "redact"
    replacement: str = Field(default="", max_length=64)

    def apply(self, value: str, entity: str, ctx: OperatorContext) -> str:
        return self.replacement

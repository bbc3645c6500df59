"""``mask``: hide characters but keep the length and the format (separators stay)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator

from senim.deid.operators._base import BaseOperator, OperatorContext


class Mask(BaseOperator):
    """Replace letters and digits with ``char``, keeping the first ``keep_start`` and the last
    ``keep_end`` of them; separators (spaces, dashes, dots, ``@``...) stay when
    ``keep_separators`` is on. The result always has the length of the input."""

    name: ClassVar[str] = "mask"
    operator: Literal["mask"] = "mask"
    char: str = "*"
    keep_start: int = Field(default=0, ge=0, le=8)
    keep_end: int = Field(default=0, ge=0, le=8)
    keep_separators: bool = True

    @field_validator("char")
    @classmethod
    def _one_char(cls, value: str) -> str:
        if len(value) != 1 or value.isalnum():
            raise ValueError("must be one character that is not a letter or digit")
        return value

    def apply(self, value: str, entity: str, ctx: OperatorContext) -> str:
        total = sum(ch.isalnum() for ch in value)
        # never reveal more than a third of the characters, whatever the parameters say
        budget = total // 3
        start = min(self.keep_start, budget)
        end = min(self.keep_end, budget - start)
        out = []
        seen = 0
        for ch in value:
            if not ch.isalnum():
                out.append(ch if self.keep_separators else self.char)
                continue
            visible = seen < start or seen >= total - end
            out.append(ch if visible else self.char)
            seen += 1
        return "".join(out)

"""``generalise``: replace a value by a coarser one that is still useful.

- ``DATE_OF_BIRTH`` (and dates in columns): ``year`` (default), ``month`` or ``decade``;
- ``KZ_IIN``: birth ``year`` (default) or ``decade`` plus sex, e.g. ``1987 F``;
- ``ADDRESS``: the ``city`` (default) or ``region`` (oblast) named in it (Kazakhstan's regions);
- ``KZ_POSTAL_CODE``: the region/district part (``050013`` -> ``05xxxx``,
  ``A01P3K4`` -> ``A01xxxx``);
- ``IP_ADDRESS``: the /24 (IPv4) or /48 (IPv6) network;
- numbers (column rules with ``entity: NUMBER``): the ``width``-wide interval, e.g. ``30-39``.

A value that cannot be read (an unparseable date, an address naming no known place) becomes
the entity tag, so nothing is left in clear; those fallbacks are counted in the summary.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import ClassVar, Literal

from pydantic import Field

from senim.deid.operators._base import BaseOperator, OperatorContext
from senim.discovery.kzid import iin_info

__all__ = ["GENERALISABLE", "Generalise", "parse_date"]

GENERALISABLE = frozenset(
    {"DATE_OF_BIRTH", "DATE", "KZ_IIN", "ADDRESS", "KZ_POSTAL_CODE", "IP_ADDRESS", "NUMBER"}
)
_DATE_FORMATS = (
    re.compile(r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?:[T ].*)?"),
    re.compile(r"(?P<d>\d{1,2})[-./](?P<m>\d{1,2})[-./](?P<y>\d{4})"),
)


def parse_date(value: str) -> date | None:
    """A date written as ``YYYY-MM-DD`` / ``DD.MM.YYYY`` (and ``/``, ``-`` separators)."""
    text = value.strip()
    for pattern in _DATE_FORMATS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


class Generalise(BaseOperator):
    """Replace the value with a coarser one (see module doc for what each entity becomes)."""

    name: ClassVar[str] = "generalise"
    operator: Literal["generalise"] = "generalise"
    to: Literal["year", "month", "decade", "city", "region"] | None = None
    width: int = Field(default=10, ge=1)

    def supports(self, entity: str) -> bool:
        return entity in GENERALISABLE

    def generalise(self, value: str, entity: str) -> str | None:
        """The generalised value, or None when ``value`` cannot be read as ``entity``."""
        if entity in ("DATE_OF_BIRTH", "DATE"):
            born = parse_date(value)
            return None if born is None else self._date(born)
        if entity == "KZ_IIN":
            info = iin_info("".join(ch for ch in value if ch.isdigit()))
            if info is None:
                return None
            year = info.birth_date.year
            when = f"{year - year % 10}s" if self.to == "decade" else str(year)
            return f"{when} {'M' if info.sex == 'male' else 'F'}"
        if entity == "ADDRESS":
            from senim.deid._regions import regions

            return regions().generalise(value, "region" if self.to == "region" else "city")
        if entity == "KZ_POSTAL_CODE":
            code = value.strip().upper()
            if re.fullmatch(r"\d{6}", code):
                return code[:2] + "xxxx"
            if re.fullmatch(r"[A-Z]\d{2}[A-Z]\d[A-Z]\d", code):
                return code[:3] + "xxxx"
            return None
        if entity == "IP_ADDRESS":
            try:
                addr = ipaddress.ip_address(value.strip())
            except ValueError:
                return None
            prefix = 24 if addr.version == 4 else 48
            return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))
        if entity == "NUMBER":
            try:
                number = float(value.strip().replace(",", "."))
            except ValueError:
                return None
            low = int(number // self.width * self.width)
            return f"{low}-{low + self.width - 1}" if self.width > 1 else str(low)
        return None

    def _date(self, born: date) -> str:
        if self.to == "month":
            return f"{born.year:04d}-{born.month:02d}"
        if self.to == "decade":
            return f"{born.year - born.year % 10}s"
        return f"{born.year:04d}"

    def apply(self, value: str, entity: str, ctx: OperatorContext) -> str:
        out = self.generalise(value, entity)
        return f"<{entity}>" if out is None else out

"""IBAN: any country's IBAN, per-country length and format (python-stdnum's registry)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from stdnum import iban, numdb
from stdnum.util import get_cc_module

from senim.discovery._detector import Detector, Pattern
from senim.discovery.checksums import mod97_ok


class IbanDetector(Detector):
    name = "iban"
    entity = "IBAN"
    description = "IBAN of any country (ISO 13616 per-country formats, mod-97); KZ -> KZ_IBAN."
    patterns = (
        Pattern(
            name="iban_grouped",
            regex=r"[A-Z]{2}\d{2}(?:[ ]?[0-9A-Z]{4}){2,7}(?:[ ]?[0-9A-Z]{1,3})?",
            score=0.4,
            ignore_case=True,
        ),
        Pattern(
            name="iban_compact",
            regex=r"[A-Z]{2}\d{2}[0-9A-Z]{11,30}",
            score=0.4,
            ignore_case=True,
        ),
    )
    boundary = "alnum"
    context = {
        "kk": ("жск", "шот*", "банк шоты"),
        "ru": ("iban", "иик", "счет*", "счёт*", "реквизит*"),
        "en": ("iban", "account", "bank account", "wire", "transfer"),
    }
    column_hints = ("iban", "account*", "счет*", "счёт*")

    def validate(self, value: str) -> bool | None:
        # python-stdnum's verdict (``iban.is_valid``): mod 97, the country's BBAN structure
        # from its registry and the country's own check where it has one; the country's
        # entry is looked up once per country code, not for every number (4x faster)
        if value[:2].upper() == "KZ":  # as compact() would begin: no need to clean it
            return False  # reported by the KZ_IBAN detector
        number = _compact(value)
        if number[:2] == "KZ":
            return False
        country = _country(number[:2])  # no registry entry, no IBAN: no checksum needed
        if country is None or not mod97_ok(number[4:] + number[:4]):
            return False
        bban, module = country
        return bban.match(number[4:]) is not None and (module is None or module.is_valid(number))


_ASCII_COMPACT = str.maketrans({" ": None, "-": None, ".": None, "`": "'"})
"""What ``iban.compact`` does to ASCII characters: separators dropped, the grave accent read
as an apostrophe (python-stdnum's ``util.clean``)."""


def _compact(value: str) -> str:
    """``iban.compact(value)``, without stdnum's look-up of every character in its table of
    Unicode look-alikes when ``value`` is ASCII (a third of a candidate's validation)."""
    if value.isascii():
        return value.translate(_ASCII_COMPACT).strip().upper()
    return iban.compact(value)


@cache
def _country(code: str) -> tuple[re.Pattern[str], Any] | None:
    """A country's BBAN structure (as python-stdnum's ``iban`` turns it into a regex) and
    its IBAN module, if any; ``None`` for a code the IBAN registry does not hold."""
    entry = numdb.get("iban").info(code)[0][1]
    if not entry:
        return None
    return iban._struct_to_re(entry.get("bban", "")), get_cc_module(code.lower(), "iban")

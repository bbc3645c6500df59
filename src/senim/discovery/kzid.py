"""Kazakhstan's IIN and BIN: structure and the two-pass mod-11 check digit.

No well-kept library covers these (python-stdnum has no ``kz`` module), so they live here.
Facts and vectors: ``shared/domain/kazakhstan-rules.md`` §3.1-3.2 (Law No. 223 of 12.01.2007;
Government Decree No. 565 of 11.06.2003).

- IIN ``YYMMDD C NNNN K``: date of birth, century/sex digit (1-6: odd male; 1-2 -> 1800s,
  3-4 -> 1900s, 5-6 -> 2000s), serial, check digit.
- BIN ``YYMM T A NNNNN K``: registration year/month, type (4 resident, 5 non-resident legal
  entity, 6 joint individual entrepreneur), attribute (0 head office, 1 branch,
  2 representative office, 3 peasant farm), serial, check digit.
- Check digit: weights 1..11, sum mod 11; if that is 10, weights 3..11,1,2; if 10 again the
  number can never be valid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import mul
from typing import Literal

from senim.discovery._native import kernel

__all__ = [
    "IinInfo",
    "bin_is_valid",
    "check_digit",
    "iin_info",
    "iin_is_valid",
]

_W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


def check_digit(first11: str) -> int | None:
    """The check digit for 11 digits, or ``None`` when no check digit can ever be valid."""
    if len(first11) != 11 or not first11.isascii() or not first11.isdigit():
        return None
    digits = list(map(int, first11))
    k: int = sum(map(mul, digits, _W1)) % 11
    if k == 10:
        k = sum(map(mul, digits, _W2)) % 11
        if k == 10:
            return None
    return k


def _checksum_ok_py(number: str) -> bool:
    """Is ``number`` 12 digits with a valid check digit? The reference of the compiled
    ``_kernel.kz_checksum_ok`` (see :mod:`senim.discovery._native`)."""
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        return False
    k = check_digit(number[:11])
    return k is not None and k == int(number[11])


_checksum_ok: Callable[[str], bool] = (
    kernel.kz_checksum_ok
    if kernel is not None
    # KZ_IIN and KZ_BIN ask about the same 12-digit candidates
    else lru_cache(maxsize=4096)(_checksum_ok_py)
)


@dataclass(frozen=True, slots=True)
class IinInfo:
    """What an IIN says about its holder (used by generalisation, never reported raw)."""

    birth_date: date
    sex: Literal["male", "female"]


def iin_info(number: str) -> IinInfo | None:
    """Birth date and sex encoded in a structurally valid IIN (checksum not checked)."""
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        return None
    century_digit = int(number[6])
    century = _CENTURY.get(century_digit)
    if century is None:
        return None
    try:
        born = date(century + int(number[0:2]), int(number[2:4]), int(number[4:6]))
    except ValueError:
        return None
    return IinInfo(birth_date=born, sex="male" if century_digit % 2 else "female")


def iin_is_valid(number: str, *, today: date | None = None) -> bool:
    """True for a 12-digit IIN with a real birth date, century digit 1-6 and valid check digit."""
    if not _checksum_ok(number):  # the cheaper test first: most 12-digit numbers fail it
        return False
    info = iin_info(number)
    return info is not None and info.birth_date <= (today or date.today())


def bin_is_valid(number: str) -> bool:
    """True for a 12-digit BIN: month 01-12, type 4/5/6, attribute 0-3, valid check digit."""
    if not _checksum_ok(number):
        return False
    month = int(number[2:4])
    return 1 <= month <= 12 and number[4] in "456" and number[5] in "0123"

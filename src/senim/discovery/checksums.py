"""Check-digit schemes of card numbers and IBANs: python-stdnum's verdicts, computed fast.

python-stdnum is the specification (``luhn.is_valid``, ``iso7064.mod_97_10.is_valid``) and
the fallback. A scan asks about every distinct candidate (about 10,000 of each scheme per
5,000 letters), and stdnum spends 2-3 µs on each: a tuple of digits, a string of base-10
digits and an integer built from it. Where the compiled kernel is built
(:mod:`senim.discovery._native`), an ASCII candidate is checked there in a single pass
(``_kernel.luhn_ok``, ``_kernel.mod97_ok``); anything else (another script's digits, other
characters, the empty string) still goes to stdnum, so the verdict is stdnum's in every
case (tests/discovery/test_native.py compares them on generated numbers).
"""

from __future__ import annotations

from collections.abc import Callable

from stdnum import luhn
from stdnum.iso7064 import mod_97_10

from senim.discovery._native import kernel

__all__ = ["luhn_ok", "mod97_ok"]


def _luhn_ok_py(number: str) -> bool:
    """The reference: python-stdnum's Luhn check (decimal digits)."""
    return bool(luhn.is_valid(number))


def _mod97_ok_py(number: str) -> bool:
    """The reference: python-stdnum's ISO 7064 mod 97-10 check (letters count 10 to 35)."""
    return bool(mod_97_10.is_valid(number))


def _twin(
    fast: Callable[[str], bool | None] | None, reference: Callable[[str], bool]
) -> Callable[[str], bool]:
    """The kernel's check where it gives a verdict (``None``: not an ASCII candidate), else
    the reference's; the reference alone without the kernel."""
    if fast is None:
        return reference

    def check(number: str) -> bool:
        verdict = fast(number)
        return reference(number) if verdict is None else verdict

    return check


luhn_ok = _twin(kernel.luhn_ok if kernel is not None else None, _luhn_ok_py)
"""Is a number valid under the Luhn formula (payment cards)?"""
mod97_ok = _twin(kernel.mod97_ok if kernel is not None else None, _mod97_ok_py)
"""Does a number pass ISO 7064 mod 97-10 (an IBAN with its first four characters moved to
the end)?"""

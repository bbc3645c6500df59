"""Phone-number parsing shared by KZ_PHONE and PHONE (libphonenumber metadata).

Numbers of the shared +7 zone are classified against the national-number patterns in
libphonenumber's metadata for Kazakhstan (mobile, fixed line, toll-free, premium, VoIP...),
compiled once: the same data ``phonenumbers.is_valid_number`` uses, without parsing each
candidate through the full library. Everything else goes through ``phonenumbers``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata

# digits, each optionally preceded by up to two separators: spaces, dashes, dots, brackets
SEP_DIGIT = r"(?:[ \-.()]{0,2}\d)"

# Types that identify a subscriber. Service and personal-number ranges (800, 808, 809...) are
# shared with Russia in the +7 zone and go through the full library.
_KZ_TYPES = ("mobile", "fixed_line", "voip", "pager")


@cache
def _kz_national() -> re.Pattern[str] | None:
    """One regex for every valid Kazakh national number type, from libphonenumber metadata."""
    meta = PhoneMetadata.metadata_for_region("KZ")
    if meta is None:  # pragma: no cover - metadata ships with phonenumbers
        return None
    patterns = []
    for kind in _KZ_TYPES:
        desc = getattr(meta, kind, None)
        if desc is not None and desc.national_number_pattern:
            patterns.append(f"(?:{desc.national_number_pattern})")
    return re.compile("|".join(patterns)) if patterns else None


def parse(value: str) -> phonenumbers.PhoneNumber | None:
    """Parse a candidate written with ``+CC``, or with the ``8`` trunk prefix used in KZ/RU."""
    digits = "".join(filter(str.isdigit, value))
    text = value.strip()
    try:
        if text.startswith("+"):
            return phonenumbers.parse(text, None)
        if len(digits) == 11 and digits[0] in "78":
            return phonenumbers.parse("+7" + digits[1:], None)
    except phonenumbers.NumberParseException:
        return None
    return None


def region(value: str) -> str | None:
    """Region code (``KZ``, ``RU``, ``DE`` ...) of a valid number, else ``None``.

    KZ_PHONE and PHONE both ask about the same candidates, so answers are cached by the
    number's canonical form: ``+`` (when written) and the digits.
    """
    text = value.strip()
    digits = "".join(filter(str.isdigit, text))
    return _region(("+" if text.startswith("+") else "") + digits)


@lru_cache(maxsize=8192)
def _region(canonical: str) -> str | None:
    digits = canonical.lstrip("+")
    international = canonical.startswith("+")
    in_zone7 = len(digits) == 11 and (digits[0] == "7" if international else digits[0] in "78")
    kz = _kz_national()
    if in_zone7 and kz is not None and kz.fullmatch(digits[1:]):
        return "KZ"
    number = parse(canonical)
    if number is None or not phonenumbers.is_valid_number(number):
        return None
    code: str | None = phonenumbers.region_code_for_number(number)
    return code

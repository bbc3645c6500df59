"""Phone-number parsing shared by KZ_PHONE and PHONE (libphonenumber metadata)."""

from __future__ import annotations

import phonenumbers

# digits, each optionally preceded by up to two separators: spaces, dashes, dots, brackets
SEP_DIGIT = r"(?:[ \-.()]{0,2}\d)"


def parse(value: str) -> phonenumbers.PhoneNumber | None:
    """Parse a candidate written with ``+CC``, or with the ``8`` trunk prefix used in KZ/RU."""
    digits = "".join(ch for ch in value if ch.isdigit())
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
    """Region code (``KZ``, ``RU``, ``DE`` ...) of a valid number, else ``None``."""
    number = parse(value)
    if number is None or not phonenumbers.is_valid_number(number):
        return None
    code: str | None = phonenumbers.region_code_for_number(number)
    return code

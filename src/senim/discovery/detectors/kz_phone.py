"""KZ_PHONE: Kazakhstan phone numbers (+7 / 8, 7xx mobile operator ranges and city codes)."""

from __future__ import annotations

from senim.discovery._detector import Detector, Pattern
from senim.discovery.detectors._phone import SEP_DIGIT, region


class KzPhoneDetector(Detector):
    name = "kz_phone"
    entity = "KZ_PHONE"
    country = "KZ"
    description = (
        "Kazakhstan phone numbers in every common separator style; valid operator ranges and "
        "city codes from libphonenumber's KZ metadata (shared +7 code with Russia resolved)."
    )
    patterns = (
        Pattern(name="kz_phone_intl", regex=rf"\+[ ]?7{SEP_DIGIT}{{10}}", score=0.5),
        Pattern(name="kz_phone_trunk", regex=rf"8{SEP_DIGIT}{{10}}", score=0.4),
        Pattern(name="kz_phone_bare", regex=r"77\d{9}", score=0.3),
    )
    boundary = "digit"
    context = {
        "kk": ("телефон*", "тел", "байланыс*", "ұялы*", "нөмір*", "whatsapp"),
        "ru": ("телефон*", "тел", "моб", "мобильн*", "сотов*", "контакт*", "звонит*", "номер*"),
        "en": ("phone*", "tel", "mobile", "cell", "contact*", "call", "whatsapp"),
    }
    column_hints = ("phone*", "tel", "телефон*", "тел", "mobile*", "моб*", "msisdn", "ұялы*")

    def validate(self, value: str) -> bool | None:
        digits = "".join(filter(str.isdigit, value))
        if not value.lstrip().startswith("+") and len(digits) == 11 and digits[0] == "7":
            value = "+" + digits
        return region(value) == "KZ"

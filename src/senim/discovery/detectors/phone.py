"""PHONE: phone numbers of other countries (international +CC form, or Russian 8 trunk form)."""

from __future__ import annotations

from senim.discovery._detector import Detector, Pattern
from senim.discovery.detectors._phone import SEP_DIGIT, region


class PhoneDetector(Detector):
    name = "phone"
    entity = "PHONE"
    description = "Phone numbers outside Kazakhstan, validated against libphonenumber metadata."
    patterns = (
        Pattern(name="phone_intl", regex=rf"\+[ ]?\d{SEP_DIGIT}{{6,14}}", score=0.4),
        Pattern(name="phone_ru_trunk", regex=rf"8{SEP_DIGIT}{{10}}", score=0.3),
    )
    boundary = "digit"
    context = {
        "kk": ("телефон*", "тел", "байланыс*", "ұялы*"),
        "ru": ("телефон*", "тел", "моб", "мобильн*", "контакт*", "звонит*"),
        "en": ("phone*", "tel", "mobile", "cell", "contact*", "call", "fax"),
    }
    column_hints = ("phone*", "tel", "телефон*", "mobile*", "fax")

    def validate(self, value: str) -> bool | None:
        code = region(value.rstrip(" -.("))
        return code is not None and code != "KZ"

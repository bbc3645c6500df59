"""KZ_IIN: individual identification number (ИИН / ЖСН)."""

from __future__ import annotations

from senim.discovery._detector import Detector, Pattern
from senim.discovery.kzid import iin_is_valid


class KzIinDetector(Detector):
    name = "kz_iin"
    entity = "KZ_IIN"
    country = "KZ"
    description = "Kazakhstan IIN: birth date, century/sex digit and two-pass mod-11 checksum."
    patterns = (Pattern(name="iin_12_digits", regex=r"\d{12}", score=0.3),)
    boundary = "digit"
    integer_digits = 12
    integer_zeros = 3  # YYMM first, with MM at least 01
    context = {
        "kk": ("жсн", "жеке сәйкестендіру нөмірі", "жеке сәйкестендіру*"),
        "ru": ("иин", "индивидуальный идентификационный номер", "идентификационн*"),
        "en": ("iin", "individual identification number", "national id"),
    }
    column_hints = ("iin", "иин", "жсн", "iin_*", "иин_*", "person_id")

    def validate(self, value: str) -> bool | None:
        return iin_is_valid(value)

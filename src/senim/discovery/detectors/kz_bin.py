"""KZ_BIN: business identification number (БИН / БСН)."""

from __future__ import annotations

from senim.discovery._detector import Detector, Pattern
from senim.discovery.kzid import bin_is_valid


class KzBinDetector(Detector):
    name = "kz_bin"
    entity = "KZ_BIN"
    country = "KZ"
    description = "Kazakhstan BIN: registration month, type and attribute digits, mod-11 checksum."
    patterns = (Pattern(name="bin_12_digits", regex=r"\d{12}", score=0.3),)
    boundary = "digit"
    integer_digits = 12
    integer_zeros = 3  # YYMM first, with MM at least 01
    context = {
        "kk": ("бсн", "бизнес сәйкестендіру нөмірі"),
        "ru": ("бин", "бизнес идентификационный номер", "бизнес-идентификационный номер"),
        "en": ("bin", "business identification number"),
    }
    column_hints = ("bin", "бин", "бсн", "bin_*", "бин_*", "company_id")

    def validate(self, value: str) -> bool | None:
        return bin_is_valid(value)

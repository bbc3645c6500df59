"""KZ_VEHICLE_PLATE: Kazakhstan licence plates (2012 format, region codes 01-20)."""

from __future__ import annotations

import re

from senim.discovery._detector import Detector, Pattern

# ISO 4217 codes and units that make "100 USD 15" look like a plate
_NOT_PLATE_LETTERS = frozenset(
    {"KZT", "USD", "EUR", "RUB", "GBP", "CNY", "JPY", "CHF", "TRY", "UAH", "KGS", "UZS", "AED"}
    | {"KG", "KM", "MM", "CM", "ML", "GB", "MB", "KB", "TB", "PCS", "KW", "HP", "MW"}
)
_CYR_TO_LAT = str.maketrans("АВЕКМНОРСТХУ", "ABEKMHOPCTXY")
_PARTS = re.compile(r"(\d{3})\s?([A-ZА-Я]{2,3})\s?(\d{2})")


class KzVehiclePlateDetector(Detector):
    name = "kz_vehicle_plate"
    entity = "KZ_VEHICLE_PLATE"
    country = "KZ"
    description = "Kazakhstan vehicle plates NNN LLL RR / NNN LL RR with a region code 01-20."
    patterns = (
        Pattern(
            name="kz_plate_2012",
            regex=r"\d{3}[ ]?[A-ZАВЕКМНОРСТХУ]{2,3}[ ]?\d{2}",
            score=0.4,
        ),
    )
    boundary = "alnum"
    validated_score = 0.6
    context = {
        "kk": ("көлік*", "мемлекеттік нөмір*", "мемнөмір*", "автокөлік*"),
        "ru": ("госномер*", "гос номер*", "номерной знак", "автомобил*", "авто", "машин*", "грз"),
        "en": ("plate*", "licence plate", "license plate", "vehicle*", "car", "registration"),
    }
    column_hints = ("plate*", "госномер*", "grz", "грз", "vehicle*", "car_number", "авто*")

    def validate(self, value: str) -> bool | None:
        m = _PARTS.fullmatch(value.translate(_CYR_TO_LAT))
        if m is None:
            return False
        region = int(m.group(3))
        return 1 <= region <= 20 and m.group(2) not in _NOT_PLATE_LETTERS

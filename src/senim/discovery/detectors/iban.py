"""IBAN: any country's IBAN, per-country length and format (python-stdnum's registry)."""

from __future__ import annotations

from stdnum import iban

from senim.discovery._detector import Detector, Pattern


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
        if value[:2].upper() == "KZ":
            return False  # reported by the KZ_IBAN detector
        return bool(iban.is_valid(value))

"""KZ_IBAN: Kazakhstan IBAN (ИИК / ЖСК), 20 characters, ISO 7064 mod-97."""

from __future__ import annotations

from stdnum import iban

from senim.discovery._detector import Detector, Pattern


class KzIbanDetector(Detector):
    name = "kz_iban"
    entity = "KZ_IBAN"
    country = "KZ"
    description = "Kazakhstan IBAN (KZ + 2 check digits + 3-digit bank code + 13 characters)."
    patterns = (
        Pattern(
            name="kz_iban",
            regex=r"KZ\d{2}(?:[ ]?[0-9A-Z]){16}",
            score=0.4,
            ignore_case=True,
        ),
    )
    boundary = "alnum"
    context = {
        "kk": ("жск", "есепшот*", "шот", "банк шоты"),
        "ru": ("иик", "iban", "расчетный счет", "расчётный счёт", "счет*", "счёт*"),
        "en": ("iban", "account", "bank account"),
    }
    column_hints = ("iban", "иик", "жск", "account*", "счет*", "счёт*", "шот*")

    def validate(self, value: str) -> bool | None:
        compact = iban.compact(value)
        return len(compact) == 20 and iban.is_valid(compact)

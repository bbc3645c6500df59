"""KZ_IBAN: Kazakhstan IBAN (ИИК / ЖСК), 20 characters, ISO 7064 mod-97."""

from __future__ import annotations

import re

from senim.discovery._detector import Detector, Pattern
from senim.discovery.checksums import mod97_ok


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
        # the KZ entry of the ISO 13616 registry (bban "3!n13!c"), checked directly: the
        # same verdict as stdnum.iban.is_valid, without its look-up of every country
        compact = value.replace(" ", "").upper()
        return _KZ_IBAN.fullmatch(compact) is not None and mod97_ok(compact[4:] + compact[:4])


_KZ_IBAN = re.compile(r"KZ\d{2}\d{3}[0-9A-Z]{13}")

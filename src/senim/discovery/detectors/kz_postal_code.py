"""KZ_POSTAL_CODE: Kazpost codes, old 6-digit and new 7-character (A01P3K4), with context."""

from __future__ import annotations

from senim.discovery._detector import Detector, Pattern


class KzPostalCodeDetector(Detector):
    name = "kz_postal_code"
    entity = "KZ_POSTAL_CODE"
    country = "KZ"
    description = "Kazakhstan postal code (6 digits or L DD L D L D); only next to a context word."
    patterns = (
        Pattern(name="kz_postal_new", regex=r"[A-Z]\d{2}[A-Z]\d[A-Z]\d", score=0.4),
        Pattern(name="kz_postal_old", regex=r"\d{6}", score=0.3),
    )
    boundary = "alnum"
    context_required = True
    context = {
        "kk": ("пошта индексі", "индекс*", "пошталық индекс"),
        "ru": ("индекс*", "почтовый индекс"),
        "en": ("postal code", "postcode", "zip", "zip code", "post code"),
    }
    column_hints = ("postal*", "postcode*", "zip*", "индекс*", "index")

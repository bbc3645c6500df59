"""KZ_PASSPORT: passport of a citizen of Kazakhstan (N + 8 digits), only with context."""

from __future__ import annotations

from senim.discovery._detector import Detector, Pattern


class KzPassportDetector(Detector):
    name = "kz_passport"
    entity = "KZ_PASSPORT"
    country = "KZ"
    description = "Kazakhstan passport number (N + 8 digits); reported only next to a context word."
    patterns = (Pattern(name="kz_passport", regex=r"[NН]\d{8}", score=0.4),)
    boundary = "alnum"
    context_required = True
    context = {
        "kk": ("төлқұжат*", "паспорт*"),
        "ru": ("паспорт*", "загранпаспорт*"),
        "en": ("passport*",),
    }
    column_hints = ("passport*", "паспорт*", "төлқұжат*")

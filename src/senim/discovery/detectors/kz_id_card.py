"""KZ_ID_CARD: identity card number (удостоверение личности, 9 digits), only with context."""

from __future__ import annotations

from senim.discovery._detector import Detector, Pattern


class KzIdCardDetector(Detector):
    name = "kz_id_card"
    entity = "KZ_ID_CARD"
    country = "KZ"
    description = "Kazakhstan ID card number (9 digits); reported only next to a context word."
    patterns = (Pattern(name="kz_id_card", regex=r"\d{9}", score=0.3),)
    boundary = "digit"
    context_required = True
    context = {
        "kk": ("жеке куәлік*", "жеке куәлігі*", "куәлік*"),
        "ru": ("удостоверени*", "уд личности", "удл", "документ удостоверяющий личность"),
        "en": ("id card", "identity card", "identity document", "id number"),
    }
    column_hints = ("id_card*", "udl", "удл", "удостоверени*", "куәлік*", "document_number")

"""PAYMENT_CARD: bank card numbers (13-19 digits, Luhn, issuer prefixes incl. Mir, UnionPay)."""

from __future__ import annotations

from senim.discovery._detector import Detector, Pattern
from senim.discovery.checksums import luhn_ok

# (prefix range low, high, digits of prefix): Visa, Mastercard, Mir, Amex, UnionPay, JCB,
# Discover, Maestro, Diners
_PREFIXES = (
    (4, 4, 1),
    (51, 55, 2),
    (2221, 2720, 4),
    (2200, 2204, 4),
    (34, 34, 2),
    (37, 37, 2),
    (62, 62, 2),
    (81, 81, 2),
    (3528, 3589, 4),
    (6011, 6011, 4),
    (644, 649, 3),
    (65, 65, 2),
    (50, 50, 2),
    (56, 69, 2),
    (300, 305, 3),
    (36, 36, 2),
    (38, 39, 2),
)


_HEADS = frozenset(
    head
    for low, high, n in _PREFIXES
    for head in range(low * 10 ** (4 - n), (high + 1) * 10 ** (4 - n))
)
"""The first four digits of every number whose issuer prefix is in :data:`_PREFIXES` (a
number of ``n``-digit prefix ``p`` starts with ``p * 10**(4 - n)`` to ``(p + 1) * 10**(4 -
n) - 1``): one set look-up per candidate instead of a comparison per issuer range."""


class PaymentCardDetector(Detector):
    name = "payment_card"
    entity = "PAYMENT_CARD"
    description = "Payment card numbers: 13-19 digits, grouped or not, Luhn and issuer prefixes."
    patterns = (
        Pattern(name="card_grouped", regex=r"\d{4}(?:[ \-]\d{4}){2}[ \-]\d{1,7}", score=0.3),
        Pattern(name="card_amex", regex=r"3[47]\d{2}[ \-]\d{6}[ \-]\d{5}", score=0.3),
        Pattern(name="card_compact", regex=r"\d{13,19}", score=0.2),
    )
    boundary = "digit"
    validated_score = 0.8
    context = {
        "kk": ("карта*", "картасы*", "төлем карта*", "банк картасы"),
        "ru": ("карт*", "кредитн*", "дебетов*", "visa", "mastercard", "мир"),
        "en": ("card*", "credit", "debit", "visa", "mastercard", "pan"),
    }
    negative_context = {
        "kk": ("тапсырыс*", "шот-фактура*", "өтініш нөмірі", "түбіртек*"),
        "ru": ("заказ*", "счет-фактур*", "счёт-фактур*", "накладн*", "обращени*", "квитанци*"),
        "en": ("order", "invoice", "ticket", "tracking", "receipt", "reference"),
    }
    column_hints = ("card*", "pan", "карт*", "cc_number", "masked_pan")

    def validate(self, value: str) -> bool | None:
        digits = "".join(filter(str.isdigit, value))
        if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
            return False
        if int(digits[:4]) not in _HEADS:
            return False
        return luhn_ok(digits)

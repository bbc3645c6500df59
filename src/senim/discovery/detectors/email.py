"""EMAIL: e-mail addresses, internationalised domains and local parts included."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from senim.discovery._detector import Detector, Pattern


class EmailDetector(Detector):
    name = "email"
    entity = "EMAIL"
    description = (
        "E-mail addresses (RFC 5322 dot-atoms, IDN domains such as почта.қаз), "
        "validated with email-validator (syntax only, no network)."
    )
    patterns = (
        Pattern(
            name="email",
            regex=r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*@[\w-]+(?:\.[\w-]+)+",
            score=0.5,
        ),
    )
    boundary = "none"
    validated_score = 1.0
    context = {
        "kk": ("пошта*", "электрондық пошта", "email"),
        "ru": ("почт*", "электронная почта", "email", "e-mail", "эл почта"),
        "en": ("email", "e-mail", "mail", "contact*"),
    }
    column_hints = ("email*", "e_mail*", "mail*", "почт*", "пошта*")

    def _bounded(self, text: str, start: int, end: int) -> bool:
        # "a..b@x.kz" is malformed as a whole; do not report its tail "b@x.kz"
        before = text[start - 1] if start else ""
        return not (before and (before.isalnum() or before in ".!#$%&'*+/=?^`{|}~-_"))

    def validate(self, value: str) -> bool | None:
        try:
            validate_email(value, check_deliverability=False, allow_smtputf8=True)
        except EmailNotValidError:
            return False
        return True

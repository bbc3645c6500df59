"""EMAIL: e-mail addresses, internationalised domains and local parts included."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from senim.discovery._detector import Detector, Pattern

if TYPE_CHECKING:
    from email_validator import ValidatedEmail


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
        local, _, domain = value.rpartition("@")
        if _dot_atom().match(local):
            # a plain ASCII local part is valid on its own (email-validator's own rule), so
            # the verdict rests on the domain, checked once per distinct domain
            room = _room_before(domain)
            return room is not None and len(local) <= room
        return _valid(value)


@cache
def _dot_atom() -> re.Pattern[str]:
    """email-validator's plain ASCII local part (RFC 5322 dot-atom).

    email-validator is loaded on the first candidate, not with the detector: its import
    compiles its grammar (30-50 ms), which a scan of data without e-mail addresses, and
    every command that never scans, would pay at start-up.
    """
    from email_validator.rfc_constants import DOT_ATOM_TEXT

    return DOT_ATOM_TEXT


def _validated(address: str) -> ValidatedEmail | None:
    """email-validator's reading of ``address`` (syntax only), ``None`` when invalid."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(address, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return None


def _valid(address: str) -> bool:
    return _validated(address) is not None


@lru_cache(maxsize=4096)
def _room_before(domain: str) -> int | None:
    """How long a plain ASCII local part may be before ``@domain`` (``None``: never valid).

    email-validator checks the domain, then the length in UTF-8 of the address as written,
    normalised and with the domain in IDNA ASCII; a one-letter local part shows the verdict
    on the domain and each of those forms of it.
    """
    from email_validator.rfc_constants import EMAIL_MAX_LENGTH

    info = _validated("a@" + domain)
    if info is None:
        return None
    longest = max(len(d.encode("utf-8")) for d in (domain, info.domain, info.ascii_domain))
    return EMAIL_MAX_LENGTH - 1 - longest

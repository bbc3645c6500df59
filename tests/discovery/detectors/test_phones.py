from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from senim.discovery.detectors._phone import region


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+7 701 123 45 67", ["+7 701 123 45 67"]),
        ("+7 (701) 123-45-67", ["+7 (701) 123-45-67"]),
        ("+77011234567", ["+77011234567"]),
        ("8 701 123 45 67", ["8 701 123 45 67"]),
        ("8(701)1234567", ["8(701)1234567"]),
        ("8-701-123-45-67", ["8-701-123-45-67"]),
        ("8.707.123.45.67", ["8.707.123.45.67"]),
        ("тел.: 87471234567", ["87471234567"]),
        ("77751234567", ["77751234567"]),
        ("8 (727) 250-10-10", ["8 (727) 250-10-10"]),  # Almaty landline
        ("+7 7172 55 66 77", ["+7 7172 55 66 77"]),  # Astana landline
        ("+7 703 123 45 67", []),  # 703 is not a valid operator code
        ("+7 750 123 45 67", []),
        ("+7 916 123 45 67", []),  # Russian mobile: PHONE, not KZ_PHONE
        ("870112345678", []),  # 12 digits: not a phone
    ],
)
def test_kz_phone(text: str, expected: list[str], found) -> None:  # type: ignore[no-untyped-def]
    assert found(text, "KZ_PHONE") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+7 916 123 45 67", ["+7 916 123 45 67"]),
        ("8 (916) 123-45-67", ["8 (916) 123-45-67"]),
        ("+49 30 901820", ["+49 30 901820"]),
        ("+1 (202) 456-1111", ["+1 (202) 456-1111"]),
        ("+44 20 7946 0958", ["+44 20 7946 0958"]),
        ("+7 701 123 45 67", []),  # Kazakh: KZ_PHONE
        ("+1 123", []),
    ],
)
def test_other_phones(text: str, expected: list[str], found) -> None:  # type: ignore[no-untyped-def]
    assert found(text, "PHONE") == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_fast_zone7_path_agrees_with_phonenumbers(nsn: str) -> None:
    """The +7 fast path (KZ metadata patterns) answers exactly as the full library."""
    number = phonenumbers.parse("+7" + nsn, None)
    expected = (
        phonenumbers.region_code_for_number(number)
        if phonenumbers.is_valid_number(number)
        else None
    )
    assert region("+7" + nsn) == expected
    assert region("8" + nsn) == expected

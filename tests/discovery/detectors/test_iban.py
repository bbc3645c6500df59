from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iban

from senim.discovery.detectors.kz_iban import KzIbanDetector


@pytest.mark.parametrize(
    ("text", "entity", "expected"),
    [
        ("ИИК KZ86125KZT5004100100", "KZ_IBAN", ["KZ86125KZT5004100100"]),
        ("iban: kz86125kzt5004100100", "KZ_IBAN", ["kz86125kzt5004100100"]),
        ("KZ86 125K ZT50 0410 0100 end", "KZ_IBAN", ["KZ86 125K ZT50 0410 0100"]),
        ("KZ86125KZT5004100101", "KZ_IBAN", []),  # mod-97 fails
        ("KZ73 9990 0000 0001 2345", "KZ_IBAN", ["KZ73 9990 0000 0001 2345"]),
        ("IBAN DE89 3704 0044 0532 0130 00", "IBAN", ["DE89 3704 0044 0532 0130 00"]),
        ("GB82WEST12345698765432 paid", "IBAN", ["GB82WEST12345698765432"]),
        ("FR1420041010050500013M02606", "IBAN", ["FR1420041010050500013M02606"]),
        ("DE89370400440532013001", "IBAN", []),  # bad check digits
        ("DE8937040044053201300", "IBAN", []),  # wrong length for Germany
        ("KZ86125KZT5004100100", "IBAN", []),  # Kazakh IBANs are KZ_IBAN
    ],
)
def test_ibans(text: str, entity: str, expected: list[str], found) -> None:  # type: ignore[no-untyped-def]
    assert found(text, entity) == expected


_KZ_BODY = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabc", min_size=16, max_size=16)


@given(body=_KZ_BODY, fix=st.booleans())
def test_kz_iban_verdict_is_stdnums(body: str, fix: bool) -> None:
    """The KZ registry entry checked directly gives python-stdnum's verdict."""
    number = "KZ00" + body
    if fix:  # half the cases get correct check digits
        number = "KZ" + iban.calc_check_digits(number) + body
    spaced = " ".join(number[i : i + 4] for i in range(0, 20, 4))
    expected = iban.is_valid(number)
    assert KzIbanDetector().validate(number) is expected
    assert KzIbanDetector().validate(spaced) is expected

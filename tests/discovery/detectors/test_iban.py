from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iban, numdb

from senim.discovery.detectors.iban import IbanDetector, _compact
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


_COUNTRIES = [prefix[1] for prefix in numdb.get("iban").prefixes]
_BODY = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZab", min_size=11, max_size=30)


@given(
    country=st.sampled_from([*_COUNTRIES, "XX", "kz", "de"]),
    body=_BODY,
    fix=st.booleans(),
)
def test_iban_verdict_is_stdnums(country: str, body: str, fix: bool) -> None:
    """The per-country look-up gives python-stdnum's verdict for every registry country
    (and codes it does not hold); KZ numbers are left to KZ_IBAN."""
    number = country + "00" + body
    if fix:  # half the cases get correct check digits
        number = country + iban.calc_check_digits(number) + body
    expected = country.upper() != "KZ" and iban.is_valid(number)
    assert IbanDetector().validate(number) is expected
    assert IbanDetector().validate(" ".join(number[i : i + 4] for i in range(0, 34, 4))) is (
        expected
    )


@pytest.mark.parametrize(
    "number",
    [
        "DE89370400440532013000",
        "GB82WEST12345698765432",
        "FR1420041010050500013M02606",  # France's own RIB key checked too
        "ES9121000418450200051332",  # Spain's CCC check digits too
        "BE71096123456769",  # Belgium: its bank code and check digits too
        "NL91ABNA0417164300",
        "NO9386011117947",
    ],
)
def test_iban_country_checks_are_kept(number: str) -> None:
    assert IbanDetector().validate(number) is True
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert IbanDetector().validate(broken) is iban.is_valid(broken)


@given(value=st.text(alphabet="0123456789AZaz -.`'\t\n–٣ＫＺ", max_size=40) | st.text(max_size=40))
def test_compact_is_stdnums(value: str) -> None:
    """The ASCII shortcut compacts as python-stdnum does (any other text goes to stdnum)."""
    assert _compact(value) == iban.compact(value)

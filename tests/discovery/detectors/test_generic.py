"""EMAIL, PAYMENT_CARD, IP_ADDRESS, DATE_OF_BIRTH: edge cases mature tools cover."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to aigerim.n@mail.kz today", ["aigerim.n@mail.kz"]),
        ("ivan@почта.рф", ["ivan@почта.рф"]),  # IDN domain
        ("мысал@мысал.қаз", ["мысал@мысал.қаз"]),  # Kazakh letters, IDN TLD
        ("user+tag@sub.example.co.uk.", ["user+tag@sub.example.co.uk"]),
        ("o'brien@example.ie", ["o'brien@example.ie"]),
        ("not-an-email@localhost", []),
        ("a..b@example.com", []),
        ("@example.com", []),
    ],
)
def test_email(text: str, expected: list[str], found) -> None:  # type: ignore[no-untyped-def]
    assert found(text, "EMAIL") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111 1111 1111 1111", ["4111 1111 1111 1111"]),
        ("4111-1111-1111-1111", ["4111-1111-1111-1111"]),
        ("4111111111111111", ["4111111111111111"]),
        ("Mir 2200 1234 5678 9019", ["2200 1234 5678 9019"]),
        ("amex 3782 822463 10005", ["3782 822463 10005"]),
        ("5555555555554444", ["5555555555554444"]),
        ("4111 1111 1111 1112", []),  # Luhn fails
        ("0000 0000 0000 0000", []),
        ("1234 5678 9012 3452", []),  # Luhn-valid but no issuer starts with 1
    ],
)
def test_payment_card(text: str, expected: list[str], found) -> None:  # type: ignore[no-untyped-def]
    assert found(text, "PAYMENT_CARD") == expected


def test_issuer_prefixes_by_first_four_digits() -> None:
    # the set of four-digit heads says what the issuer ranges say, for every head
    from senim.discovery.detectors.payment_card import _HEADS, _PREFIXES

    for head in range(10_000):
        digits = f"{head:04d}"
        by_range = any(low <= int(digits[:n]) <= high for low, high, n in _PREFIXES)
        assert (head in _HEADS) == by_range, digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from 192.168.1.10 at noon", ["192.168.1.10"]),
        ("8.8.8.8", ["8.8.8.8"]),
        ("999.1.1.1", []),
        ("version 1.2.3.4.5", []),
        ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", ["2001:0db8:85a3:0000:0000:8a2e:0370:7334"]),
        ("2001:db8::1", ["2001:db8::1"]),
        ("ip ::1", ["::1"]),
        ("fe80::1%eth0 link", ["fe80::1%eth0"]),
        ("::ffff:192.0.2.128", ["::ffff:192.0.2.128"]),
        ("64:ff9b::192.0.2.33", ["64:ff9b::192.0.2.33"]),
        ("[2001:db8::ff00:42:8329]:443", ["2001:db8::ff00:42:8329"]),
        ("2001:DB8:0:0:8:800:200C:417A", ["2001:DB8:0:0:8:800:200C:417A"]),
        ("at 12:30:45 today", []),
        ("mac 00:1A:2B:3C:4D:5E", []),
        ("std::vector", []),
    ],
)
def test_ip_address(text: str, expected: list[str], found) -> None:  # type: ignore[no-untyped-def]
    assert found(text, "IP_ADDRESS") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("дата рождения: 12.03.1985", ["12.03.1985"]),
        ("родился 5 марта 1990 года", ["5 марта 1990"]),
        ("туған күні 1985 жылғы 12 наурыз", ["1985 жылғы 12 наурыз"]),
        ("Date of birth: March 12, 1985", ["March 12, 1985"]),
        ("DOB 1985-03-12", ["1985-03-12"]),
        ("договор от 12.03.2020", []),  # no birth context
        ("дата рождения 31.02.1985", []),  # no such date
        ("born 12.03.2150", []),  # in the future
        # a birth word speaks for the nearest date only
        ("Родился 21.09.1952, в штате с 01.11.2018", ["21.09.1952"]),
        ("Born 1985-03-12; contract signed 2019-06-01", ["1985-03-12"]),
        ("Туған күні 1985 жылғы 12 наурыз, келісім 03.04.2015", ["1985 жылғы 12 наурыз"]),
        ("принят 01.11.2018, родился 21.09.1952", ["21.09.1952"]),
        ("родился 01.01.1970, жена родилась 02.02.1972", ["01.01.1970", "02.02.1972"]),
        ("2015-04-03 келісім, 1985 жылы 12 наурызда туған", ["1985 жылы 12 наурызда"]),
    ],
)
def test_date_of_birth(text: str, expected: list[str], found) -> None:  # type: ignore[no-untyped-def]
    assert found(text, "DATE_OF_BIRTH") == expected

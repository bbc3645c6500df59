"""Passport, ID card, postal code (context required), vehicle plates."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "entity", "expected"),
    [
        ("паспорт N12345678", "KZ_PASSPORT", ["N12345678"]),
        ("төлқұжат нөмірі N09876543", "KZ_PASSPORT", ["N09876543"]),
        ("passport no. N12345678", "KZ_PASSPORT", ["N12345678"]),
        ("артикул N12345678", "KZ_PASSPORT", []),  # no context
        ("удостоверение личности № 041234567", "KZ_ID_CARD", ["041234567"]),
        ("жеке куәлік 041234567", "KZ_ID_CARD", ["041234567"]),
        ("ID card 041234567 issued", "KZ_ID_CARD", ["041234567"]),
        ("заказ 041234567", "KZ_ID_CARD", []),
        ("индекс 050013, г. Алматы", "KZ_POSTAL_CODE", ["050013"]),
        ("пошта индексі A05K8P3", "KZ_POSTAL_CODE", ["A05K8P3"]),
        ("postal code Z01P3K4", "KZ_POSTAL_CODE", ["Z01P3K4"]),
        ("сумма 050013 тенге", "KZ_POSTAL_CODE", []),
        ("госномер 123 ABC 02", "KZ_VEHICLE_PLATE", ["123 ABC 02"]),
        ("автомобиль 777AAA17", "KZ_VEHICLE_PLATE", ["777AAA17"]),
        ("ТОО авто 450 AB 01", "KZ_VEHICLE_PLATE", ["450 AB 01"]),
        ("plate 123 ABC 21", "KZ_VEHICLE_PLATE", []),  # region 21 does not exist
        ("paid 100 USD 15 times", "KZ_VEHICLE_PLATE", []),  # a currency amount
    ],
)
def test_documents(text: str, entity: str, expected: list[str], found) -> None:  # type: ignore[no-untyped-def]
    assert found(text, entity) == expected


def test_context_required_uses_column_name(scanner) -> None:  # type: ignore[no-untyped-def]
    findings = scanner.scan_text("N12345678", column="passport_no")
    assert [f.entity for f in findings] == ["KZ_PASSPORT"]
    assert scanner.scan_text("N12345678", column="sku") == []

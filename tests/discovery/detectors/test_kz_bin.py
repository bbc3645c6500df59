from __future__ import annotations

import pytest

from senim.discovery.kzid import bin_is_valid

VALID = [
    "940140000385", "990140004654", "320243026191", "170240014901", "080540000001",
    "150351000007", "190760000000", "201163000002", "041242000007", "700140000019",
]  # fmt: skip
INVALID = ["949940000385", "940190000385", "940149000385", "940140000386", "900101300007"]


@pytest.mark.parametrize("number", VALID)
def test_valid_bins(number: str, found) -> None:  # type: ignore[no-untyped-def]
    assert bin_is_valid(number)
    assert found(f"БИН {number}", "KZ_BIN") == [number]
    assert found(f"БИН {number}", "KZ_IIN") == []


@pytest.mark.parametrize("number", INVALID)
def test_invalid_bins(number: str, found) -> None:  # type: ignore[no-untyped-def]
    assert not bin_is_valid(number)
    assert found(f"БСН {number}", "KZ_BIN") == []

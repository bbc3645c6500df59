"""KZ_IIN: published vectors from shared/domain (iin-bin-vectors.txt, kazakhstan-rules.md §3.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from senim.discovery.kzid import check_digit, iin_info, iin_is_valid

VALID = [
    "791028302728", "061211600012", "251112401047", "700911204362", "900715300005",
    "790303402568", "900101300007", "850722400008", "020315500009", "050630600003",
    "900101300811", "850722400907", "020315501805", "050630600403",
]  # fmt: skip
INVALID = [
    "010101600586",  # wrong check digit
    "821214240092",  # both weight passes give 10
    "868795643215",  # month 87
    "900715300006",  # wrong check digit
    "320229474023",  # right date, wrong check digit
    "881204706651",  # century digit 7
    "009900000008",  # checksum fine, month 99: no birth date
    "009900030008",
    "700140000019",  # a BIN, not an IIN
]


@pytest.mark.parametrize("number", VALID)
def test_valid_iins(number: str, found) -> None:  # type: ignore[no-untyped-def]
    assert iin_is_valid(number)
    assert found(f"ИИН: {number}", "KZ_IIN") == [number]
    assert found(f"клиенттің ЖСН {number} болып табылады", "KZ_IIN") == [number]


@pytest.mark.parametrize("number", INVALID)
def test_invalid_iins(number: str, found) -> None:  # type: ignore[no-untyped-def]
    assert not iin_is_valid(number)
    assert found(f"ИИН: {number}", "KZ_IIN") == []


@pytest.mark.parametrize("prefix", ["90010130080", "85072240097"])
def test_prefixes_with_no_possible_check_digit(prefix: str) -> None:
    assert check_digit(prefix) is None
    assert not any(iin_is_valid(prefix + str(d)) for d in range(10))


def test_vectors_file_agrees() -> None:
    path = Path(__file__).parents[3].parent / "shared" / "domain" / "iin-bin-vectors.txt"
    if not path.exists():
        pytest.skip("shared/ not beside the checkout")
    for line in path.read_text("utf-8").splitlines():
        number, _, comment = line.partition("#")
        number = number.strip()
        if not number or not number.isdigit():
            continue
        if "valid IIN" in comment or comment.strip().startswith("valid;"):
            assert iin_is_valid(number), number
        elif comment.strip().startswith("invalid"):
            assert not iin_is_valid(number), number


def test_info_decodes_birth_date_and_sex() -> None:
    info = iin_info("061211600012")
    assert info is not None
    assert (info.birth_date.isoformat(), info.sex) == ("2006-12-11", "female")
    info = iin_info("700911204362")
    assert info is not None
    assert (info.birth_date.year, info.sex) == (1870, "female")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("900101300007", ["900101300007"]),  # alone, validated
        ("ИИН900101300007", ["900101300007"]),  # glued to a letter
        ("1900101300007", []),  # 13 digits: part of a longer number
        ("9001013000071", []),
        ("card 4000 9001 0130 0007", []),  # digits inside a grouped number
        ("order 123456789012", []),  # checksum fails
    ],
)
def test_boundaries(text: str, expected: list[str], found) -> None:  # type: ignore[no-untyped-def]
    assert found(text, "KZ_IIN") == expected


def test_context_raises_score(scanner) -> None:  # type: ignore[no-untyped-def]
    bare = scanner.scan_text("900101300007")[0]
    ctx = scanner.scan_text("ИИН 900101300007")[0]
    assert bare.score == pytest.approx(0.9)
    assert ctx.score == pytest.approx(1.0)
    reasons = [a.reason for a in ctx.explanation.adjustments]
    assert reasons == ["validated", "context"]
    assert ctx.explanation.adjustments[1].detail == "text:иин"


def test_context_is_whole_word(scanner) -> None:  # type: ignore[no-untyped-def]
    # "иинфо" contains "иин" but is not the word ИИН
    f = scanner.scan_text("иинфо 900101300007")[0]
    assert [a.reason for a in f.explanation.adjustments] == ["validated"]

from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from senim.discovery import KeyedHasher, mask_preview
from senim.discovery._protect import _load_key


@given(st.text(max_size=80))
def test_mask_keeps_length_and_separators(value: str) -> None:
    masked = mask_preview(value)
    assert len(masked) == len(value)
    for a, b in zip(value, masked, strict=True):
        if not a.isalnum():
            assert a == b


@given(st.text(alphabet="0123456789", min_size=10, max_size=19))
def test_mask_hides_the_middle_of_numbers(value: str) -> None:
    masked = mask_preview(value)
    assert masked[2:-2] == "•" * (len(value) - 4)


@pytest.mark.parametrize(
    ("value", "preview"),
    [
        ("+7 701 123 45 67", "+7 7•• ••• •• 67"),  # long digit runs: two first, two last
        ("900101300007", "90••••••••07"),
        ("4111-1111-1111-1111", "41••-••••-••••-••11"),
        ("KZ86125KZT5004100100", "K••••••K••••••••••••"),  # under 80% digits: word rule
        ("Иванов Иван Иванович", "И••••• И••• И•••••••"),  # first letter of each word
        ("Әлия Нұрланқызы", "Ә••• Н•••••••••"),
        ("ivan.petrov@mail.kz", "i•••.p•••••@m•••.k•"),
        ("12 34", "•• ••"),  # short values: fully masked
        ("ab", "••"),
    ],
)
def test_mask_preview_table(value: str, preview: str) -> None:
    assert mask_preview(value) == preview


@given(
    st.text(min_size=1, max_size=40),
    st.binary(min_size=8, max_size=32),
    st.binary(min_size=8, max_size=32),
)
def test_digest_stable_per_key_and_differs_across_keys(value: str, k1: bytes, k2: bytes) -> None:
    h1, h2 = KeyedHasher(key=k1), KeyedHasher(key=k1)
    assert h1.digest("EMAIL", value) == h2.digest("EMAIL", value)
    if k1 != k2:
        assert KeyedHasher(key=k2).digest("EMAIL", value + "x") != h1.digest("EMAIL", value + "x")


@given(
    st.binary(max_size=200), st.sampled_from(["KZ_IIN", "EMAIL", "PERSON"]), st.text(max_size=40)
)
def test_digest_is_hmac_sha256_of_entity_and_normalised_value(
    key: bytes, entity: str, value: str
) -> None:
    # the documented digest, computed with the standard library's HMAC (keys longer than
    # SHA-256's 64-byte block are hashed first)
    norm = re.sub(r"[^\w@.]|_", "", value.casefold())
    expected = hmac.new(key, f"{entity}:{norm}".encode(), hashlib.sha256).hexdigest()[:16]
    assert KeyedHasher(key=key).digest(entity, value) == expected


def test_digest_normalises_formatting() -> None:
    h = KeyedHasher(key=b"k")
    assert h.digest("KZ_PHONE", "+7 (701) 123-45-67") == h.digest("KZ_PHONE", "+77011234567")
    assert h.digest("KZ_IIN", "900101300007") != h.digest("KZ_BIN", "900101300007")


def test_key_file_is_created_private(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SENIM_HASH_KEY", raising=False)
    monkeypatch.setenv("SENIM_HASH_KEY_FILE", str(tmp_path / "k" / "hash.key"))
    key = _load_key()
    path = tmp_path / "k" / "hash.key"
    assert path.read_bytes().strip() == key
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert _load_key() == key

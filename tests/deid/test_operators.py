from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from stdnum import iban as std_iban
from stdnum import luhn

from senim.deid import DeidKeys, Encrypt, Generalise, Mask, Pseudonym, Redact, Surrogate, Tag
from senim.deid._fakes import person_gender
from senim.deid._regions import script_lang
from senim.deid.operators import OperatorContext, decrypt_token
from senim.discovery.kzid import bin_is_valid, check_digit, iin_info, iin_is_valid
from senim.errors import ConfigError, InputError

KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))

CTX_A = OperatorContext(keys=DeidKeys(master=KEY_A))
CTX_B = OperatorContext(keys=DeidKeys(master=KEY_B))


def _iin(year: int, month: int, day: int, sex: str, serial: int) -> str | None:
    century = {1900: 3, 2000: 5}[year - year % 100] + (sex == "female")
    first11 = f"{year % 100:02d}{month:02d}{day:02d}{century}{serial:04d}"
    k = check_digit(first11)
    return None if k is None else first11 + str(k)


iins = st.builds(
    _iin,
    st.integers(1930, 2015),
    st.integers(1, 12),
    st.integers(1, 28),
    st.sampled_from(["male", "female"]),
    st.integers(0, 9999),
).filter(lambda v: v is not None)


@pytest.mark.parametrize(
    ("rule", "value", "entity", "expected"),
    [
        (Redact(), "900101300007", "KZ_IIN", ""),
        (Redact(replacement="[x]"), "900101300007", "KZ_IIN", "[x]"),
        (Tag(), "900101300007", "KZ_IIN", "<KZ_IIN>"),
        (Tag(template="[{entity}]"), "a@b.kz", "EMAIL", "[EMAIL]"),
        (Mask(), "+7 701 123 45 67", "KZ_PHONE", "+* *** *** ** **"),
        (Mask(keep_end=2), "900101300007", "KZ_IIN", "**********07"),
        (Mask(keep_start=8), "900101300007", "KZ_IIN", "9001********"),  # capped at a third
        (Generalise(), "900101300007", "KZ_IIN", "1990 M"),
        (Generalise(to="decade"), "061211600012", "KZ_IIN", "2000s F"),
        (Generalise(), "12.05.1987", "DATE_OF_BIRTH", "1987"),
        (Generalise(to="month"), "1987-05-12", "DATE_OF_BIRTH", "1987-05"),
        (Generalise(), "не дата", "DATE_OF_BIRTH", "<DATE_OF_BIRTH>"),
        (Generalise(), "г. Алматы, ул. Абая 10", "ADDRESS", "Алматы"),
        (Generalise(to="region"), "Талгар, ул. Ленина 5", "ADDRESS", "Алматинская область"),
        (Generalise(to="region"), "Қарағанды қ., Бұқар жырау 5", "ADDRESS", "Қарағанды облысы"),
        (Generalise(to="city"), "Oskemen, Lenin st 5", "ADDRESS", "Oskemen"),
        (Generalise(), "050013", "KZ_POSTAL_CODE", "05xxxx"),
        (Generalise(), "A01P3K4", "KZ_POSTAL_CODE", "A01xxxx"),
        (Generalise(), "95.56.1.2", "IP_ADDRESS", "95.56.1.0/24"),
        (Generalise(width=10), "37", "NUMBER", "30-39"),
    ],
)
def test_operator_table(rule, value, entity, expected) -> None:  # type: ignore[no-untyped-def]
    assert rule.apply(value, entity, CTX_A) == expected


@pytest.mark.parametrize(
    ("model", "params"),
    [
        (Mask, {"char": "ab"}),
        (Mask, {"char": "x"}),
        (Mask, {"keep_end": -1}),
        (Pseudonym, {"length": 4}),
        (Pseudonym, {"template": "{entity}-only"}),
        (Tag, {"template": "<{name}>"}),
        (Encrypt, {"mode": "ecb"}),
        (Generalise, {"to": "street"}),
        (Surrogate, {"keep": ["eye_colour"]}),
        (Redact, {"unknown": 1}),
    ],
)
def test_parameters_are_validated(model, params) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        model(**params)


def test_key_operators_without_key_are_a_clear_error() -> None:
    with pytest.raises(ConfigError) as info:
        Pseudonym().apply("900101300007", "KZ_IIN", OperatorContext())
    assert info.value.key == "deid.key_needed"
    assert "SENIM_DEID_KEY" in info.value.message("en")


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40), st.integers(0, 8), st.integers(0, 8))
def test_mask_keeps_length_and_separators(value: str, start: int, end: int) -> None:
    out = Mask(keep_start=start, keep_end=end).apply(value, "X", CTX_A)
    assert len(out) == len(value)
    for before, after in zip(value, out, strict=True):
        assert after == before if not before.isalnum() else after in ("*", before)
    assert (
        sum(a == b and a.isalnum() for a, b in zip(value, out, strict=True))
        <= sum(c.isalnum() for c in value) // 3
    )


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=30), st.sampled_from(["KZ_IIN", "PERSON", "EMAIL"]))
def test_pseudonyms_stable_per_key_and_differ_across_keys(value: str, entity: str) -> None:
    rule = Pseudonym()
    a1 = rule.apply(value, entity, CTX_A)
    a2 = rule.apply(value, entity, OperatorContext(keys=DeidKeys(master=KEY_A)))
    b = rule.apply(value, entity, CTX_B)
    assert a1 == a2
    assert a1 != b
    assert re.fullmatch(rf"{entity}_[0-9a-f]{{16}}", a1)


def test_pseudonyms_join_across_formatting() -> None:
    rule = Pseudonym()
    assert rule.apply("+7 (701) 123-45-67", "KZ_PHONE", CTX_A) == rule.apply(
        "+77011234567", "KZ_PHONE", CTX_A
    )
    assert rule.apply("Иванов", "PERSON", CTX_A) == rule.apply("ИВАНОВ", "PERSON", CTX_A)
    assert rule.apply("Иванов", "PERSON", CTX_A) != rule.apply("Петров", "PERSON", CTX_A)


@settings(max_examples=80, deadline=None)
@given(iins)
def test_iin_surrogate_is_valid_and_keeps_decade_and_sex(iin: str) -> None:
    fake = Surrogate().apply(iin, "KZ_IIN", CTX_A)
    assert fake != iin
    assert iin_is_valid(fake)
    before, after = iin_info(iin), iin_info(fake)
    assert before is not None
    assert after is not None
    assert after.sex == before.sex
    assert after.birth_date.year // 10 == before.birth_date.year // 10
    assert Surrogate().apply(iin, "KZ_IIN", CTX_A) == fake  # consistent under one key


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**13 - 1), st.sampled_from(["125", "722", "601"]))
def test_iban_surrogate_passes_mod97(account: int, bank: str) -> None:
    bban = f"{bank}{account:013d}"
    original = "KZ" + std_iban.calc_check_digits("KZ00" + bban) + bban
    fake = Surrogate().apply(original, "KZ_IBAN", CTX_A)
    assert std_iban.is_valid(fake)
    assert fake[:2] == "KZ"
    assert fake[4:7] == bank
    assert fake != original


@pytest.mark.parametrize(
    ("entity", "value", "check"),
    [
        ("KZ_BIN", "990140000385", bin_is_valid),
        ("PAYMENT_CARD", "4400 4301 2345 6781", lambda v: luhn.is_valid(v.replace(" ", ""))),
        ("KZ_IBAN", "KZ86 125K ZT50 0410 0100", lambda v: std_iban.is_valid(v)),
        ("KZ_PHONE", "+7 (701) 123-45-67", lambda v: v.startswith("+7 (701) ") and len(v) == 18),
        ("DATE_OF_BIRTH", "12.05.1987", lambda v: re.fullmatch(r"\d\d\.\d\d\.1987", v)),
        ("EMAIL", "a.b@mail.kz", lambda v: v.endswith((".com", ".org", ".net")) and "@" in v),
        ("IP_ADDRESS", "95.56.1.2", lambda v: v.startswith("10.")),
        ("KZ_PASSPORT", "N12345678", lambda v: re.fullmatch(r"[A-Z]\d{8}", v)),
    ],
)
def test_surrogates_keep_format_and_pass_validators(entity, value, check) -> None:  # type: ignore[no-untyped-def]
    fake = Surrogate().apply(value, entity, CTX_A)
    assert fake != value
    assert check(fake)


@pytest.mark.parametrize(
    "name",
    ["Иванова Анна Сергеевна", "Петров Иван", "Айгерім Нұрланқызы", "John Smith", "Мария"],
)
def test_name_surrogate_keeps_gender_and_script(name: str) -> None:
    fake = Surrogate().apply(name, "PERSON", CTX_A)
    assert fake != name
    assert script_lang(fake) in (("en",) if script_lang(name) == "en" else ("ru", "kk"))
    assert len(fake.split()) == len(name.split())
    if person_gender(name) is not None:
        assert person_gender(fake) in (person_gender(name), None)


@pytest.mark.parametrize("mode", ["gcm", "siv"])
def test_encrypt_round_trip(mode: str) -> None:
    rule = Encrypt(mode=mode)  # type: ignore[arg-type]
    token = rule.apply("900101300007", "KZ_IIN", CTX_A)
    assert "900101300007" not in token
    assert decrypt_token(token, CTX_A) == "900101300007"
    with pytest.raises(InputError) as info:
        decrypt_token(token, CTX_B)
    assert info.value.key == "deid.token_undecryptable"


def test_siv_is_deterministic_gcm_is_not() -> None:
    siv, gcm = Encrypt(mode="siv"), Encrypt(mode="gcm")
    assert siv.apply("x@y.kz", "EMAIL", CTX_A) == siv.apply("x@y.kz", "EMAIL", CTX_A)
    assert gcm.apply("x@y.kz", "EMAIL", CTX_A) != gcm.apply("x@y.kz", "EMAIL", CTX_A)
    assert siv.apply("x@y.kz", "EMAIL", CTX_A) != siv.apply("x@y.kz", "EMAIL", CTX_B)


@pytest.mark.parametrize(
    ("name", "suffix"), [("Нұрсұлтан Әбішұлы", "ұлы"), ("Айгерім Нұрланқызы", "қызы")]
)
def test_kazakh_patronymic_surrogate_keeps_its_form(name: str, suffix: str) -> None:
    fake = Surrogate().apply(name, "PERSON", CTX_A)
    assert fake.split()[1].endswith(suffix)
    assert fake != name

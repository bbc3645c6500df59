"""Format-preserving fakes for the ``surrogate`` operator, one generator per entity.

Every generator takes the original value and a generator seeded by a keyed hash of it, so the
same value always gets the same fake under one key. Fakes keep the shape of the original
(length, separators, letter case, script) and pass the validators of their entity:

- ``KZ_IIN``: valid two-pass mod-11 check digit; birth decade and sex kept on request;
- ``KZ_BIN``: valid check digit, same entity type and attribute digits;
- ``KZ_IBAN`` / ``IBAN``: valid ISO 13616 mod-97 check, same country (and bank code on request);
- ``PAYMENT_CARD``: valid Luhn digit, same network digit and length;
- ``PERSON``: names of the same gender and script from the mimesis name lists (kk/ru/en);
- ``DATE_OF_BIRTH``: another day of the same year, in the same format;
- everything else: each digit by a digit, each letter by a letter of the same script and case.
"""

from __future__ import annotations

import ipaddress
import json
import random
import re
import string
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Literal

from stdnum import iban as std_iban
from stdnum import luhn

from senim.deid._regions import script_lang
from senim.discovery.kzid import check_digit, iin_info

__all__ = ["Keep", "fake"]

Keep = Literal["decade", "sex", "bank", "operator"]
Gen = Callable[[str, random.Random, frozenset[str]], str | None]

_CYR_UPPER = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ"
_CYR_LOWER = _CYR_UPPER.lower()
_KZ_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def _char_like(ch: str, rng: random.Random) -> str:
    if ch.isdigit():
        return rng.choice(string.digits)
    if "A" <= ch <= "Z":
        return rng.choice(string.ascii_uppercase)
    if "a" <= ch <= "z":
        return rng.choice(string.ascii_lowercase)
    if ch.isalpha() and ch.isupper():
        return rng.choice(_CYR_UPPER)
    if ch.isalpha():
        return rng.choice(_CYR_LOWER)
    return ch


def shape_preserving(value: str, rng: random.Random) -> str:
    """Each digit/letter replaced by a random one of the same kind; separators kept."""
    for _ in range(8):
        out = "".join(_char_like(ch, rng) for ch in value)
        if out != value:
            return out
    return out


def _reshape(template: str, chars: str) -> str:
    """Put ``chars`` into the alphanumeric positions of ``template`` (keeps spacing, case)."""
    it = iter(chars)
    out = []
    for ch in template:
        if ch.isalnum():
            nxt = next(it, "")
            out.append(nxt.lower() if ch.islower() else nxt)
        else:
            out.append(ch)
    out.extend(it)
    return "".join(out)


# ---- Kazakhstan identifiers --------------------------------------------------------------
_CENTURY_DIGIT = {(1800, "male"): 1, (1800, "female"): 2, (1900, "male"): 3}
_CENTURY_DIGIT |= {(1900, "female"): 4, (2000, "male"): 5, (2000, "female"): 6}


def _random_birth(rng: random.Random, keep: frozenset[str], original: date | None) -> date:
    today = date.today()
    if original is not None and "decade" in keep:
        first = date(original.year - original.year % 10, 1, 1)
        last = min(date(first.year + 9, 12, 31), today)
    else:
        first, last = date(1940, 1, 1), today - timedelta(days=365 * 16)
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def fake_iin(value: str, rng: random.Random, keep: frozenset[str]) -> str | None:
    digits = "".join(ch for ch in value if ch.isdigit())
    info = iin_info(digits)
    born_orig = info.birth_date if info else None
    for _ in range(100):
        born = _random_birth(rng, keep, born_orig)
        sex = info.sex if info is not None and "sex" in keep else rng.choice(("male", "female"))
        century = _CENTURY_DIGIT[(born.year - born.year % 100, sex)]
        first11 = f"{born:%y%m%d}{century}{rng.randrange(10_000):04d}"
        k = check_digit(first11)
        if k is not None and first11 + str(k) != digits:
            return _reshape(value, first11 + str(k))
    return None


def fake_bin(value: str, rng: random.Random, keep: frozenset[str]) -> str | None:
    digits = "".join(ch for ch in value if ch.isdigit())
    kind = digits[4:6] if len(digits) == 12 and digits[4] in "456" and digits[5] in "0123" else "40"
    for _ in range(100):
        yymm = f"{rng.randrange(95, 125) % 100:02d}{rng.randrange(1, 13):02d}"
        first11 = f"{yymm}{kind}{rng.randrange(100_000):05d}"
        k = check_digit(first11)
        if k is not None and first11 + str(k) != digits:
            return _reshape(value, first11 + str(k))
    return None


def fake_iban(value: str, rng: random.Random, keep: frozenset[str]) -> str | None:
    compact = "".join(ch for ch in value if ch.isalnum()).upper()
    if len(compact) < 5 or not compact[:2].isalpha():
        return None
    country, bban = compact[:2], compact[4:]
    if country == "KZ" and len(bban) == 16:
        bank = bban[:3] if "bank" in keep else f"{rng.randrange(1000):03d}"
        new_bban = bank + "".join(rng.choice(string.digits) for _ in range(13))
    else:
        new_bban = "".join(
            rng.choice(string.digits) if ch.isdigit() else rng.choice(string.ascii_uppercase)
            for ch in bban
        )
    check = std_iban.calc_check_digits(country + "00" + new_bban)
    out = country + check + new_bban
    return _reshape(value, out) if out != compact else None


def fake_card(value: str, rng: random.Random, keep: frozenset[str]) -> str | None:
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) < 12:
        return None
    body = digits[0] + "".join(rng.choice(string.digits) for _ in range(len(digits) - 2))
    return _reshape(value, body + luhn.calc_check_digit(body))


def fake_phone(value: str, rng: random.Random, keep: frozenset[str]) -> str | None:
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) < 7:
        return None
    keep_n = 0
    if "operator" in keep:  # country/trunk prefix and the 3-digit operator code
        keep_n = 4 if digits[0] in "78" and len(digits) == 11 else min(4, len(digits) - 6)
    tail = "".join(rng.choice(string.digits) for _ in range(len(digits) - keep_n))
    return _reshape(value, digits[:keep_n] + tail)


def fake_date(value: str, rng: random.Random, keep: frozenset[str]) -> str | None:
    match = re.fullmatch(
        r"(\d{4})([-./])(\d{1,2})\2(\d{1,2})|(\d{1,2})([-./])(\d{1,2})\6(\d{4})", value
    )
    if match is None:
        return None
    if match.group(1):
        year, sep = int(match.group(1)), match.group(2)
    else:
        year, sep = int(match.group(8)), match.group(6)
    day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    if match.group(1):
        return f"{day.year:04d}{sep}{day.month:02d}{sep}{day.day:02d}"
    return f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year:04d}"


def fake_email(value: str, rng: random.Random, keep: frozenset[str]) -> str | None:
    if "@" not in value:
        return None
    words = _names("en")["surnames"]["any"]
    user = f"{rng.choice(words).lower()}.{rng.randrange(10, 9999)}"
    return f"{user}@{rng.choice(('example.com', 'example.org', 'example.net'))}"


def fake_ip(value: str, rng: random.Random, keep: frozenset[str]) -> str | None:
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        return None
    if addr.version == 4:  # RFC 1918 private space: never a real public host
        return str(ipaddress.IPv4Address((10 << 24) | rng.randrange(1, 1 << 24)))
    return str(ipaddress.IPv6Address((0xFD << 120) | rng.randrange(1, 1 << 120)))


def fake_address(value: str, rng: random.Random, keep: frozenset[str]) -> str | None:
    from senim.deid._regions import regions

    lang = script_lang(value)
    data = _address(lang)
    street = rng.choice(data["street"]["name"])
    suffix = rng.choice(data["street"]["suffix"])
    number = rng.randrange(1, 200)
    place = regions().find(value)
    city = ""
    if place is not None:
        city = (place.city or place.region)[lang] + ", "
    if lang == "en":
        return f"{city}{number} {street} {suffix}"
    return f"{city}{suffix} {street}, {number}"


# ---- names --------------------------------------------------------------------------------
Gender = Literal["male", "female"]


@cache
def _address(lang: str) -> dict[str, dict[str, list[str]]]:
    path = resources.files("mimesis").joinpath("datasets", lang, "address.json")
    data: dict[str, dict[str, list[str]]] = json.loads(path.read_text("utf-8"))
    return data


@cache
def _names(lang: str) -> dict[str, dict[str, list[str]]]:
    """``{"given"|"surnames"|"patronymics": {"male"|"female"|"any": [...]}}`` for a locale."""
    path = resources.files("mimesis").joinpath("datasets", lang, "person.json")
    data = json.loads(path.read_text("utf-8"))

    def split(value: object) -> dict[str, list[str]]:
        if isinstance(value, dict):
            out = {str(k): [str(n) for n in v] for k, v in value.items() if isinstance(v, list)}
            out["any"] = [n for v in out.values() for n in v]
            return out
        names = [str(n) for n in value] if isinstance(value, list) else []
        return {"male": names, "female": names, "any": names}

    return {
        "given": split(data.get("names", {})),
        "surnames": split(data.get("surnames", [])),
        "patronymics": split(data.get("patronymic", [])),
    }


@cache
def _gender_index() -> dict[str, tuple[str, Gender]]:
    """Case-folded name -> (role, gender), from the kk/ru/en lists."""
    index: dict[str, tuple[str, Gender]] = {}
    for lang in ("kk", "ru", "en"):
        lists = _names(lang)
        for role in ("given", "surnames", "patronymics"):
            for gender in ("male", "female"):
                if lists[role].get(gender) is lists[role].get("any"):
                    continue
                for name in lists[role].get(gender, []):
                    index.setdefault(name.casefold(), (role, gender))
    return index


_FEMALE_SUFFIX = ("ова", "ева", "ёва", "ина", "ына", "ая", "овна", "евна", "ична", "қызы", "кызы")
_MALE_SUFFIX = ("ов", "ев", "ёв", "ин", "ын", "ий", "ый", "ович", "евич", "ич", "ұлы", "улы", "uly")
_LATIN_FEMALE = ("ova", "eva", "ina", "yna", "kyzy", "qyzy")
_LATIN_MALE = ("ov", "ev", "in", "yn", "uly")


def _role_gender(token: str) -> tuple[str, Gender | None]:
    low = token.casefold()
    if low in _gender_index():
        return _gender_index()[low]
    if low.endswith(("овна", "евна", "ична", "қызы", "кызы", "ович", "евич", "ұлы", "улы")):
        return "patronymics", "female" if low.endswith(("на", "ызы")) else "male"
    if low.endswith(_FEMALE_SUFFIX) or low.endswith(_LATIN_FEMALE):
        return "surnames", "female"
    if low.endswith(_MALE_SUFFIX) or low.endswith(_LATIN_MALE):
        return "surnames", "male"
    return "given", None


def _case_like(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template.islower():
        return word.lower()
    return word


def fake_person(value: str, rng: random.Random, keep: frozenset[str]) -> str | None:
    tokens = re.split(r"(\W+)", value)
    words = [t for t in tokens if t and t[0].isalpha()]
    if not words:
        return None
    roles = [_role_gender(w) for w in words]
    gender: Gender = next((g for _, g in roles if g is not None), rng.choice(("male", "female")))
    lang = script_lang(value)
    if lang == "ru" and any(w.casefold() in _kk_only() for w in words):
        lang = "kk"
    lists = _names(lang)
    out: list[str] = []
    it = iter(roles)
    for tok in tokens:
        if not tok or not tok[0].isalpha():
            out.append(tok)
            continue
        role, _ = next(it)
        if len(tok) <= 2 and tok.isupper():  # an initial: another initial of the same script
            out.append(_char_like(tok[0], rng) + tok[1:])
            continue
        if role == "patronymics" and not lists[role].get(gender):
            # Kazakh patronymics: a father's (male) given name + ұлы (son) / қызы (daughter)
            father = rng.choice(lists["given"]["male"])
            suffix = "ұлы" if gender == "male" else "қызы"
            if lang == "en":
                suffix = "uly" if gender == "male" else "kyzy"
            out.append(_case_like(tok, father + suffix))
            continue
        pool = lists[role].get(gender) or lists[role].get("any") or lists["given"][gender]
        choice = tok
        for _ in range(5):
            choice = rng.choice(pool)
            if choice.casefold() != tok.casefold():
                break
        out.append(_case_like(tok, choice))
    return "".join(out)


@cache
def _kk_only() -> frozenset[str]:
    kk = _names("kk")
    ru = {n.casefold() for role in _names("ru").values() for n in role["any"]}
    return frozenset(
        n.casefold() for role in kk.values() for n in role["any"] if n.casefold() not in ru
    )


def person_gender(value: str) -> Gender | None:
    """The grammatical gender senim reads from a name (for tests and review)."""
    for word in re.findall(r"\w+", value):
        _, gender = _role_gender(word)
        if gender is not None:
            return gender
    return None


GENERATORS: dict[str, Gen] = {
    "KZ_IIN": fake_iin,
    "KZ_BIN": fake_bin,
    "KZ_IBAN": fake_iban,
    "IBAN": fake_iban,
    "PAYMENT_CARD": fake_card,
    "KZ_PHONE": fake_phone,
    "PHONE": fake_phone,
    "DATE_OF_BIRTH": fake_date,
    "EMAIL": fake_email,
    "IP_ADDRESS": fake_ip,
    "ADDRESS": fake_address,
    "PERSON": fake_person,
}


def fake(entity: str, value: str, rng: random.Random, keep: frozenset[str]) -> str:
    """A fake for ``value``; shape-preserving when the entity has no generator or it fails."""
    generator = GENERATORS.get(entity)
    out = generator(value, rng, keep) if generator is not None else None
    return out if out is not None else shape_preserving(value, rng)

"""ADDRESS: street addresses written with Kazakh, Russian or English street vocabulary."""

from __future__ import annotations

from senim.discovery._detector import Detector, Pattern

_UP = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"


def _alternation(words: tuple[str, ...]) -> str:
    """A regex group matching any of ``words`` (letters, spaces, hyphens and dots only)."""
    return "(?:" + "|".join(w.replace(".", r"\.") for w in words) + ")"


# a street named after a person may end in a lower-case Kazakh title: Төле би, Қабанбай батыр,
# Абылай хан (in Russian also declined: Кабанбай батыра, Абылай хана)
_TITLE = r"(?:би|батыр|батыра|хан|хана)"
_NAME_WORDS = rf"[{_UP}0-9][\w\-]*(?:[ ][{_UP}][\w\-]*){{0,3}}"
_NAME = rf"{_NAME_WORDS}(?:[ ]{_TITLE}\b)?"
# before a space the title's word boundary always holds, so it is left out there: a Unicode
# \b keeps Rust's fast automata off non-ASCII text (the Kazakh pattern ran ten times slower)
_NAME_BEFORE_SPACE = rf"{_NAME_WORDS}(?:[ ]{_TITLE})?"
_NUM = r"\d{1,4}[A-Za-zА-Яа-я]?(?:/\d{1,4})?"
# Russian: ул. Абая, д. 10, кв. 5 / пр-т Аль-Фараби 77/8 / мкр. Самал-2, д. 33
_RU_STREET = (
    r"(?:ул\.|улица|пр\.|пр-т|просп\.|проспект|пер\.|переулок|б-р|бульвар|шоссе|"
    r"наб\.|набережная|пл\.|площадь|мкр\.|мкр|микрорайон|тупик|трасса)"
)
_RU_HOUSE = rf"(?:,?[ ]?(?:д\.|дом|зд\.|здание|корп\.|корпус|стр\.)?[ ]?{_NUM})?"
_RU_FLAT = rf"(?:,?[ ]?(?:кв\.|квартира|оф\.|офис|каб\.)[ ]?{_NUM})?"
# Kazakh: Абай даңғылы, 10-үй, 5-пәтер / Сәтбаев көшесі 22 / Самал-2 шағын ауданы
_KK_STREET_WORDS = (
    "көшесі", "даңғылы", "шағын ауданы", "ықшам ауданы", "ықшамауданы", "тұйық көшесі", "алаңы",
    "к-сі", "даң.",
)  # fmt: skip
_KK_STREET = _alternation(_KK_STREET_WORDS)
_KK_HOUSE = rf"(?:,?[ ]?{_NUM}(?:[ ]?-?[ ]?үй)?)?"
_KK_FLAT = rf"(?:,?[ ]?{_NUM}[ ]?-?[ ]?(?:пәтер|кеңсе))?"
# English: 12 Abay Avenue, Apt 5 / 221B Baker Street
_EN_STREET_WORDS = (
    "Street", "St.", "Avenue", "Ave.", "Road", "Rd.", "Boulevard", "Blvd.", "Lane", "Ln.", "Drive",
    "Dr.",
)  # fmt: skip
_EN_STREET = _alternation(_EN_STREET_WORDS)
_EN_FLAT = rf"(?:,?[ ](?:Apt\.?|Apartment|Suite|Flat)[ ]?{_NUM})?"


class AddressDetector(Detector):
    name = "address"
    entity = "ADDRESS"
    description = (
        "Street addresses: Russian (ул., пр-т, мкр., д., кв.), Kazakh (көшесі, даңғылы, "
        "шағын ауданы, үй, пәтер) and English (Street, Avenue, Apt) vocabulary."
    )
    patterns = (
        Pattern(
            name="address_ru",
            regex=rf"{_RU_STREET}[ ]?{_NAME}{_RU_HOUSE}{_RU_FLAT}",
            score=0.5,
            ignore_case=False,
        ),
        Pattern(
            name="address_kk",
            regex=rf"{_NAME_BEFORE_SPACE}[ ]{_KK_STREET}{_KK_HOUSE}{_KK_FLAT}",
            score=0.5,
            requires=_KK_STREET_WORDS,
        ),
        Pattern(
            name="address_en",
            regex=rf"{_NUM}[ ][{_UP}][\w\-]*(?:[ ][{_UP}][\w\-]*){{0,2}}[ ]{_EN_STREET}{_EN_FLAT}",
            score=0.5,
            requires=_EN_STREET_WORDS,
        ),
    )
    boundary = "alnum"
    context = {
        "kk": ("мекенжай*", "тұратын*", "тіркелген*", "қ", "қаласы", "облысы"),
        "ru": ("адрес*", "прожива*", "зарегистрирова*", "г", "город", "область", "обл"),
        "en": ("address*", "lives", "resid*", "city"),
    }
    column_hints = ("address*", "addr*", "адрес*", "мекенжай*", "street*", "улиц*", "көше*")

    def validate(self, value: str) -> bool | None:
        # a bare street name without any number is weaker evidence than a full address
        return True if any(ch.isdigit() for ch in value) else None

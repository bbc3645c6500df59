"""DATE_OF_BIRTH: a date next to a birth context word (kk/ru/en), numeric or with month names."""

from __future__ import annotations

import re
from datetime import date

from senim.discovery._detector import Detector, Pattern

_MONTH_WORDS = (
    ("января", 1), ("февраля", 2), ("марта", 3), ("апреля", 4), ("мая", 5), ("июня", 6),
    ("июля", 7), ("августа", 8), ("сентября", 9), ("октября", 10), ("ноября", 11),
    ("декабря", 12),
    ("қаңтар", 1), ("ақпан", 2), ("наурыз", 3), ("сәуір", 4), ("мамыр", 5), ("маусым", 6),
    ("шілде", 7), ("тамыз", 8), ("қыркүйек", 9), ("қазан", 10), ("қараша", 11),
    ("желтоқсан", 12),
    ("january", 1), ("february", 2), ("march", 3), ("april", 4), ("may", 5), ("june", 6),
    ("july", 7), ("august", 8), ("september", 9), ("october", 10), ("november", 11),
    ("december", 12),
)  # fmt: skip
_MONTH_RX = "|".join(sorted((w for w, _ in _MONTH_WORDS), key=len, reverse=True))
_MONTH_NUM = dict(_MONTH_WORDS)
_YEAR = r"(?:19|20)\d{2}"

_NUMERIC_DMY = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-]((?:19|20)\d{2})")
_NUMERIC_YMD = re.compile(r"((?:19|20)\d{2})[./-](\d{1,2})[./-](\d{1,2})")
_WORD_DMY = re.compile(rf"(\d{{1,2}})\s+({_MONTH_RX})\w*,?\s+({_YEAR})", re.IGNORECASE)
_WORD_MDY = re.compile(rf"({_MONTH_RX})\w*\s+(\d{{1,2}}),?\s+({_YEAR})", re.IGNORECASE)
_WORD_YDM = re.compile(  # Kazakh: 1985 жылғы 12 наурыз
    rf"({_YEAR})\s*(?:ж\.|жылғы|жылы)?\s*(\d{{1,2}})\s+({_MONTH_RX})\w*", re.IGNORECASE
)


def parse_date(value: str) -> date | None:
    """Parse the date forms this detector matches (day-first numeric, ISO, month names)."""
    text = value.strip()
    try:
        if m := _NUMERIC_YMD.fullmatch(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _NUMERIC_DMY.fullmatch(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := _WORD_DMY.fullmatch(text):
            return date(int(m[3]), _MONTH_NUM[m[2].lower()], int(m[1]))
        if m := _WORD_MDY.fullmatch(text):
            return date(int(m[3]), _MONTH_NUM[m[1].lower()], int(m[2]))
        if m := _WORD_YDM.fullmatch(text):
            return date(int(m[1]), _MONTH_NUM[m[3].lower()], int(m[2]))
    except (ValueError, KeyError):
        return None
    return None


class DateOfBirthDetector(Detector):
    name = "date_of_birth"
    entity = "DATE_OF_BIRTH"
    description = "Dates of birth: a real past date next to a birth context word (kk/ru/en)."
    patterns = (
        Pattern(name="dob_ymd", regex=r"(?:19|20)\d{2}[./-]\d{1,2}[./-]\d{1,2}", score=0.3),
        Pattern(name="dob_dmy", regex=r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d{2}", score=0.3),
        Pattern(
            name="dob_words_dmy",
            regex=rf"\d{{1,2}}\s+(?:{_MONTH_RX})\w*,?\s+{_YEAR}",
            score=0.3,
            ignore_case=True,
        ),
        Pattern(
            name="dob_words_mdy",
            regex=rf"(?:{_MONTH_RX})\w*\s+\d{{1,2}},?\s+{_YEAR}",
            score=0.3,
            ignore_case=True,
        ),
        Pattern(
            name="dob_words_kk",
            regex=rf"{_YEAR}\s*(?:ж\.|жылғы|жылы)?\s*\d{{1,2}}\s+(?:{_MONTH_RX})\w*",
            score=0.3,
            ignore_case=True,
        ),
    )
    boundary = "alnum"
    context_required = True
    context_nearest = True  # "born 21.09.1952, hired 01.11.2018": one birth date
    validated_score = 0.5
    context = {
        "kk": ("туған*", "туылған*", "туған күні", "туған жылы"),
        "ru": ("родил*", "рождени*", "дата рождения", "д р", "др", "г р", "род"),
        "en": ("born", "birth*", "dob", "date of birth", "birthday"),
    }
    column_hints = ("dob", "birth*", "born*", "рожд*", "туған*", "date_of_birth", "bday")

    def validate(self, value: str) -> bool | None:
        parsed = parse_date(value)
        return parsed is not None and date(1900, 1, 1) <= parsed <= date.today()

"""PERSON and ADDRESS in Kazakh, Russian and English."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from senim.discovery import Scanner
from senim.discovery._names import transliterations
from senim.discovery.detectors.person import PersonDetector


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Иванов Сергей Петрович подал заявление", ["Иванов Сергей Петрович"]),
        ("Заявитель: Қасымов Нұрсұлтан Әбішұлы", ["Қасымов Нұрсұлтан Әбішұлы"]),
        ("Айгерім Серікқызы Бекова келді", ["Айгерім Серікқызы Бекова"]),
        ("Клиент Нурсултан Абишевич Касымов", ["Нурсултан Абишевич Касымов"]),
        ("Nursultan Kassymov signed", ["Nursultan Kassymov"]),
        ("Aigerim Nurlankyzy Bekova", ["Aigerim Nurlankyzy Bekova"]),
        ("Dear John Smith,", ["John Smith"]),
        # common English female names (mimesis' list leaves most of them out)
        ("Please call Jessica Miller tomorrow.", ["Jessica Miller"]),
        ("Dear Mrs. Emily Brown,", ["Emily Brown"]),
        ("April showers bring May flowers.", []),
        ("Grace period ends in June.", []),
        # common Kazakh given names (senim's list), in Kazakh and Russian spelling
        ("Дастан Сапаров келді", ["Дастан Сапаров"]),
        ("Жауапты: Мөлдір Серікова", ["Мөлдір Серікова"]),
        ("Мурат Омаров подписал", ["Мурат Омаров"]),
        ("Медина қаласына барды", []),
        # a given name no lexicon lists, read from its place before a patronymic
        ("Сотрудник Карабаев Жасұлан Ержанович", ["Карабаев Жасұлан Ержанович"]),
        ("Құралай Ерболовна келді", ["Құралай Ерболовна"]),
        ("Нұржігіт Асқарұлы Сапаров", ["Нұржігіт Асқарұлы Сапаров"]),
        ("Алматы Маратович", []),  # a place word is not a given name
        # an initial Е romanised as "Ye"
        ("Менеджер Yerlan Abenov ответил", ["Yerlan Abenov"]),
        ("ИВАНОВ ИВАН ИВАНОВИЧ", ["ИВАНОВ ИВАН ИВАНОВИЧ"]),
        ("подписал Петров И.И.", ["Петров И.И."]),
        ("Сейтқалиев Е.Ж.", ["Сейтқалиев Е.Ж."]),
        ("ФИО: Смирнова", ["Смирнова"]),  # single name with context
        ("Смирнова", []),  # single name, no context
        ("Республика Казахстан, город Алматы", []),
        ("АО Народный Банк Казахстана", []),
        ("В понедельник Министерство опубликовало отчёт", []),
    ],
)
def test_person(text: str, expected: list[str], found) -> None:  # type: ignore[no-untyped-def]
    assert found(text, "PERSON") == expected


def test_person_ner_is_optional_and_adds_names() -> None:
    text = "Вчера Бахытжан Сагинтаев встретился с журналистами."
    lexical = Scanner(entities=["PERSON"]).scan_text(text)
    neural = Scanner(entities=["PERSON"], ner=True).scan_text(text)
    assert [text[f.start : f.end] for f in neural] == ["Бахытжан Сагинтаев"]
    assert len(neural) >= len(lexical)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("г. Алматы, ул. Абая, д. 10, кв. 5", ["ул. Абая, д. 10, кв. 5"]),
        ("проживает: пр-т Аль-Фараби 77/8", ["пр-т Аль-Фараби 77/8"]),
        ("мкр. Самал-2, д. 33", ["мкр. Самал-2, д. 33"]),
        ("Абай даңғылы, 10-үй, 5-пәтер", ["Абай даңғылы, 10-үй, 5-пәтер"]),
        ("Сәтбаев көшесі 22", ["Сәтбаев көшесі 22"]),
        ("221B Baker Street, Apt 5", ["221B Baker Street, Apt 5"]),
        # streets named after a person with a Kazakh title (би, батыр, хан; declined in Russian)
        ("Мекенжайы: Қабанбай батыр көшесі, 83-үй", ["Қабанбай батыр көшесі, 83-үй"]),
        ("проживает: пр. Абылай хана 12, кв. 3", ["пр. Абылай хана 12, кв. 3"]),
        ("Адрес: ул. Толе би, д. 7", ["ул. Толе би, д. 7"]),
        ("ул. Толе бизнес 5", ["ул. Толе"]),  # a title is a whole word
        ("Мы обсудили улицу и дом", []),
    ],
)
def test_address(text: str, expected: list[str], found) -> None:  # type: ignore[no-untyped-def]
    assert found(text, "ADDRESS") == expected


@pytest.mark.parametrize(
    ("name", "spellings"),
    [
        ("Нұрсұлтан", {"nursultan", "nūrsūltan"}),
        ("Ерлан", {"erlan", "yerlan"}),
        ("Елена", {"elena", "yelena"}),
        ("Sarah", set()),
    ],
)
def test_transliterations(name: str, spellings: set[str]) -> None:
    assert spellings <= transliterations(name)
    assert bool(transliterations(name)) == bool(spellings)


def test_lexicon_holds_every_name_and_its_transliterations() -> None:
    """The lexicon folds its lists in bulk: the same sets as each name case-folded with
    :func:`transliterations` one by one."""
    from senim.discovery import _names

    lists: dict[str, set[str]] = {"given": set(), "surnames": set(), "patronymics": set()}
    for locale in _names._LOCALES:
        data = _names._dataset(locale)
        lists["given"].update(_names._names(data.get("names")))
        lists["surnames"].update(_names._names(data.get("surnames")))
        lists["patronymics"].update(_names._names(data.get("patronymic")))
    lex = _names.lexicon()
    for field, names in lists.items():
        assert names, field  # the data package is there
        expected = {n.casefold() for n in names} | {t for n in names for t in transliterations(n)}
        assert expected <= getattr(lex, field)
    assert {"ерлан", "yerlan", "erlan", "nursultan", "nūrsūltan"} <= lex.given


def _words() -> st.SearchStrategy[str]:
    """Words of every kind a PERSON unit holds: lexicon names (title case, capitals,
    hyphenated), initials, patronymic words, place words and made-up capitalised words."""
    from senim.discovery._names import lexicon

    lex = lexicon()
    names = sorted(lex.given)[::50] + sorted(lex.surnames)[::50] + sorted(lex.patronymics)[::50]
    made_up = st.from_regex(
        r"[A-ZА-ЯӘҒҚҢӨҰҮҺІ][a-zа-яәғқңөұүһі]{1,12}(-[А-Я][а-я]{2,6})?", fullmatch=True
    )
    return st.one_of(
        st.sampled_from(names).map(str.title),
        st.sampled_from(names).map(str.upper),
        st.sampled_from(["А.", "Ж.Қ.", "Е. Ж.", "ұлы", "қызы", "Uly", "KYZY", "Алматы", "Банк"]),
        made_up,
    )


@settings(max_examples=300, deadline=None)
@given(words=st.lists(_words(), min_size=1, max_size=4), morphology=st.booleans())
def test_a_one_word_unit_is_analysed_as_a_run_of_that_word(
    words: list[str], morphology: bool
) -> None:
    """The shortcut for a unit of one token gives what the runs' analysis gives; longer
    units take the runs' analysis itself."""
    det = PersonDetector(morphology=morphology)
    for text in (words[0], " ".join(words)):
        assert list(det.candidates(text)) == list(det._runs(text))

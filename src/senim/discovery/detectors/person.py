"""PERSON: people's names in Kazakh, Russian and English.

Three sources of evidence, each measurable on its own (``docs/accuracy.md``):

1. **Lexicon**: given names and surnames (mimesis kk/ru/uk/en + senim's Kazakh list) with
   Latin transliterations.
2. **Morphology**: name-shaped endings (patronymics -ович/-овна, -ұлы/-қызы, -uly/-kyzy;
   surnames -ов/-ова/-ев/-ин/-ский/-енко/-баев...) and pymorphy3's ``Name``/``Surn``/``Patr``
   tags for Russian words outside the lexicon.
3. **NER** (optional, ``ner=True``): the Russian NER model shipped inside the ``natasha``
   wheel (no download), for names no rule knows.

Runs of capitalised words (Title Case or ALL CAPS, hyphenated parts, initials "А." "Ж.Қ.")
are scored as a whole: a given name with a surname or patronymic is a strong finding; a
surname with initials is good; a single name-like word needs a context word (ФИО, клиент,
аты-жөні, Mr ...) to be reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from senim.discovery._detector import Candidate, Detector
from senim.discovery._names import lexicon

_UP = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_LOW = "a-zа-яёәғқңөұүһі"
_CAPITALISED = (
    rf"[{_UP}][{_LOW}]+(?:['’][{_LOW}]+)?(?:-[{_UP}]?[{_LOW}]+)*"  # Title case, Аль-Фараби
    rf"|[{_UP}]{{2,}}(?:-[{_UP}]{{2,}})*"  # ALL CAPS
    rf"|[{_UP}]\.(?:[ ]?[{_UP}]\.)?"  # initials: А. / А.Б. / А. Б.
)
_KZ_PATRONYMIC_WORDS = ("ұлы", "қызы", "uly", "kyzy", "ULY", "KYZY", "ҰЛЫ", "ҚЫЗЫ")
"""A separate Kazakh patronymic word (Нұрлан ұлы), written apart from the name."""
_PATRONYMIC_WORD = rf"(?:{'|'.join(_KZ_PATRONYMIC_WORDS)})"
_TOKEN = re.compile(rf"{_CAPITALISED}|{_PATRONYMIC_WORD}\b")


def _run_of(token: str) -> str:
    return rf"(?:{token})(?:\s{{1,2}}(?:{token}))*"


_UNIT = re.compile(_run_of(_TOKEN.pattern))
"""A run of capitalised words: the unit PERSON candidates are found in (see unit_regex)."""
_UNIT_FAST = _run_of(rf"{_CAPITALISED}|{_PATRONYMIC_WORD}")
""":data:`_UNIT` without the word boundary after a patronymic word, which makes Rust's regex
engines leave their fast automata on non-ASCII text (:data:`_UNIT` takes two to three times
as long over a column). The two differ only where a patronymic word in lower case is glued
to the next word ("қызыл", "ұлыс"; in capitals the ALL-CAPS token takes the whole word
first): there this regex reads the word as a token of its own, which ends its run, so one
of its matches ends with that word (:data:`_GLUED_SUSPECTS`)."""
_GLUED_SUSPECTS = tuple(w for w in _KZ_PATRONYMIC_WORDS if w.islower())

_PATRONYMIC = re.compile(
    r"(?:ович|евич|ьич|ична|овна|евна|инична|ұлы|қызы|улы|кызы|uly|kyzy|ovich|evich|ovna|evna)$"
)
_SURNAME = re.compile(
    r"(?:ов|ова|ев|ева|ёв|ёва|ин|ина|ын|ына|ский|ская|цкий|цкая|енко|ук|юк|швили|дзе|ян|"
    r"баев|баева|бекова|беков|ұлы|"
    r"ov|ova|ev|eva|yev|yeva|in|ina|sky|skaya|skiy|enko|bayev|bayeva|bekov|bekova)$"
)


@lru_cache(maxsize=1)
def _not_names() -> frozenset[str]:
    """Capitalised words that name places, organisations, months or roles, never persons."""
    text = resources.files("senim.discovery.data").joinpath("not_names.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


@lru_cache(maxsize=200_000)
def _classify(token: str, morphology: bool = True) -> frozenset[str]:
    """Evidence kinds for one token: given, surname, patronymic, initial, kzpatr.

    With ``morphology`` off only the lexicons count (used to measure what morphology adds).
    """
    if token.endswith("."):
        return frozenset({"initial"})
    low = token.casefold()
    if low in ("ұлы", "қызы", "uly", "kyzy"):
        return frozenset({"kzpatr"})
    if low in _not_names():
        return frozenset()
    lex = lexicon()
    kinds: set[str] = set()
    parts = low.split("-")
    if low in lex.given or parts[0] in lex.given:
        kinds.add("given")
    if low in lex.surnames:
        kinds.add("surname")
    if low in lex.patronymics:
        kinds.add("patronymic")
    if not morphology:
        return frozenset(kinds)
    if _PATRONYMIC.search(low) and len(low) > 6:
        kinds.add("patronymic")
    elif len(low) > 4 and _SURNAME.search(low) and "given" not in kinds:
        kinds.add("surname_shape")
    if not kinds and any("а" <= ch <= "я" for ch in low):
        kinds.update(_morph_tags(low))
    return frozenset(kinds)


_BY_POSITION = frozenset({"given"})
"""Evidence of a word read as a given name from its place before a patronymic."""


def _unknown_word(token: str) -> bool:
    """A capitalised word (not initials, not a place or organisation word) with no evidence."""
    return not token.endswith(".") and token.casefold() not in _not_names()


@lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3
    import pymorphy3_dicts_ru

    # an explicit path skips pymorphy3's scan of every installed entry point (slow start-up)
    return pymorphy3.MorphAnalyzer(path=pymorphy3_dicts_ru.get_path(), lang="ru")


@lru_cache(maxsize=200_000)
def _morph_tags(word: str) -> frozenset[str]:
    """pymorphy3's view of a Russian word: Name / Surn / Patr with a usable probability."""
    kinds: set[str] = set()
    for parse in _morph().parse(word)[:3]:
        if parse.score < 0.3:
            continue
        tag = parse.tag
        if "Geox" in tag or "Orgn" in tag:
            return frozenset()
        if "Name" in tag:
            kinds.add("given")
        elif "Surn" in tag:
            kinds.add("surname")
        elif "Patr" in tag:
            kinds.add("patronymic")
    return frozenset(kinds)


def _score_run(kinds: list[frozenset[str]]) -> tuple[str, float] | None:
    """Score a run of adjacent capitalised tokens."""
    has = set().union(*kinds) if kinds else set()
    names = sum(1 for k in kinds if k & {"given", "surname", "surname_shape", "patronymic"})
    initials = sum(1 for k in kinds if "initial" in k)
    strong_surname = any(k & {"surname", "surname_shape"} for k in kinds)
    if len(kinds) >= 2 and "given" in has and (strong_surname or "patronymic" in has):
        return "person_full_name", 0.85
    if "given" in has and "kzpatr" in has:
        return "person_full_name", 0.85
    if initials and names and strong_surname:
        return "person_initials", 0.75
    if initials and names:
        return "person_initials", 0.55
    if len(kinds) >= 2 and names == len(kinds) and names >= 2:
        return "person_name_pair", 0.6
    if names == 1 and len(kinds) == 1:
        return "person_single_name", 0.3
    return None


_NOT_NAMES_ALONE = frozenset({"initial", "kzpatr"})
"""Evidence that names no one by itself: an initial, a separate Kazakh patronymic word."""


def _segment_candidate(kinds: list[frozenset[str]], start: int, end: int) -> Candidate | None:
    """The candidate of a segment of a run (its tokens' evidence ``kinds``, from ``start``
    to ``end``): none unless one of its tokens names someone by itself."""
    if not any(k - _NOT_NAMES_ALONE for k in kinds):
        return None
    scored = _score_run(kinds)
    return None if scored is None else Candidate(start, end, scored[0], scored[1])


def _one_word(token: str, morphology: bool) -> tuple[Candidate, ...]:
    """The candidates of a text that is one token: what a run of that token alone gives
    (:meth:`PersonDetector._runs`), without building the run."""
    found = _segment_candidate([_classify(token, morphology)], 0, len(token))
    return () if found is None else (found,)


class PersonDetector(Detector):
    name = "person"
    entity = "PERSON"
    version = "1"
    description = (
        "People's names in Kazakh, Russian and English: name lexicons with transliterations, "
        "patronymic/surname morphology and pymorphy3, optionally natasha's offline NER."
    )
    boundary = "alnum"
    prefilter_regex = rf"[{_UP}][{_LOW}]|[{_UP}]{{2,}}"
    context = {
        "kk": ("аты-жөні", "аты", "тегі", "есімі", "әкесінің аты", "азамат*", "клиент*",
               "қызметкер*", "менеджер*", "пациент*", "өтініш беруші"),
        "ru": ("фио", "ф и о", "гражданин*", "гражданка", "гр", "клиент*", "заемщик*", "заёмщик*",
               "сотрудник*", "менеджер*", "уважаем*", "пациент*", "заявител*", "г-н", "г-жа",
               "имя", "фамилия", "отчество"),
        "en": ("name", "full name", "mr", "mrs", "ms", "dr", "customer", "client", "employee",
               "patient", "dear", "applicant", "first name", "last name", "surname"),
    }  # fmt: skip
    column_hints = (
        "name", "*name", "full_name", "fio", "фио", "имя*", "фамили*", "отчеств*", "аты*",
        "тегі", "есім*", "first_name", "last_name", "surname", "patronymic", "client", "customer",
    )  # fmt: skip

    def __init__(self, *, ner: bool = False, morphology: bool = True) -> None:
        self.ner = ner
        self.morphology = morphology

    @cached_property
    def _ner_tools(self) -> tuple[Any, Any]:
        from natasha import NewsEmbedding, NewsNERTagger, Segmenter

        return Segmenter(), NewsNERTagger(NewsEmbedding())

    def unit_regex(self) -> str | None:
        if self.ner:
            return None  # the NER model needs whole sentences
        return _UNIT.pattern

    def unit_fast(self) -> tuple[str, tuple[str, ...]] | None:
        return None if self.ner else (_UNIT_FAST, _GLUED_SUSPECTS)

    def candidates(self, text: str) -> Iterator[Candidate]:
        if not self.ner:
            token = _TOKEN.match(text)
            if token is not None and token.end() == len(text):
                # one word, the commonest unit: its own evidence is the whole analysis
                return iter(_one_word(text, self.morphology))
        return self._runs(text)

    def _runs(self, text: str) -> Iterator[Candidate]:
        """:meth:`candidates` of any text: its runs of capitalised words, scored."""
        found: dict[tuple[int, int], Candidate] = {}
        for cand in self._lexical(text):
            found[(cand.start, cand.end)] = cand
        if self.ner:
            for cand in self._neural(text):
                overlap = [k for k in found if k[0] < cand.end and cand.start < k[1]]
                if not overlap:
                    found[(cand.start, cand.end)] = cand
                    continue
                # NER agrees with a lexical run: keep the wider span and the better score; a
                # single word stays below the reporting threshold unless context lifts it
                start = min([cand.start, *(k[0] for k in overlap)])
                end = max([cand.end, *(k[1] for k in overlap)])
                best = max(found.pop(k).score for k in overlap)
                multi = " " in text[start:end].strip()
                score = max(best, 0.85 if multi else 0.35)
                found[(start, end)] = Candidate(start, end, "person_ner_confirmed", score)
        yield from sorted(found.values(), key=lambda c: c.start)

    def _lexical(self, text: str) -> Iterator[Candidate]:
        run: list[tuple[int, int, frozenset[str]]] = []
        for m in _TOKEN.finditer(text):
            start, end = m.span()
            if run and not self._adjacent(text, run[-1][1], start):
                yield from self._emit(run)
                run = []
            kinds = _classify(m.group(), self.morphology)
            if self.morphology and "patronymic" in kinds and run and not run[-1][2]:
                # a patronymic follows the given name (Бекарыс Маратович, Бекарыс Болатұлы):
                # an unknown word right before one is a given name no lexicon lists
                prev_start, prev_end, _ = run[-1]
                if _unknown_word(text[prev_start:prev_end]):
                    run[-1] = (prev_start, prev_end, _BY_POSITION)
            run.append((start, end, kinds))
        yield from self._emit(run)

    @staticmethod
    def _adjacent(text: str, prev_end: int, start: int) -> bool:
        gap = text[prev_end:start]
        return len(gap) <= 2 and gap.strip() == ""

    @staticmethod
    def _emit(run: list[tuple[int, int, frozenset[str]]]) -> Iterator[Candidate]:
        """Split a run at tokens with no evidence; score each segment that has a name in it."""
        segment: list[tuple[int, int, frozenset[str]]] = []
        for item in [*run, (0, 0, frozenset())]:
            if item[2]:
                segment.append(item)
                continue
            if segment:
                found = _segment_candidate(
                    [kinds for _, _, kinds in segment], segment[0][0], segment[-1][1]
                )
                if found is not None:
                    yield found
            segment = []

    def _neural(self, text: str) -> Iterator[Candidate]:
        if not any("а" <= ch.casefold() <= "я" or ch in "әғқңөұүһі" for ch in text):
            return
        from natasha import Doc

        segmenter, tagger = self._ner_tools
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        for span in doc.spans:
            if span.type == "PER":
                multi = " " in text[span.start : span.stop].strip()
                yield Candidate(span.start, span.stop, "person_ner", 0.6 if multi else 0.3)

"""Build senim's labelled evaluation set: kk/ru/en documents with character spans.

Seeded and reproducible: ``python benchmarks/make_eval_set.py`` rewrites
``benchmarks/data/eval_pii.jsonl`` ({"id", "lang", "text", "spans": [[start, end, entity]]})
and the held-out ``eval_pii_heldout.jsonl`` (its own names, streets and templates, written
after the detectors and never used to tune them).
Values are synthetic but valid (IIN/BIN check digits, IBAN mod-97, Luhn), and every
template also has hard negatives: order numbers, invalid checksums, amounts, ordinary dates,
codes without context, place and company names. Templates were written independently of
the detectors' context lists, so the set measures rather than mirrors them.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from stdnum import iban, luhn

from senim.discovery.kzid import check_digit

OUT = Path(__file__).parent / "data" / "eval_pii.jsonl"
SEED = 20261122

GIVEN_M = [
    "Нұрлан",
    "Ержан",
    "Бекарыс",
    "Жанибек",
    "Асқар",
    "Сергей",
    "Дмитрий",
    "Тимур",
    "Арман",
    "Данияр",
    "Ильяс",
    "Олжас",
]
GIVEN_F = [
    "Айгерім",
    "Динара",
    "Жансая",
    "Мадина",
    "Ольга",
    "Светлана",
    "Әсел",
    "Гүлнар",
    "Камила",
    "Томирис",
    "Алия",
    "Назерке",
]
SURN_M = [
    "Төлеуов",
    "Ахметов",
    "Сейтқалиев",
    "Жақсылықов",
    "Иванов",
    "Кузнецов",
    "Омаров",
    "Бекмұхамбетов",
    "Нұрпейісов",
    "Смагулов",
]
SURN_F = [
    "Төлеуова",
    "Ахметова",
    "Сейтқалиева",
    "Жақсылықова",
    "Иванова",
    "Кузнецова",
    "Омарова",
    "Бекмұхамбетова",
    "Нұрпейісова",
    "Смагулова",
]
PATR_M = ["Серікұлы", "Болатұлы", "Ерланович", "Маратович", "Петрович", "Қайратұлы"]
PATR_F = ["Серікқызы", "Болатқызы", "Ерлановна", "Маратовна", "Петровна", "Қайратқызы"]
LATIN_M = [
    "Nurlan Akhmetov",
    "Yerzhan Omarov",
    "Timur Smagulov",
    "Arman Tuleuov",
    "Daniyar Seitkaliyev",
    "John Carter",
    "Michael Brown",
]
LATIN_F = [
    "Aigerim Akhmetova",
    "Dinara Omarova",
    "Madina Smagulova",
    "Zhansaya Tuleuova",
    "Aliya Nurpeisova",
    "Emily Clarke",
    "Sarah Johnson",
]
STREETS_RU = [
    "ул. Абая",
    "пр-т Назарбаева",
    "ул. Толе би",
    "мкр. Самал-2",
    "ул. Кабанбай батыра",
    "пр-т Республики",
]
STREETS_KK = [
    "Абай даңғылы",
    "Төле би көшесі",
    "Сәтбаев көшесі",
    "Қабанбай батыр көшесі",
    "Достық даңғылы",
]
STREETS_EN = ["Abay Avenue", "Dostyk Avenue", "Baker Street", "Tole Bi Street", "Satpayev Street"]
CITIES = ["Алматы", "Астана", "Шымкент", "Қарағанды", "Ақтөбе", "Павлодар"]
OPERATORS = [
    "700",
    "701",
    "702",
    "705",
    "706",
    "707",
    "708",
    "747",
    "771",
    "775",
    "776",
    "777",
    "778",
]


@dataclass(frozen=True)
class Pools:
    """The names, streets and cities values are drawn from."""

    given_m: list[str]
    given_f: list[str]
    surn_m: list[str]
    surn_f: list[str]
    patr_m: list[str]
    patr_f: list[str]
    latin_m: list[str]
    latin_f: list[str]
    streets_ru: list[str]
    streets_kk: list[str]
    streets_en: list[str]
    cities: list[str]
    cities_en: list[str]


DEV = Pools(
    GIVEN_M, GIVEN_F, SURN_M, SURN_F, PATR_M, PATR_F, LATIN_M, LATIN_F,
    STREETS_RU, STREETS_KK, STREETS_EN, CITIES, ["Almaty", "Astana", "Shymkent"],
)  # fmt: skip
"""The pools of the development set (``eval_pii.jsonl``)."""


def iin(rng: random.Random) -> str:
    while True:
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
        century = (3 if born.year < 2000 else 5) + rng.randrange(2)
        first = f"{born:%y%m%d}{century}{rng.randrange(10000):04d}"
        k = check_digit(first)
        if k is not None:
            return first + str(k)


def bad_iin(rng: random.Random) -> str:
    good = iin(rng)
    return good[:11] + str((int(good[11]) + 1 + rng.randrange(8)) % 10)


def bin_(rng: random.Random) -> str:
    while True:
        first = f"{rng.randrange(95, 100) if rng.random() < 0.3 else rng.randrange(0, 26):02d}{rng.randrange(1, 13):02d}{rng.choice('456')}{rng.choice('0123')}{rng.randrange(100000):05d}"
        k = check_digit(first)
        if k is not None:
            return first + str(k)


def kz_iban(rng: random.Random) -> str:
    bban = f"{rng.choice(['125', '601', '722', '998', '914'])}" + "".join(
        rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(13)
    )
    number = "KZ" + iban.calc_check_digits("KZ00" + bban) + bban
    if rng.random() < 0.4:
        return " ".join(number[i : i + 4] for i in range(0, 20, 4))
    return number


def de_iban(rng: random.Random) -> str:
    bban = "".join(rng.choice("0123456789") for _ in range(18))
    number = "DE" + iban.calc_check_digits("DE00" + bban) + bban
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def phone(rng: random.Random) -> str:
    op = rng.choice(OPERATORS)
    d = "".join(rng.choice("0123456789") for _ in range(7))
    style = rng.randrange(6)
    return [
        f"+7 {op} {d[:3]} {d[3:5]} {d[5:]}",
        f"+7 ({op}) {d[:3]}-{d[3:5]}-{d[5:]}",
        f"8 {op} {d[:3]} {d[3:5]} {d[5:]}",
        f"8({op}){d}",
        f"+7{op}{d}",
        f"8-{op}-{d[:3]}-{d[3:5]}-{d[5:]}",
    ][style]


def card(rng: random.Random) -> str:
    prefix = rng.choice(["4", "51", "53", "2200", "2202"])
    body = prefix + "".join(rng.choice("0123456789") for _ in range(15 - len(prefix)))
    number = body + luhn.calc_check_digit(body)
    return " ".join(number[i : i + 4] for i in range(0, 16, 4)) if rng.random() < 0.6 else number


def email(rng: random.Random, name: str) -> str:
    local = re.sub(r"[^a-z]", "", name.lower())[:10] or "user"
    return f"{local}{rng.randrange(100)}@{rng.choice(['mail.kz', 'gmail.com', 'halykbank.kz', 'inbox.ru', 'пошта.қаз'])}"


def person(rng: random.Random, lang: str, pools: Pools = DEV) -> str:
    female = rng.random() < 0.5
    if lang == "en":
        return rng.choice(pools.latin_f if female else pools.latin_m)
    given = rng.choice(pools.given_f if female else pools.given_m)
    surname = rng.choice(pools.surn_f if female else pools.surn_m)
    patr = rng.choice(pools.patr_f if female else pools.patr_m)
    form = rng.randrange(4)
    if form == 0:
        return f"{surname} {given} {patr}"
    if form == 1:
        return f"{given} {surname}"
    if form == 2:
        return f"{surname} {given[0]}.{patr[0]}."
    return f"{given} {patr} {surname}"


def address(rng: random.Random, lang: str, pools: Pools = DEV) -> str:
    n, flat = rng.randrange(1, 200), rng.randrange(1, 300)
    if lang == "kk":
        return f"{rng.choice(pools.streets_kk)}, {n}-үй, {flat}-пәтер"
    if lang == "en":
        return f"{n} {rng.choice(pools.streets_en)}, Apt {flat}"
    return f"{rng.choice(pools.streets_ru)}, д. {n}, кв. {flat}"


def dob(rng: random.Random, lang: str) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    return f"{born:%d.%m.%Y}" if lang != "en" or rng.random() < 0.5 else f"{born:%Y-%m-%d}"


def plate(rng: random.Random) -> str:
    return f"{rng.randrange(100, 1000)} {''.join(rng.choice('ABCEHKMOPTXY') for _ in range(3))} {rng.randrange(1, 21):02d}"


# Templates: {ENTITY} slots are labelled; {neg:...} slots are hard negatives (unlabelled).
TEMPLATES = {
    "ru": [
        "Заявитель {PERSON}, ИИН {KZ_IIN}, просит пересмотреть решение по кредиту.",
        "Клиент {PERSON} сообщил новый номер: {KZ_PHONE}. Заказ № {neg:order}.",
        "Перевод на счет {KZ_IBAN} выполнен, сумма {neg:amount} тенге.",
        "Адрес проживания: г. {neg:city}, {ADDRESS}.",
        "Дата рождения: {DATE_OF_BIRTH}. Дата договора: {neg:date}.",
        "Оплата картой {PAYMENT_CARD} отклонена банком.",
        "Поставщик ТОО «Арман», БИН {KZ_BIN}, счет-фактура {neg:order}.",
        "Вход в личный кабинет с IP {IP_ADDRESS} в {neg:time}.",
        "Паспорт {KZ_PASSPORT} выдан МВД РК. Артикул товара {neg:sku}.",
        "Удостоверение личности № {KZ_ID_CARD} от {neg:date}.",
        "Автомобиль с госномером {KZ_VEHICLE_PLATE} припаркован у офиса.",
        "Почтовый индекс {KZ_POSTAL_CODE}, {neg:city}.",
        "Пишите на {EMAIL} или звоните {KZ_PHONE}.",
        "ИИН {neg:bad_iin} не прошёл проверку, повторите ввод.",
        "Номер обращения {neg:order}, статус: рассмотрено.",
        "Контакт партнёра в Москве: {PHONE}.",
        "Реквизиты немецкого контрагента: IBAN {IBAN}.",
    ],
    "kk": [
        "Өтініш беруші {PERSON}, ЖСН {KZ_IIN}, несие бойынша шешімді қайта қарауды сұрайды.",
        "Клиент {PERSON} жаңа нөмірін хабарлады: {KZ_PHONE}. Тапсырыс № {neg:order}.",
        "{KZ_IBAN} шотына аударым жасалды, сомасы {neg:amount} теңге.",
        "Тұратын мекенжайы: {neg:city} қ., {ADDRESS}.",
        "Туған күні: {DATE_OF_BIRTH}. Шарт күні: {neg:date}.",
        "{PAYMENT_CARD} картасымен төлем қабылданбады.",
        "Жеткізуші «Арман» ЖШС, БСН {KZ_BIN}, шот-фактура {neg:order}.",
        "Жеке кабинетке {IP_ADDRESS} IP мекенжайынан кірді.",
        "Төлқұжат {KZ_PASSPORT} берілген. Тауар коды {neg:sku}.",
        "Жеке куәлік № {KZ_ID_CARD}, берілген күні {neg:date}.",
        "Мемлекеттік нөмірі {KZ_VEHICLE_PLATE} көлік кеңсе алдында тұр.",
        "Пошта индексі {KZ_POSTAL_CODE}, {neg:city} қаласы.",
        "{EMAIL} поштасына жазыңыз немесе {KZ_PHONE} нөміріне қоңырау шалыңыз.",
        "ЖСН {neg:bad_iin} тексеруден өтпеді.",
        "Өтініш нөмірі {neg:order}, мәртебесі: қаралды.",
    ],
    "en": [
        "Applicant {PERSON}, IIN {KZ_IIN}, asks for the credit decision to be reviewed.",
        "Customer {PERSON} gave a new number: {KZ_PHONE}. Order no. {neg:order}.",
        "Transfer to account {KZ_IBAN} completed, amount {neg:amount} KZT.",
        "Home address: {ADDRESS}, {neg:city_en}.",
        "Date of birth: {DATE_OF_BIRTH}. Contract date: {neg:date}.",
        "Payment with card {PAYMENT_CARD} was declined.",
        "Supplier Arman LLP, BIN {KZ_BIN}, invoice {neg:order}.",
        "Login from IP address {IP_ADDRESS} at {neg:time}.",
        "Passport {KZ_PASSPORT} issued by the Ministry. Product code {neg:sku}.",
        "Vehicle with licence plate {KZ_VEHICLE_PLATE} is parked outside.",
        "Email {EMAIL} or call {PHONE}.",
        "The IIN {neg:bad_iin} failed validation.",
        "Ticket {neg:order} was closed; version {neg:version} deployed.",
        "Wire to IBAN {IBAN} for the Berlin office.",
    ],
}


# The held-out set: its own names, streets, cities and templates, written after the detectors
# (2026-12-03) and never used to change them; it estimates what the development set cannot.
HELDOUT_OUT = Path(__file__).parent / "data" / "eval_pii_heldout.jsonl"
HELDOUT_SEED = 20261203
HELDOUT = Pools(
    given_m=["Нұрболат", "Бақытжан", "Ерболат", "Азамат", "Ринат", "Жандос", "Мейірлан",
             "Әлібек", "Абзал", "Талғат", "Владимир", "Игорь"],
    given_f=["Гүлмира", "Айымгүл", "Ақерке", "Жадыра", "Лаура", "Мақпал", "Назира",
             "Салтанат", "Үміт", "Әлия", "Наталья", "Оксана"],
    surn_m=["Жұмабаев", "Мұқанов", "Қалиев", "Бейсенов", "Тлеубаев", "Сидоров", "Оспанов",
            "Ким", "Әбдірахманов", "Исаев"],
    surn_f=["Жұмабаева", "Мұқанова", "Қалиева", "Бейсенова", "Тлеубаева", "Сидорова",
            "Оспанова", "Ким", "Әбдірахманова", "Исаева"],
    patr_m=["Бақытұлы", "Нұрланұлы", "Викторович", "Асқарұлы", "Сергеевич", "Ғаниұлы"],
    patr_f=["Ерболқызы", "Асқарқызы", "Викторовна", "Сергеевна", "Нұрланқызы", "Ғаниқызы"],
    latin_m=["Bauyrzhan Mukanov", "Rinat Beisenov", "Askar Ospanov", "David Wilson",
             "Azamat Kaliyev", "Robert Evans", "Talgat Zhumabayev"],
    latin_f=["Aliya Zhumabayeva", "Olga Pavlova", "Laura Kaliyeva", "Jessica Turner",
             "Gulmira Isayeva", "Anna Schmidt", "Akerke Tleubayeva"],
    streets_ru=["ул. Жандосова", "пр-т Аль-Фараби", "ул. Байтурсынова", "мкр. Аксай-4",
                "ул. Гоголя", "пр-т Абылай хана"],
    streets_kk=["Жандосов көшесі", "Әл-Фараби даңғылы", "Байтұрсынұлы көшесі",
                "Ақсай-4 шағын ауданы", "Абылай хан даңғылы"],
    streets_en=["Al-Farabi Avenue", "Zhandosov Street", "Gogol Street", "Kunayev Street"],
    cities=["Өскемен", "Атырау", "Қостанай", "Тараз", "Орал", "Семей"],
    cities_en=["Oskemen", "Atyrau", "Kostanay"],
)  # fmt: skip
HELDOUT_TEMPLATES = {
    "ru": [
        "Сотрудник {PERSON} (ИИН {KZ_IIN}) уволен по собственному желанию с {neg:date}.",
        "Прошу перечислить зарплату на {KZ_IBAN}. Табельный номер {neg:order}.",
        "Жалоба от {PERSON}: тел. {KZ_PHONE}, e-mail {EMAIL}.",
        "Зарегистрирован по адресу: {neg:city}, {ADDRESS}; код {neg:sku}.",
        "Родился {DATE_OF_BIRTH}, стаж с {neg:date}.",
        "Списание по карте {PAYMENT_CARD} на сумму {neg:amount} тг оспорено.",
        "Контрагент ИП «Береке», БИН {KZ_BIN}; накладная {neg:order}.",
        "Подозрительный вход: IP {IP_ADDRESS}, сессия {neg:order}.",
        "Водитель, машина {KZ_VEHICLE_PLATE}, ожидает у ворот.",
        "Ошибочный ИИН {neg:bad_iin} в заявке исправлен.",
    ],
    "kk": [
        "Қызметкер {PERSON} (ЖСН {KZ_IIN}) {neg:date} бастап өз еркімен жұмыстан шықты.",
        "Жалақыны {KZ_IBAN} шотына аударуды сұраймын. Табель нөмірі {neg:order}.",
        "{PERSON} шағымы: тел. {KZ_PHONE}, e-mail {EMAIL}.",
        "Тіркелген мекенжайы: {neg:city}, {ADDRESS}; коды {neg:sku}.",
        "Туған күні {DATE_OF_BIRTH}, еңбек өтілі {neg:date} бастап.",
        "{PAYMENT_CARD} картасынан {neg:amount} теңге есептен шығару даулы.",
        "Контрагент «Береке» ЖК, БСН {KZ_BIN}; жүкқұжат {neg:order}.",
        "Күдікті кіру: IP {IP_ADDRESS}, сессия {neg:order}.",
        "Жүргізуші, көлігі {KZ_VEHICLE_PLATE}, қақпа алдында күтіп тұр.",
        "Өтінімдегі қате ЖСН {neg:bad_iin} түзетілді.",
    ],
    "en": [
        "Employee {PERSON} (IIN {KZ_IIN}) resigned as of {neg:date}.",
        "Please pay the salary into {KZ_IBAN}. Staff number {neg:order}.",
        "Complaint from {PERSON}: phone {KZ_PHONE}, e-mail {EMAIL}.",
        "Registered address: {ADDRESS}, {neg:city_en}; code {neg:sku}.",
        "Born on {DATE_OF_BIRTH}, employed since {neg:date}.",
        "A charge of {neg:amount} KZT on card {PAYMENT_CARD} is disputed.",
        "Counterparty Bereke IE, BIN {KZ_BIN}; waybill {neg:order}.",
        "Suspicious sign-in from IP {IP_ADDRESS}, session {neg:order}.",
        "The driver of car {KZ_VEHICLE_PLATE} is waiting at the gate.",
        "The wrong IIN {neg:bad_iin} in the application was corrected.",
    ],
}


def negative(kind: str, rng: random.Random, pools: Pools = DEV) -> str:
    if kind == "order":
        return "".join(rng.choice("0123456789") for _ in range(rng.choice([9, 10, 12, 14])))
    if kind == "amount":
        return f"{rng.randrange(1000, 999999):,}".replace(",", " ")
    if kind == "date":
        return f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.{rng.randrange(2015, 2026)}"
    if kind == "time":
        return f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
    if kind == "sku":
        return f"N{rng.randrange(10**7, 10**8)}"
    if kind == "bad_iin":
        return bad_iin(rng)
    if kind == "city":
        return rng.choice(pools.cities)
    if kind == "city_en":
        return rng.choice(pools.cities_en)
    if kind == "version":
        return f"{rng.randrange(1, 9)}.{rng.randrange(10)}.{rng.randrange(10)}.{rng.randrange(100)}"
    raise ValueError(kind)


def value(entity: str, rng: random.Random, lang: str, pools: Pools = DEV) -> str:
    match entity:
        case "PERSON":
            return person(rng, lang, pools)
        case "KZ_IIN":
            return iin(rng)
        case "KZ_BIN":
            return bin_(rng)
        case "KZ_PHONE":
            return phone(rng)
        case "KZ_IBAN":
            return kz_iban(rng)
        case "IBAN":
            return de_iban(rng)
        case "PAYMENT_CARD":
            return card(rng)
        case "EMAIL":
            return email(rng, rng.choice(pools.latin_m + pools.latin_f).split()[0])
        case "ADDRESS":
            return address(rng, lang, pools)
        case "DATE_OF_BIRTH":
            return dob(rng, lang)
        case "IP_ADDRESS":
            return rng.choice(
                [f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                 f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(65536):x}", "fe80::1%eth0"]
            )  # fmt: skip
        case "KZ_PASSPORT":
            return f"N{rng.randrange(10**7, 10**8):08d}"
        case "KZ_ID_CARD":
            return f"0{rng.randrange(10**7, 10**8)}"
        case "KZ_VEHICLE_PLATE":
            return plate(rng)
        case "KZ_POSTAL_CODE":
            return rng.choice([f"0{rng.randrange(10000, 99999)}", "A05K8P3", "Z01P3K4", "X10A2B3"])
        case "PHONE":
            return rng.choice(
                ["+7 916 555 12 34", "+49 30 901820", "+44 20 7946 0958", "+1 (202) 456-1111"]
            )
    raise ValueError(entity)


SLOT = re.compile(r"\{(neg:)?([A-Za-z_]+)\}")


def render(
    template: str, rng: random.Random, lang: str, pools: Pools = DEV
) -> tuple[str, list[list[object]]]:
    out, spans, pos = [], [], 0
    for m in SLOT.finditer(template):
        out.append(template[pos : m.start()])
        offset = sum(len(p) for p in out)
        if m.group(1):
            out.append(negative(m.group(2), rng, pools))
        else:
            text = value(m.group(2), rng, lang, pools)
            spans.append([offset, offset + len(text), m.group(2)])
            out.append(text)
        pos = m.end()
    out.append(template[pos:])
    return "".join(out), spans


def write(
    out: Path, templates: dict[str, list[str]], pools: Pools, seed: int, per_template: int
) -> None:
    rng = random.Random(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for lang, lang_templates in templates.items():
            for t in lang_templates:
                for _ in range(per_template):
                    text, spans = render(t, rng, lang, pools)
                    fh.write(
                        json.dumps(
                            {"id": n, "lang": lang, "text": text, "spans": spans},
                            ensure_ascii=False,
                        )
                        + "\n"
                    )
                    n += 1
    print(f"wrote {n} documents to {out}")


def main(per_template: int = 12) -> None:
    write(OUT, TEMPLATES, DEV, SEED, per_template)
    write(HELDOUT_OUT, HELDOUT_TEMPLATES, HELDOUT, HELDOUT_SEED, per_template)


if __name__ == "__main__":
    main()

"""Kazakhstan's regions as a generalisation hierarchy: city > region (oblast) > country.

Loaded from ``data/kz_regions.yaml`` (law as data, with its citations). Names are matched in
kk, ru and en, with former names as aliases; generalised values are written in the script of
the input (Latin -> English names, Cyrillic with Kazakh letters -> Kazakh, else Russian).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, cast

import yaml

__all__ = ["Place", "RegionIndex", "regions"]

Level = Literal["city", "region"]
_KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


@dataclass(frozen=True, slots=True)
class Place:
    """A matched place: its region id and names; ``city`` is None for a region match."""

    region_id: str
    region: dict[str, str]
    city: dict[str, str] | None
    country: dict[str, str]


def script_lang(text: str) -> Literal["en", "ru", "kk"]:
    """Which name set to answer in, judged from the script of ``text``."""
    if any(ch in _KAZAKH_LETTERS for ch in text):
        return "kk"
    if any("\u0400" <= ch <= "\u04ff" for ch in text):
        return "ru"
    return "en"


class RegionIndex:
    """Finds city and region names (any language, aliases) in a string."""

    def __init__(self, data: dict[str, object]) -> None:
        self.version = str(data.get("version", ""))
        self.country = cast(dict[str, str], data["country"])
        self._names: dict[str, Place] = {}
        self.region_names: dict[str, dict[str, str]] = {}
        for region in cast(list[dict[str, object]], data["regions"]):
            rid = str(region["id"])
            rname = cast(dict[str, str], region["name"])
            self.region_names[rid] = rname
            as_region = Place(rid, rname, None, self.country)
            if region.get("republican_city"):
                as_region = Place(rid, rname, rname, self.country)
            for name in [*rname.values(), *cast(list[str], region.get("aliases", []))]:
                self._names.setdefault(name.casefold(), as_region)
            for city in cast(list[dict[str, object]], region.get("cities", [])):
                cname = {k: str(v) for k, v in city.items() if k in ("en", "ru", "kk")}
                place = Place(rid, rname, cname, self.country)
                for name in [*cname.values(), *cast(list[str], city.get("aliases", []))]:
                    self._names.setdefault(name.casefold(), place)
        alternatives = sorted(self._names, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<!\w)(" + "|".join(re.escape(a) for a in alternatives) + r")(?!\w)", re.IGNORECASE
        )

    def find(self, text: str) -> Place | None:
        """The most specific place named in ``text`` (a city beats a region)."""
        best: Place | None = None
        for match in self._pattern.finditer(text):
            place = self._names[match.group(1).casefold()]
            if place.city is not None:
                return place
            best = best or place
        return best

    def generalise(self, text: str, level: Level) -> str | None:
        """``text`` generalised to its city or region name, or None when no place is named."""
        place = self.find(text)
        if place is None:
            return None
        lang = script_lang(text)
        if level == "city" and place.city is not None:
            return place.city[lang]
        return place.region[lang]


@cache
def regions() -> RegionIndex:
    """The packaged region index (loaded once)."""
    text = resources.files("senim.deid.data").joinpath("kz_regions.yaml").read_text("utf-8")
    return RegionIndex(cast(dict[str, object], yaml.safe_load(text)))

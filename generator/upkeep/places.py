"""`export SLUG --by-region`: the delivery pack's totals by country and region, as CSV.

Counted from the exported signatures themselves, so the totals match the export row for
row (signatures stored before countries were kept as codes are read through the same
normalising as signing, and given a region from their postcode if they have none). A group
of fewer than 5 signers is listed with `<5` in place of its number (generator.regions
.publish), after the groups that are numbered, so not even their order tells their sizes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from generator.regions.countries import country_code, country_name
from generator.regions.postcodes import region_name, region_of
from generator.regions.publish import COUNT_HIDDEN, SMALLEST_GROUP
from generator.store.base import Signature

COLUMNS = ("country", "region", "name", "signatures")
NOT_GIVEN = "(no country given)"


def place_of(signature: Signature) -> tuple[str, str]:
    """A signature's country code and region ("" where unknown)."""
    country = country_code(signature.country) or ""
    return country, signature.region or region_of(country, signature.postcode)


def totals(signatures: Iterable[Signature]) -> tuple[dict[str, int], dict[str, int]]:
    """Signatures by country ("" for none given) and by region (only where known)."""
    countries: dict[str, int] = {}
    regions: dict[str, int] = {}
    for signature in signatures:
        country, region = place_of(signature)
        countries[country] = countries.get(country, 0) + 1
        if region:
            regions[region] = regions.get(region, 0) + 1
    return countries, regions


def _ordered(groups: dict[str, int], name_of: dict[str, str]) -> list[str]:
    """Numbered groups, most signers first, then hidden ones, by name."""
    numbered = sorted(
        (code for code, n in groups.items() if n >= SMALLEST_GROUP),
        key=lambda code: (-groups[code], name_of[code]),
    )
    hidden = sorted((c for c, n in groups.items() if n < SMALLEST_GROUP), key=name_of.__getitem__)
    return numbered + hidden


def _figure(n: int) -> str:
    return str(n) if n >= SMALLEST_GROUP else COUNT_HIDDEN


def place_rows(signatures: Iterable[Signature]) -> Iterator[list[str]]:
    """The header, then each country (its regions after it), then signers with no country."""
    countries, regions = totals(signatures)
    yield list(COLUMNS)
    names = {code: country_name(code) if code else NOT_GIVEN for code in countries}
    given = {code: n for code, n in countries.items() if code}
    for country in _ordered(given, names):
        yield [country, "", names[country], _figure(countries[country])]
        inside = {code: n for code, n in regions.items() if code.split("-")[0] == country}
        region_names = {code: region_name(code) for code in inside}
        for region in _ordered(inside, region_names):
            yield [country, region, region_names[region], _figure(inside[region])]
    if "" in countries:
        yield ["", "", NOT_GIVEN, _figure(countries[""])]

"""Regions from postcodes: one table per country, shipped as `data/<cc>-postcodes.csv`.

The registry is the folder: a country whose table is there gets regions for every site (a
region is only ever worked out from the postcode a signer typed, for a site that asks for
postcode and country), and another country is added by adding its file. A table is a CSV
after `#` comment lines: `first,last,region,approximate,areas`, each row an inclusive range
of postcodes of one length, compared as text without spaces or hyphens (so `0600` to `1999`
holds `1010`, but not the three-digit `600`). Ranges may not overlap, and every region must be
one of the country's ISO 3166-2 subdivisions; a broken table is a ContentErrors naming each
line.
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from generator.errors import ContentError, ContentErrors
from generator.regions.countries import subdivision_codes, subdivision_name

DATA = Path(__file__).resolve().parent / "data"
SUFFIX = "-postcodes.csv"
HEADER = ["first", "last", "region", "approximate", "areas"]


@dataclass(frozen=True)
class PostcodeRange:
    """Postcodes `first` to `last` (inclusive, of one length) lie in `region`."""

    first: str
    last: str
    region: str  # ISO 3166-2, e.g. NZ-AUK
    approximate: bool = False  # the range straddles a regional boundary
    areas: str = ""


def normalised(postcode: str) -> str:
    """A postcode as tables compare it: upper case, without spaces or hyphens."""
    return "".join(c for c in postcode.upper() if c not in " -")


def commented_csv(path: Path) -> list[tuple[int, list[str]]]:
    """The rows of a CSV file after its `#` comment lines, each with its line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for number, line in enumerate(lines, start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            found.append((number, next(csv.reader(io.StringIO(line)))))
    return found


def load_table(path: Path, country: str) -> tuple[PostcodeRange, ...]:
    """A country's postcode table, checked (ContentErrors lists every bad line)."""
    shown = path.as_posix()
    rows = commented_csv(path)
    problems: list[ContentError] = []
    if not rows or rows[0][1] != HEADER:
        line = rows[0][0] if rows else 1
        raise ContentErrors([ContentError(shown, line, "header", f"expected {','.join(HEADER)}")])
    known = subdivision_codes(country)
    ranges: list[tuple[int, PostcodeRange]] = []
    for line, cells in rows[1:]:
        if len(cells) != len(HEADER):
            problems.append(ContentError(shown, line, "row", f"expected {len(HEADER)} cells"))
            continue
        first, last, region, approximate, areas = cells
        problem = _range_problem(normalised(first), normalised(last))
        if problem:
            problems.append(ContentError(shown, line, "first", problem))
        elif region not in known:
            message = f"{region!r} is not an ISO 3166-2 subdivision of {country}"
            problems.append(ContentError(shown, line, "region", message))
        elif approximate not in ("", "approximate"):
            message = f"expected 'approximate' or nothing, got {approximate!r}"
            problems.append(ContentError(shown, line, "approximate", message))
        else:
            found = PostcodeRange(
                normalised(first), normalised(last), region, bool(approximate), areas
            )
            ranges.append((line, found))
    ranges.sort(key=lambda pair: (len(pair[1].first), pair[1].first))
    for (_, before), (line, after) in itertools.pairwise(ranges):
        if len(before.first) == len(after.first) and after.first <= before.last:
            message = f"{after.first}-{after.last} overlaps {before.first}-{before.last}"
            problems.append(ContentError(shown, line, "first", message))
    if problems:
        raise ContentErrors(problems)
    return tuple(kept for _, kept in ranges)


def _range_problem(first: str, last: str) -> str:
    if not first or not first.isalnum() or not last.isalnum():
        return "a range is two postcodes of letters and digits"
    if len(first) != len(last):
        return f"{first} and {last} are not of one length"
    if last < first:
        return f"{last} comes before {first}"
    return ""


@cache
def tables() -> dict[str, tuple[PostcodeRange, ...]]:
    """Every shipped table, by country code (NZ from data/nz-postcodes.csv)."""
    found = {}
    for path in sorted(DATA.glob(f"*{SUFFIX}")):
        country = path.name.removesuffix(SUFFIX).upper()
        found[country] = load_table(path, country)
    return found


def countries_with_regions() -> tuple[str, ...]:
    """The countries whose signers get a region (those with a table)."""
    return tuple(sorted(tables()))


def find(table: tuple[PostcodeRange, ...], postcode: str) -> PostcodeRange | None:
    """The range of `table` holding `postcode`, if any."""
    code = normalised(postcode)
    for entry in table:
        if len(entry.first) == len(code) and entry.first <= code <= entry.last:
            return entry
    return None


def region_of(country: str, postcode: str) -> str:
    """The ISO 3166-2 region of a signer in `country` (alpha-2) with `postcode`; "" when the
    country has no table or the postcode is in none of its ranges."""
    table = tables().get(country)
    if not table or not postcode:
        return ""
    found = find(table, postcode)
    return found.region if found else ""


def region_name(code: str) -> str:
    """A region's name for pages and exports (ISO's: `Manawatū-Whanganui`); the code itself
    when ISO has no such subdivision."""
    return subdivision_name(code)

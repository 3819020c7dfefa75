"""The petition page's "Where supporters are": its tables of supporters by country and by
region, and a tile map of each country whose regions are counted (New Zealand's 16 regions
and the Chatham Islands), every region shaded by its share. Pure: a tally in, a view out.

Only what generator.regions.publish allows is shown: a place with fewer than 5 supporters is
left out of the tables, and on the map is blank and titled "fewer than 5" (as is a place with
none, so the two cannot be told apart). Without anything to show there is no section.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from generator.model import Tally
from generator.regions.countries import country_name
from generator.regions.maps import MapTile, map_of
from generator.regions.postcodes import region_name
from generator.regions.publish import SMALLEST_GROUP, shown

RADIUS = 26.0  # a hexagon's centre to its corners, in the SVG's units
MARGIN = 2.0
SHADES = 4  # levels of shading for the places shown (0: blank, fewer than SMALLEST_GROUP)


@dataclass(frozen=True)
class Place:
    """One row of a table: a country or region, its name and its supporters."""

    code: str
    name: str
    count: int


@dataclass(frozen=True)
class Tile:
    """One region's hexagon on a map: its corners (SVG points), where its label sits, its
    shade (0 to SHADES) and the title a pointer shows."""

    region: str
    label: str
    points: str
    x: float
    y: float
    shade: int
    title: str


@dataclass(frozen=True)
class RegionMap:
    """A country's tile map, `width` by `height` SVG units."""

    country: str
    name: str
    width: float
    height: float
    tiles: tuple[Tile, ...]


@dataclass(frozen=True)
class RegionTable:
    """One country's supporters by region."""

    country: str
    name: str
    places: tuple[Place, ...]


@dataclass(frozen=True)
class Supporters:
    """What the section shows: countries, each counted country's regions, their maps."""

    countries: tuple[Place, ...]
    regions: tuple[RegionTable, ...]
    maps: tuple[RegionMap, ...]
    smallest: int = SMALLEST_GROUP


def supporters(tally: Tally) -> Supporters | None:
    """The section for a petition's public tally, or None when no place may be shown."""
    countries = shown(tally.by_country)
    regions = shown(tally.by_region)
    if not countries and not regions:
        return None
    by_country: dict[str, dict[str, int]] = {}
    for code, n in regions.items():
        by_country.setdefault(code.split("-")[0], {})[code] = n
    tables = tuple(
        RegionTable(country, country_name(country), _places(found, region_name))
        for country, found in sorted(by_country.items())
    )
    maps = tuple(
        _map(country, found, tiles)
        for country, found in sorted(by_country.items())
        if (tiles := map_of(country))
    )
    return Supporters(_places(countries, country_name), tables, maps)


def _places(totals: dict[str, int], name_of: Callable[[str], str]) -> tuple[Place, ...]:
    """Rows of a table, most supporters first (then by name)."""
    rows = [Place(code, name_of(code), n) for code, n in totals.items()]
    return tuple(sorted(rows, key=lambda p: (-p.count, p.name)))


def _map(country: str, totals: dict[str, int], layout: tuple[MapTile, ...]) -> RegionMap:
    """The tile map of a country, each region shaded by its share of the largest one's count."""
    top = max(totals.values())
    width = math.sqrt(3) * RADIUS
    tiles = []
    for tile in layout:
        x = MARGIN + width / 2 + (tile.column + (tile.row % 2) / 2) * width
        y = MARGIN + RADIUS + tile.row * 1.5 * RADIUS
        count = totals.get(tile.region)
        name = region_name(tile.region)
        if count is None:
            shade, title = 0, f"{name}: fewer than {SMALLEST_GROUP} supporters"
        else:
            shade = max(1, math.ceil(SHADES * count / top))
            title = f"{name}: {count:,} supporter{'' if count == 1 else 's'}"
        tiles.append(Tile(tile.region, tile.label, _hexagon(x, y), x, y, shade, title))
    right = max(t.x for t in tiles) + width / 2 + MARGIN
    bottom = max(t.y for t in tiles) + RADIUS + MARGIN
    size = (round(right, 1), round(bottom, 1))
    return RegionMap(country, country_name(country), *size, tuple(tiles))


def _hexagon(x: float, y: float) -> str:
    """The corners of a pointy-topped hexagon centred on (x, y), as SVG points."""
    corners = []
    for k in range(6):
        angle = math.radians(60 * k - 90)
        corners.append(f"{x + RADIUS * math.cos(angle):.1f},{y + RADIUS * math.sin(angle):.1f}")
    return " ".join(corners)

"""Where each region's tile sits on a country's map: `data/<cc>-map.csv`, optional beside the
country's postcode table. A map is a tile cartogram (one hexagon per region on a grid,
placed roughly where the region is), so it needs no map library and no boundary data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from generator.errors import ContentError, ContentErrors
from generator.regions.countries import subdivision_codes
from generator.regions.postcodes import DATA, commented_csv

SUFFIX = "-map.csv"
HEADER = ["region", "column", "row", "label"]


@dataclass(frozen=True)
class MapTile:
    """One region's hexagon: its column and row on the grid (odd rows sit half a tile to the
    right) and the short label drawn on it."""

    region: str
    column: int
    row: int
    label: str


def load_map(path: Path, country: str) -> tuple[MapTile, ...]:
    """A country's map tiles, checked (ContentErrors lists every bad line)."""
    shown = path.as_posix()
    rows = commented_csv(path)
    if not rows or rows[0][1] != HEADER:
        line = rows[0][0] if rows else 1
        raise ContentErrors([ContentError(shown, line, "header", f"expected {','.join(HEADER)}")])
    known = subdivision_codes(country)
    tiles: list[MapTile] = []
    places: set[tuple[int, int]] = set()
    problems: list[ContentError] = []
    for line, cells in rows[1:]:
        if len(cells) != len(HEADER) or not cells[1].isdigit() or not cells[2].isdigit():
            problems.append(ContentError(shown, line, "row", "expected region,column,row,label"))
            continue
        tile = MapTile(cells[0], int(cells[1]), int(cells[2]), cells[3])
        if tile.region not in known:
            message = f"{tile.region!r} is not an ISO 3166-2 subdivision of {country}"
            problems.append(ContentError(shown, line, "region", message))
        elif (tile.column, tile.row) in places:
            problems.append(ContentError(shown, line, "column", "two tiles in one place"))
        places.add((tile.column, tile.row))
        tiles.append(tile)
    if problems:
        raise ContentErrors(problems)
    return tuple(tiles)


@cache
def map_of(country: str) -> tuple[MapTile, ...]:
    """The shipped map of a country (alpha-2), read once; () when it has none."""
    path = DATA / f"{country.lower()}{SUFFIX}"
    return load_map(path, country) if path.is_file() else ()

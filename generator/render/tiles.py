"""Map tile maths (Web Mercator, as OpenStreetMap's tiles use): which tiles show a point.

Pure functions: a petition page shows a small grid of tiles around the target's place
with a marker on it, and no script is needed to place either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TILE_SIZE = 256  # pixels
MAX_LATITUDE = 85.0511287798  # Web Mercator's square world ends here
DEFAULT_ZOOM = 15


@dataclass(frozen=True)
class Tile:
    """One tile image of a map grid: its URL and its column and row within the grid."""

    url: str
    column: int
    row: int


@dataclass(frozen=True)
class MapView:
    """A grid of tiles around a point, with the point's pixel position inside the grid."""

    zoom: int
    columns: int
    rows: int
    tiles: tuple[Tile, ...]  # row by row
    point_x: float  # pixels from the grid's left edge
    point_y: float  # pixels from the grid's top edge

    @property
    def width(self) -> int:
        """The grid's width in pixels."""
        return self.columns * TILE_SIZE

    @property
    def height(self) -> int:
        """The grid's height in pixels."""
        return self.rows * TILE_SIZE


def tile_position(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """The point's position in tile units at `zoom`: the integer parts name its tile."""
    n = 2**zoom
    phi = math.radians(max(-MAX_LATITUDE, min(MAX_LATITUDE, lat)))
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(phi)) / math.pi) / 2.0 * n
    return x, y


def pixel_offset(lat: float, lon: float, zoom: int) -> tuple[int, int, float, float]:
    """The point's tile (x, y) and its pixel offset inside that tile at `zoom`."""
    x, y = tile_position(lat, lon, zoom)
    tx, ty = math.floor(x), math.floor(y)
    return tx, ty, (x - tx) * TILE_SIZE, (y - ty) * TILE_SIZE


def tile_url(template: str, zoom: int, x: int, y: int) -> str:
    """A tile URL from a template with {z}, {x} and {y} placeholders."""
    return template.replace("{z}", str(zoom)).replace("{x}", str(x)).replace("{y}", str(y))


def map_view(
    lat: float,
    lon: float,
    template: str,
    zoom: int = DEFAULT_ZOOM,
    columns: int = 2,
    rows: int = 2,
) -> MapView:
    """The tiles of a columns-by-rows grid placed so the point lies in its middle part.

    The point is at most half a tile from the grid's centre in each direction (less
    at the poles' edge, where the grid cannot go further); columns wrap round the
    antimeridian.
    """
    n = 2**zoom
    x, y = tile_position(lat, lon, zoom)
    first_x = math.floor(x - columns / 2 + 0.5)
    first_y = max(0, min(n - rows, math.floor(y - rows / 2 + 0.5)))
    tiles = tuple(
        Tile(tile_url(template, zoom, (first_x + c) % n, first_y + r), c, r)
        for r in range(rows)
        for c in range(columns)
    )
    return MapView(
        zoom=zoom,
        columns=columns,
        rows=rows,
        tiles=tiles,
        point_x=(x - first_x) * TILE_SIZE,
        point_y=(y - first_y) * TILE_SIZE,
    )


def osm_url(lat: float, lon: float, zoom: int = DEFAULT_ZOOM + 2) -> str:
    """openstreetmap.org's page for the point, with a marker on it."""
    la, lo = f"{lat:.5f}", f"{lon:.5f}"
    return f"https://www.openstreetmap.org/?mlat={la}&mlon={lo}#map={zoom}/{la}/{lo}"

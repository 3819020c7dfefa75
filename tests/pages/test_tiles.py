"""Web Mercator tile maths against known tiles."""

from __future__ import annotations

import math

import pytest

from generator.render.tiles import (
    TILE_SIZE,
    map_view,
    osm_url,
    pixel_offset,
    tile_position,
    tile_url,
)


@pytest.mark.parametrize(
    ("lat", "lon", "zoom", "tile"),
    [
        (51.5074, -0.1278, 15, (16372, 10896)),  # central London
        (52.51628, 13.37771, 10, (550, 335)),  # Berlin, the OSM wiki's example
        (0.0, 0.0, 1, (1, 1)),
        (-41.2789, 174.7767, 15, (32292, 20516)),  # Wellington, Lambton Quay
    ],
)
def test_known_tiles(lat: float, lon: float, zoom: int, tile: tuple[int, int]) -> None:
    x, y, _, _ = pixel_offset(lat, lon, zoom)
    assert (x, y) == tile


def test_world_corners_and_centre() -> None:
    assert tile_position(0.0, 0.0, 0) == pytest.approx((0.5, 0.5))
    assert tile_position(85.0511287798, -180.0, 3) == pytest.approx((0.0, 0.0), abs=1e-6)
    assert tile_position(-85.0511287798, 180.0, 3) == pytest.approx((8.0, 8.0), abs=1e-6)


@pytest.mark.parametrize("lat", [-70.0, -41.2789, -1.0, 0.0, 12.5, 51.5, 80.0])
def test_latitude_agrees_with_the_log_tan_formula(lat: float) -> None:
    zoom = 12
    expected = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * 2**zoom
    assert tile_position(lat, 10.0, zoom)[1] == pytest.approx(expected)


def test_pixel_offset_is_inside_the_tile() -> None:
    _, _, px, py = pixel_offset(51.5074, -0.1278, 15)
    assert px == pytest.approx(94.04, abs=0.01) and py == pytest.approx(50.26, abs=0.01)
    assert 0 <= px < TILE_SIZE and 0 <= py < TILE_SIZE


def test_grid_surrounds_the_point() -> None:
    view = map_view(-41.2789, 174.7767, "https://t/{z}/{x}/{y}.png")
    assert [t.url for t in view.tiles] == [
        "https://t/15/32292/20515.png",
        "https://t/15/32293/20515.png",
        "https://t/15/32292/20516.png",
        "https://t/15/32293/20516.png",
    ]
    assert abs(view.point_x - view.width / 2) <= TILE_SIZE / 2
    assert abs(view.point_y - view.height / 2) <= TILE_SIZE / 2
    assert view.point_x == pytest.approx(144.29, abs=0.01)


def test_three_columns_put_the_point_in_the_middle_tile() -> None:
    view = map_view(51.5074, -0.1278, "{z}/{x}/{y}", columns=3, rows=2)
    assert len(view.tiles) == 6 and view.width == 768
    assert TILE_SIZE <= view.point_x <= 2 * TILE_SIZE


def test_grid_wraps_round_the_antimeridian_and_stops_at_the_pole() -> None:
    east = map_view(10.0, 179.9999, "{x}/{y}", zoom=3)
    assert {t.url.split("/")[0] for t in east.tiles} == {"7", "0"}
    north = map_view(85.0, 0.0, "{x}/{y}", zoom=3)
    assert min(int(t.url.split("/")[1]) for t in north.tiles) == 0


def test_tile_url_and_osm_link() -> None:
    assert tile_url("https://tile.openstreetmap.org/{z}/{x}/{y}.png", 15, 3, 4) == (
        "https://tile.openstreetmap.org/15/3/4.png"
    )
    assert osm_url(-41.2789, 174.7767) == (
        "https://www.openstreetmap.org/?mlat=-41.27890&mlon=174.77670#map=17/-41.27890/174.77670"
    )

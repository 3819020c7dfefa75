"""The shipped map of New Zealand: one tile per region, none on top of another."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import ContentErrors
from generator.regions.countries import subdivision_codes
from generator.regions.maps import load_map, map_of


def test_new_zealands_map_has_a_tile_for_each_region_in_its_own_place() -> None:
    tiles = map_of("NZ")

    assert {t.region for t in tiles} == subdivision_codes("NZ")
    assert len({(t.column, t.row) for t in tiles}) == len(tiles)
    north = {t.region: t.row for t in tiles}
    assert north["NZ-NTL"] < north["NZ-AUK"] < north["NZ-WGN"] < north["NZ-CAN"] < north["NZ-STL"]


def test_a_country_without_a_map_has_none() -> None:
    assert map_of("AU") == ()


def test_a_broken_map_reports_every_bad_line(tmp_path: Path) -> None:
    layout = tmp_path / "nz-map.csv"
    layout.write_text(
        "region,column,row,label\nNZ-AUK,2,1,AUK\nNZ-WKO,2,1,WKO\nNZ-XYZ,3,3,XYZ\nNZ-BOP,x,2,BOP\n",
        encoding="utf-8",
    )

    with pytest.raises(ContentErrors) as raised:
        load_map(layout, "NZ")

    assert [(e.line, e.field) for e in raised.value.errors] == [
        (3, "column"), (4, "region"), (5, "row"),
    ]  # fmt: skip

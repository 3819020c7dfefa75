"""The petition page's "Where supporters are": a tile map of New Zealand's regions, each
shaded by its share and titled, tables of supporters by country and region (caption, header
cells with scope), no place of fewer than 5 numbered anywhere, and no section without data.
The count file carries the same totals, suppressed alike."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from generator.model import Tally
from generator.render.pages import Renderer
from generator.render.supporters import supporters
from tests.pages.factories import make_entry, render_petition
from tests.pages.html_tree import Node, parse

REPO = Path(__file__).resolve().parents[2]
HTML_VALIDATE = REPO / "node_modules" / ".bin" / "html-validate"
PAGE = "petitions/chechnya/index.html"
COUNT = "petitions/chechnya/count.json"
PLACES = Tally(
    731,
    by_country={"NZ": 700, "AU": 25, "GB": 4, "US": 2},
    by_region={"NZ-AUK": 300, "NZ-WGN": 150, "NZ-CAN": 40, "NZ-OTA": 5, "NZ-GIS": 3},
)


def rendered(renderer: Renderer, tally: Tally) -> dict[str, bytes]:
    return render_petition(renderer, make_entry(tally=tally))


def section(renderer: Renderer, tally: Tally = PLACES) -> Node:
    doc = parse(rendered(renderer, tally)[PAGE])
    return doc.by_id("supporters-heading").parent  # type: ignore[return-value]


def test_the_section_has_a_heading_a_map_and_tables(renderer: Renderer) -> None:
    found = section(renderer)

    assert found.tag == "section"
    assert found.find("h2").text == "Where supporters are"
    assert [c.text for c in found.find_all("caption")] == [
        "Supporters by country",
        "Supporters in New Zealand by region",
    ]
    assert "fewer than 5 supporters are not shown" in found.find("p", class_="places-note").text


def test_the_tables_number_only_places_of_five_or_more_most_first(renderer: Renderer) -> None:
    countries, regions = section(renderer).find_all("table")

    def rows(table: Node) -> list[tuple[str, str]]:
        return [(r.find("th").text, r.find("td").text) for r in table.find("tbody").find_all("tr")]

    assert rows(countries) == [("New Zealand", "700"), ("Australia", "25")]  # not GB's 4, US's 2
    assert rows(regions) == [
        ("Auckland", "300"), ("Greater Wellington", "150"), ("Canterbury", "40"), ("Otago", "5"),
    ]  # fmt: skip
    for table in (countries, regions):
        assert {th.attrs["scope"] for th in table.find("thead").find_all("th")} == {"col"}
        assert {th.attrs["scope"] for th in table.find("tbody").find_all("th")} == {"row"}


def test_the_map_has_every_region_titled_and_shaded_by_its_share(renderer: Renderer) -> None:
    svg = section(renderer).find("svg")
    tiles = {g.attrs["data-region"]: g for g in svg.find_all("g")}

    assert svg.attrs["role"] == "img"
    assert svg.find("title").attrs["id"] == svg.attrs["aria-labelledby"]
    assert len(tiles) == 17  # the 16 regions and the Chatham Islands
    assert all(len(g.find_all("polygon")) == 1 for g in tiles.values())
    assert tiles["NZ-AUK"].find("title").text == "Auckland: 300 supporters"
    assert tiles["NZ-GIS"].find("title").text == "Gisborne: fewer than 5 supporters"  # 3 in store
    assert tiles["NZ-NTL"].find("title").text == "Northland: fewer than 5 supporters"  # none
    shade = {code: g.attrs["class"] for code, g in tiles.items()}
    assert shade["NZ-AUK"] == "shade-4"  # the most
    assert shade["NZ-WGN"] == "shade-2"  # half of it
    assert shade["NZ-OTA"] == "shade-1"
    assert shade["NZ-GIS"] == shade["NZ-NTL"] == "shade-0"  # three and none look alike


def test_small_groups_are_never_numbered_on_the_page(renderer: Renderer) -> None:
    text = section(renderer).text

    assert "United Kingdom" not in text and "United States" not in text
    assert not re.search(r"\b[1-4] supporters?\b", text)


def test_no_section_without_a_place_of_five_or_more(renderer: Renderer) -> None:
    for tally in (Tally(731), Tally(9, by_country={"NZ": 4}, by_region={"NZ-AUK": 4})):
        page = rendered(renderer, tally)[PAGE].decode()
        assert "supporters-heading" not in page
    assert supporters(Tally(9, by_country={"NZ": 4})) is None


def test_countries_alone_give_tables_but_no_map(renderer: Renderer) -> None:
    found = section(renderer, Tally(20, by_country={"NZ": 12, "AU": 8}))

    assert found.find_all("svg") == []
    assert [c.text for c in found.find_all("caption")] == ["Supporters by country"]


def test_the_count_file_carries_the_totals_without_small_groups(renderer: Renderer) -> None:
    document = json.loads(rendered(renderer, PLACES)[COUNT])

    assert document["by_country"] == {"AU": 25, "NZ": 700}
    assert document["by_region"] == {"NZ-AUK": 300, "NZ-CAN": 40, "NZ-OTA": 5, "NZ-WGN": 150}
    assert json.loads(rendered(renderer, Tally(3))[COUNT])["by_region"] == {}


def test_the_page_with_its_map_passes_html_validate(renderer: Renderer, tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_bytes(rendered(renderer, PLACES)[PAGE])

    result = subprocess.run(
        [str(HTML_VALIDATE), "--config", str(REPO / ".htmlvalidate.json"), str(page)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr

"""Regions from postcodes: New Zealand's table (ranges, their boundaries, approximate rows),
the registry of countries with a table, and a broken table reported line by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import ContentErrors
from generator.regions import postcodes
from generator.regions.countries import subdivision_codes
from generator.regions.postcodes import find, load_table, region_name, region_of, tables


@pytest.mark.parametrize(
    ("postcode", "region"),
    [
        ("0110", "NZ-NTL"),  # Whangārei
        ("0599", "NZ-NTL"),  # the last of Northland's range ...
        ("0600", "NZ-AUK"),  # ... and the first of Auckland's
        ("1010", "NZ-AUK"),  # central Auckland
        ("2120", "NZ-AUK"),  # Pukekohe, the last of its range ...
        ("2121", "NZ-WKO"),  # ... Tuakau, a range of one ...
        ("2122", "NZ-AUK"),  # ... and Auckland again
        ("3010", "NZ-BOP"),  # Rotorua
        ("3204", "NZ-WKO"),  # Hamilton
        ("3330", "NZ-WKO"),  # Taupō
        ("4010", "NZ-GIS"),  # Gisborne
        ("4110", "NZ-HKB"),  # Napier
        ("4310", "NZ-TKI"),  # New Plymouth
        ("4410", "NZ-MWT"),  # Palmerston North
        ("5010", "NZ-WGN"),  # Lower Hutt
        ("6011", "NZ-WGN"),  # Wellington
        ("7010", "NZ-NSN"),  # Nelson
        ("7020", "NZ-TAS"),  # Richmond
        ("7201", "NZ-MBH"),  # Blenheim
        ("7805", "NZ-WTC"),  # Greymouth
        ("8011", "NZ-CAN"),  # Christchurch
        ("8942", "NZ-CIT"),  # the Chatham Islands, between two Canterbury ranges
        ("9016", "NZ-OTA"),  # Dunedin
        ("9599", "NZ-OTA"),  # the last of Otago's range ...
        ("9600", "NZ-STL"),  # ... and the first of Southland's
        ("9810", "NZ-STL"),  # Invercargill
        (" 60 11 ", "NZ-WGN"),  # spaces typed around and inside
    ],
)
def test_a_new_zealand_postcode_gives_its_region(postcode: str, region: str) -> None:
    assert region_of("NZ", postcode) == region


@pytest.mark.parametrize(
    "postcode",
    ["0099", "5400", "5699", "601", "60111", "ABCD", "", "SW1A 1AA"],
    ids=["unused-00", "unused-54", "unused-56", "three-digits", "five-digits", "letters",
         "empty", "british"],
)  # fmt: skip
def test_a_postcode_in_no_range_gives_no_region(postcode: str) -> None:
    assert region_of("NZ", postcode) == ""


@pytest.mark.parametrize("country", ["AU", "GB", "", "XX"])
def test_a_country_without_a_table_gives_no_region(country: str) -> None:
    assert region_of(country, "6011") == ""


def test_new_zealands_table_covers_the_16_regions_and_the_chathams_and_marks_approximations(
) -> None:  # fmt: skip
    table = tables()["NZ"]

    assert {entry.region for entry in table} == subdivision_codes("NZ")
    assert len(subdivision_codes("NZ")) == 17  # 16 regions and the Chatham Islands Territory
    assert find(table, "2121") is not None and find(table, "2121").approximate  # type: ignore[union-attr]
    assert not find(table, "6011").approximate  # type: ignore[union-attr]
    assert postcodes.countries_with_regions() == ("NZ",)


def test_region_names_come_from_iso_3166_2() -> None:
    assert region_name("NZ-MWT") == "Manawatū-Whanganui"
    assert region_name("NZ-HKB") == "Hawke's Bay"
    assert region_name("NZ-XXX") == "NZ-XXX"


def test_a_broken_table_reports_every_bad_line(tmp_path: Path) -> None:
    table = tmp_path / "nz-postcodes.csv"
    table.write_text(
        "# a comment\n"
        "first,last,region,approximate,areas\n"
        "0100,0599,NZ-NTL,,Northland\n"  # line 3: fine
        "0500,0700,NZ-AUK,,overlaps\n"  # line 4
        "0900,0800,NZ-AUK,,backwards\n"  # line 5
        "1000,1999,NZ-XYZ,,no such region\n"  # line 6
        "2000,299,NZ-AUK,,two lengths\n"  # line 7
        "3000,3099,NZ-BOP,maybe,\n"  # line 8
        "4000,4099\n",  # line 9
        encoding="utf-8",
    )

    with pytest.raises(ContentErrors) as raised:
        load_table(table, "NZ")

    shown = str(raised.value)
    assert [(e.line, e.field) for e in raised.value.errors] == [
        (4, "first"), (5, "first"), (6, "region"), (7, "first"), (8, "approximate"), (9, "row"),
    ]  # fmt: skip
    assert f"{table.as_posix()}:4: first: 0500-0700 overlaps 0100-0599" in shown
    assert "'NZ-XYZ' is not an ISO 3166-2 subdivision of NZ" in shown


def test_a_table_without_its_header_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "nz-postcodes.csv"
    table.write_text("from,to,region\n0100,0599,NZ-NTL\n", encoding="utf-8")

    with pytest.raises(ContentErrors, match=r":1: header: expected first,last,region"):
        load_table(table, "NZ")

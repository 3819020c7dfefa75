"""`build.py export SLUG --by-region`: the delivery pack's totals by country and region, as
CSV, with every group of fewer than 5 marked `<5` instead of numbered, and no names."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.privacy.conftest import Project
from tests.support.fixture_site import BARE, OPEN


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def sign_many(project: Project, first: int, n: int, **fields: object) -> None:
    for k in range(first, first + n):
        project.sign(BARE, f"Signer {k}", f"signer{k}@example.org", minutes=k, **fields)


def test_totals_by_country_then_region_with_small_groups_marked(project: Project) -> None:
    sign_many(project, 0, 6, postcode="6011", country="NZ", region="NZ-WGN")
    sign_many(project, 6, 5, postcode="1010", country="NZ", region="NZ-AUK")
    sign_many(project, 11, 2, postcode="8011", country="NZ", region="NZ-CAN")
    sign_many(project, 13, 5, country="AU")
    sign_many(project, 18, 1, country="GB")
    sign_many(project, 19, 3)  # no country given
    project.sign(OPEN, "Elsewhere", "else@example.org", country="US")  # another petition

    run = project.run("export", BARE, "--by-region")

    assert run.status == 0
    assert parsed(run.out) == [
        ["country", "region", "name", "signatures"],
        ["NZ", "", "New Zealand", "13"],
        ["NZ", "NZ-WGN", "Greater Wellington", "6"],
        ["NZ", "NZ-AUK", "Auckland", "5"],
        ["NZ", "NZ-CAN", "Canterbury", "<5"],
        ["AU", "", "Australia", "5"],
        ["GB", "", "United Kingdom", "<5"],
        ["", "", "(no country given)", "<5"],
    ]
    assert "exported 7 group(s) of the confirmed signatures" in run.err
    assert "Signer" not in run.out + run.err and "@" not in run.out + run.err


def test_signatures_from_before_countries_were_codes_are_read_the_same_way(
    project: Project,
) -> None:
    # stored as typed, before signing normalised countries and worked out regions
    sign_many(project, 0, 5, postcode="6011", country="New Zealand")

    rows = parsed(project.run("export", BARE, "--by-region").out)

    assert rows[1:] == [["NZ", "", "New Zealand", "5"], ["NZ", "NZ-WGN", "Greater Wellington", "5"]]


def test_the_totals_can_go_to_a_file_and_not_with_emails(project: Project) -> None:
    sign_many(project, 0, 5, country="NZ")

    run = project.run("export", BARE, "--by-region", "--out", "places.csv")
    with pytest.raises(SystemExit) as refused:
        project.run("export", BARE, "--by-region", "--with-emails")

    assert run.status == 0 and run.out == ""
    written = parsed(Path("places.csv").read_text(encoding="utf-8"))
    assert written[1] == ["NZ", "", "New Zealand", "5"]
    assert refused.value.code == 2
    assert "not allowed with argument" in project.capsys.readouterr().err

"""`build.py export SLUG`: the signatures as CSV for delivery to the target."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import pytest

from tests.privacy.conftest import Project
from tests.support.fixture_site import BARE, OPEN


def parsed(text: str) -> list[list[str]]:
    """The CSV's rows."""
    return list(csv.reader(io.StringIO(text)))


def test_the_export_lists_signers_oldest_first_in_the_sites_time(project: Project) -> None:
    project.sign(BARE, "Mere Second", "mere@example.org", minutes=2, version="0123456789ab")
    project.sign(BARE, "Aroha First", "aroha@example.org", postcode="6011", country="NZ",
                 consent=True, version="ba9876543210")  # fmt: skip
    project.sign(OPEN, "Someone Else", "else@example.org")

    run = project.run("export", BARE)

    assert run.status == 0
    assert parsed(run.out) == [
        ["name", "postcode", "country", "consent", "signed_at", "confirmed_at", "version"],
        ["Aroha First", "6011", "NZ", "yes", *["2024-06-01 14:35:51 +1200"] * 2, "ba9876543210"],
        ["Mere Second", "", "", "no", *["2024-06-01 14:37:51 +1200"] * 2, "0123456789ab"],
    ]
    assert "exported 2 confirmed signature(s)" in run.err
    assert "@" not in run.out + run.err  # no email anywhere unless asked for


def test_emails_are_exported_only_when_asked_for_and_last(project: Project) -> None:
    project.sign(BARE, "Aroha First", "Aroha@Example.org")

    run = project.run("export", BARE, "--with-emails")

    assert parsed(run.out) == [
        ["name", "postcode", "country", "consent", "signed_at", "confirmed_at", "version", "email"],
        ["Aroha First", "", "", "no", *["2024-06-01 14:35:51 +1200"] * 2, "", "Aroha@Example.org"],
    ]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_value_a_spreadsheet_would_run_as_a_formula_is_defused(
    project: Project, start: str
) -> None:
    # Signing already refuses such names; an export must be safe even so.
    project.sign(BARE, f"{start}HYPERLINK(\"http://evil.example\")", "x@example.org",
                 postcode=f"{start}1", country="NZ")  # fmt: skip

    (_, row) = parsed(project.run("export", BARE).out)

    assert row[0] == f'\'{start}HYPERLINK("http://evil.example")'
    assert row[1] == f"'{start}1"
    assert row[2] == "NZ"


def test_an_export_file_is_readable_by_its_owner_only(project: Project) -> None:
    project.sign(BARE, "Aroha First", "aroha@example.org")

    run = project.run("export", BARE, "--out", "delivery.csv")

    written = Path("delivery.csv")
    assert run.status == 0
    assert run.out == ""
    assert "to delivery.csv" in run.err
    assert parsed(written.read_text(encoding="utf-8"))[1][0] == "Aroha First"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert [p.name for p in Path().iterdir() if p.name.startswith(".delivery")] == []


def test_an_unknown_petition_is_exit_status_2_naming_it(project: Project) -> None:
    run = project.run("export", "no-such-petition")

    assert run.status == 2
    assert run.out == ""
    assert "no petition 'no-such-petition'" in run.err


def test_a_petition_removed_from_the_content_can_still_be_exported(project: Project) -> None:
    project.sign("an-old-petition", "Aroha First", "aroha@example.org")
    project.count()  # the store knows it by its count

    run = project.run("export", "an-old-petition")

    assert run.status == 0
    assert parsed(run.out)[1][0] == "Aroha First"


def test_a_store_that_does_not_exist_is_an_error_not_an_empty_export(
    project: Project, tmp_path: Path
) -> None:
    project.store_url = f"sqlite:///{tmp_path}/typo/signatures.db"

    run = project.run("export", BARE)

    assert run.status == 1
    assert "no database" in run.err
    assert not (tmp_path / "typo").exists()

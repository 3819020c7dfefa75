"""The open data at stable URLs: /data/petitions.json (every petition's count and milestones,
valid against /data/schema.json) and /data/petitions/<slug>/daily.csv (the count at the end
of each day), as someone downloading them reads them."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from generator.build.counts import ContentCounts
from generator.build.engine import BuildOptions, build
from generator.model import Content, Milestone, Tally
from generator.render.opendata import daily_counts, daily_csv
from generator.writeback.publish import cache_control, content_type
from generator.writeback.refresh import is_count_page
from tests.support.fixture_site import (
    BARE,
    CLOSED,
    CONTENT,
    OPEN,
    SLUGS,
    TEMPLATES,
    WON,
    build_fixture,
)

AUCKLAND = ZoneInfo("Pacific/Auckland")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("open-data") / "out"
    build_fixture(out)
    return out


def petitions(site: Path) -> dict[str, dict[str, object]]:
    document = json.loads((site / "data" / "petitions.json").read_bytes())
    return {p["slug"]: p for p in document["petitions"]}


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_petitions_json_lists_every_petition_with_its_count_and_licence(site: Path) -> None:
    document = json.loads((site / "data" / "petitions.json").read_bytes())
    assert document["licence"] == "CC-BY-4.0"  # site.yaml's data_licence
    assert document["schema"] == "https://petitions.example.org/data/schema.json"
    found = petitions(site)
    assert sorted(found) == sorted(SLUGS)
    opened = found[OPEN]
    assert opened["count"] == 731 and opened["pending"] == 0  # as its page shows it
    assert opened["status"] == "open" and found[WON]["status"] == "won"
    assert opened["url"] == f"https://petitions.example.org/petitions/{OPEN}/"
    assert opened["daily"] == f"https://petitions.example.org/data/petitions/{OPEN}/daily.csv"
    assert opened["milestones"][0] == {"count": 10, "reached_at": "2017-04-14T14:35:51+12:00"}
    assert opened["updated"] is None  # its count never moved on this site
    assert found[BARE]["milestones"] == [] and found[BARE]["count"] == 0


def test_petitions_json_is_valid_against_the_published_schema(site: Path) -> None:
    schema = json.loads((site / "data" / "schema.json").read_bytes())
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads((site / "data" / "petitions.json").read_bytes())
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(document)
    document["petitions"][0]["count"] = "many"
    assert not validator.is_valid(document)  # the schema does hold something


def test_daily_csv_carries_imported_milestones_day_by_day(site: Path) -> None:
    found = rows((site / "data" / "petitions" / OPEN / "daily.csv").read_bytes())
    # Created on 14 April 2017, 10 to 100 that day; nothing known until 500 on the 20th.
    assert found[0] == {"date": "2017-04-14", "count": "100", "source": "milestone"}
    assert [r["source"] for r in found[1:6]] == ["carried"] * 5
    assert {r["count"] for r in found[1:6]} == {"100"}
    assert found[-1] == {"date": "2017-04-20", "count": "500", "source": "milestone"}
    assert len(found) == 7  # every day once, none left out
    for slug in (WON, CLOSED, BARE):
        days = rows((site / "data" / "petitions" / slug / "daily.csv").read_bytes())
        counts = [int(r["count"]) for r in days]
        assert counts == sorted(counts)  # milestones only ever add


def test_daily_csv_ends_with_the_current_count_on_the_day_it_last_moved() -> None:
    created = datetime(2025, 3, 1, 9, 0, tzinfo=AUCKLAND)
    tally = Tally(
        37,
        (Milestone(10, created + timedelta(hours=3)), Milestone(25, created + timedelta(days=2))),
        updated=created + timedelta(days=4, hours=14),  # 5 March, 23:00 in Auckland
    )
    found = rows(daily_csv(daily_counts(created, tally, AUCKLAND)))
    assert found == [
        {"date": "2025-03-01", "count": "10", "source": "milestone"},
        {"date": "2025-03-02", "count": "10", "source": "carried"},
        {"date": "2025-03-03", "count": "25", "source": "milestone"},
        {"date": "2025-03-04", "count": "25", "source": "carried"},
        {"date": "2025-03-05", "count": "37", "source": "current"},
    ]


def test_a_new_petition_has_one_row_of_nothing_yet() -> None:
    created = datetime(2025, 3, 1, 9, 0, tzinfo=AUCKLAND)
    found = rows(daily_csv(daily_counts(created, Tally(), AUCKLAND)))
    assert found == [{"date": "2025-03-01", "count": "0", "source": "created"}]


def test_data_files_are_served_as_json_and_csv_and_refreshed_with_counts() -> None:
    assert content_type("data/petitions.json") == "application/json"
    assert content_type("data/petitions/x/daily.csv").startswith("text/csv")
    assert "max-age=60" in cache_control("data/petitions.json")  # short, like pages
    assert is_count_page("data/petitions.json")  # the write-back re-renders it
    assert not is_count_page("data/schema.json")


class Counted(ContentCounts):
    """Imported tallies with one more signature on the open petition, counted just now."""

    def __init__(self, extra: int) -> None:
        self.extra = extra

    def tallies(self, content: Content) -> dict[str, Tally]:
        """The imported tallies, the open petition's `extra` signatures more."""
        found = {p.slug: p.imported for p in content.petitions}
        old = found[OPEN]
        moved = datetime(2025, 6, 1, 12, 0, tzinfo=AUCKLAND)
        found[OPEN] = Tally(old.count + self.extra, old.milestones, updated=moved)
        return found


def test_incremental_build_rewrites_petitions_json_only_when_a_count_changes(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"

    def again(extra: int) -> None:
        build(BuildOptions(CONTENT, TEMPLATES, out, None, counts=Counted(extra), workers=1))

    again(1)
    data = out / "data" / "petitions.json"
    stamp = data.stat().st_mtime_ns
    assert petitions(out)[OPEN]["count"] == 732
    again(1)  # the same counts: not rewritten
    assert data.stat().st_mtime_ns == stamp
    again(2)
    assert petitions(out)[OPEN]["count"] == 733
    assert petitions(out)[OPEN]["updated"] == "2025-06-01T12:00:00+12:00"
    daily = rows((out / "data" / "petitions" / OPEN / "daily.csv").read_bytes())
    assert daily[-1] == {"date": "2025-06-01", "count": "733", "source": "current"}

"""The example content in the repository loads, and README documents the schema exactly."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from generator.content.loading import load_content
from generator.content.schema import TABLES, markdown_table, readme_tables
from generator.model import Location

ROOT = Path(__file__).resolve().parents[2]
NZST = timezone(timedelta(hours=12))


def test_example_content_loads_with_the_seed_petitions_history() -> None:
    content = load_content(ROOT / "content")
    seed = content.petition("nz-stand-against-chechnya-death-camps")
    assert seed is not None
    assert seed.target == "The Ministry of Foreign Affairs and Trade"
    assert seed.created == datetime(2017, 4, 14, 13, 0, tzinfo=NZST)
    assert seed.location == Location(
        "Ministry of Foreign Affairs & Trade",
        "Lambton Quay, Wellington, New Zealand",
        -41.2784,
        174.7763,
    )
    assert seed.call_to_action is not None
    assert [
        (m.count, m.reached_at.strftime("%Y-%m-%d %H:%M:%S %z")) for m in seed.imported.milestones
    ] == [
        (10, "2017-04-14 14:35:51 +1200"),
        (25, "2017-04-14 15:12:51 +1200"),
        (50, "2017-04-14 15:47:59 +1200"),
        (100, "2017-04-14 18:08:00 +1200"),
        (500, "2017-04-20 18:05:41 +1200"),
    ]
    assert 500 <= seed.imported.count < 1000


def test_example_content_shows_every_status_and_a_petition_without_a_place() -> None:
    content = load_content(ROOT / "content")
    assert content.site.time_zone == "Pacific/Auckland"
    assert sorted(p.status for p in content.petitions) == ["closed", "open", "open", "won"]
    assert any(p.location is None and p.status == "open" for p in content.petitions)


def test_readme_tables_match_the_schema() -> None:
    found = readme_tables((ROOT / "README.md").read_text(encoding="utf-8"))
    for name, schema in TABLES.items():
        assert found[name] == markdown_table(schema), (
            f"README.md's {name} field table is out of date with generator/schema.py;"
            " regenerate it with `.venv/bin/python -m generator.content.schema README.md`"
        )

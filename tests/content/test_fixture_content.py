"""The fixture site's content loads as written: its history, place and call to action.

The fixture (tests/fixtures/site/content) is what the page, golden, write-back, serve and
privacy tests build on; these tests pin what they rely on, so a change to the fixture that
would weaken them shows here first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from generator.content.loading import load_content
from generator.model import CallToAction, Location, Tally
from tests.support.fixture_site import BARE, CLOSED, CONTENT, OPEN, OPEN_TITLE, SLUGS, WON

NZST = timezone(timedelta(hours=12))


def test_the_open_petition_loads_with_its_place_call_to_action_goal_and_history() -> None:
    petition = load_content(CONTENT).petition(OPEN)

    assert petition is not None
    assert petition.title == OPEN_TITLE
    assert petition.target == "The Ministry of Foreign Affairs and Trade"
    assert petition.created == datetime(2017, 4, 14, 13, 0, tzinfo=NZST)
    assert (petition.status, petition.goal) == ("open", 1000)
    assert petition.tags == ("human-rights", "foreign-affairs")
    assert petition.location == Location(
        "Ministry of Foreign Affairs & Trade", "195 Lambton Quay, Wellington", -41.2784, 174.7763
    )
    assert petition.call_to_action == CallToAction(
        "An advocacy group is raising money to help men at risk leave Chechnya safely. You can"
        " make a donation here.",
        "https://example.org/donate/chechnya",
        "Donate to help them leave",
    )
    assert petition.imported.count == 731
    assert [(m.count, m.reached_at) for m in petition.imported.milestones] == [
        (10, datetime(2017, 4, 14, 14, 35, 51, tzinfo=NZST)),
        (25, datetime(2017, 4, 14, 15, 12, 51, tzinfo=NZST)),
        (50, datetime(2017, 4, 14, 15, 47, 59, tzinfo=NZST)),
        (100, datetime(2017, 4, 14, 18, 8, 0, tzinfo=NZST)),
        (500, datetime(2017, 4, 20, 6, 5, 41, tzinfo=UTC)),  # written in UTC: 18:05:41 +1200
    ]


def test_the_fixture_has_every_status_and_an_open_petition_with_nothing_but_its_text() -> None:
    content = load_content(CONTENT)
    by_slug = {p.slug: p for p in content.petitions}

    assert content.site.time_zone == "Pacific/Auckland"
    assert content.site.signer_fields == ("postcode", "country", "consent")
    assert sorted(by_slug) == sorted(SLUGS)
    assert {slug: p.status for slug, p in by_slug.items()} == {
        OPEN: "open", BARE: "open", WON: "won", CLOSED: "closed"
    }  # fmt: skip
    bare = by_slug[BARE]
    assert (bare.location, bare.call_to_action, bare.imported) == (None, None, Tally())
    assert 10 in bare.milestones  # ten signatures reach a milestone (write-back tests)
    closed = by_slug[CLOSED].location
    assert closed is not None and (closed.lat, closed.lon) == (None, None)

"""What the site-wide pages keep of each petition (generator/render/listing.py): its count
and when it last changed in public, with stored tallies in place of imported ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from generator.model import Milestone, Tally
from generator.render.listing import (
    SUMMARY_LIMIT,
    Entry,
    Listing,
    ask_hash,
    entry_listing,
    imported_listing,
    listing_digest,
    listings,
    timestamp,
    updated_time,
)
from tests.pages.factories import make_petition, make_site

AUCKLAND = ZoneInfo("Pacific/Auckland")
NZST = timezone(timedelta(hours=12))
CREATED = datetime(2024, 6, 1, 9, 0, tzinfo=NZST)


def test_a_naive_time_is_read_in_the_sites_zone_and_an_aware_one_as_written() -> None:
    naive = datetime(2024, 6, 20, 18, 5, 41)  # winter in Auckland: +12:00
    summer = datetime(2024, 1, 20, 18, 5, 41)  # summer: +13:00

    assert timestamp(naive, AUCKLAND) == datetime(2024, 6, 20, 6, 5, 41, tzinfo=UTC).timestamp()
    assert timestamp(summer, AUCKLAND) == datetime(2024, 1, 20, 5, 5, 41, tzinfo=UTC).timestamp()
    assert timestamp(naive.replace(tzinfo=UTC), AUCKLAND) == naive.replace(tzinfo=UTC).timestamp()


def test_without_milestones_a_petition_last_changed_when_it_was_created() -> None:
    created = CREATED.timestamp()

    assert updated_time(created, Tally(), AUCKLAND) == created
    assert updated_time(created, Tally(731), AUCKLAND) == created  # a count alone is no news


def test_a_petition_last_changed_at_its_newest_milestone() -> None:
    tally = Tally(
        120,
        (
            Milestone(10, datetime(2024, 6, 2, 8, 0, tzinfo=NZST)),
            Milestone(100, datetime(2024, 6, 9, 6, 5, 41, tzinfo=UTC)),
        ),
    )

    assert updated_time(CREATED.timestamp(), tally, AUCKLAND) == (
        datetime(2024, 6, 9, 6, 5, 41, tzinfo=UTC).timestamp()
    )


def test_a_milestone_dated_before_the_petition_does_not_move_it_back() -> None:
    history = Tally(50, (Milestone(10, CREATED - timedelta(days=30)),))

    assert updated_time(CREATED.timestamp(), history, AUCKLAND) == CREATED.timestamp()


def test_a_naive_milestone_time_is_read_in_the_sites_zone() -> None:
    tally = Tally(10, (Milestone(10, datetime(2024, 6, 20, 18, 5, 41)),))

    assert updated_time(CREATED.timestamp(), tally, AUCKLAND) == (
        datetime(2024, 6, 20, 6, 5, 41, tzinfo=UTC).timestamp()
    )


def test_the_imported_listing_shows_the_imported_count_and_history() -> None:
    reached = datetime(2024, 6, 3, 12, 0, tzinfo=NZST)
    petition = make_petition(
        "fix-it", title="Fix it", target="The Council", status="won", created=CREATED,
        imported=Tally(731, (Milestone(500, reached),)), goal=800, milestones=(10, 100),
        tags=("roads", "safety"),
    )  # fmt: skip

    item = imported_listing(petition, "<p>Please <em>fix</em> it.</p>", make_site())

    assert item == Listing(
        "fix-it", "Fix it", "The Council", "won", 731, CREATED.timestamp(), reached.timestamp(),
        ask_hash("<p>Please <em>fix</em> it.</p>"),
        summary="Please fix it.", goal=800, ladder=(10, 100), tags=("roads", "safety"),
        reached=((500, reached.timestamp()),),  # the open data's milestones
    )  # fmt: skip


def test_a_listing_keeps_the_first_words_of_a_long_ask_as_plain_text() -> None:
    words = " ".join(["word"] * 100)
    item = imported_listing(make_petition("a", created=CREATED), f"<p>{words}</p>", make_site())

    assert len(item.summary) <= SUMMARY_LIMIT and item.summary.endswith("word…")


def test_an_entrys_listing_shows_its_public_tally() -> None:
    petition = make_petition("fix-it", created=CREATED, imported=Tally(731))
    reached = datetime(2024, 6, 5, 12, 0, tzinfo=NZST)
    entry = Entry(petition, Tally(1002, (Milestone(1000, reached),)), "<p>Ask</p>")

    item = entry_listing(entry, AUCKLAND)

    assert item == Listing(
        "fix-it", petition.title, petition.target, "open", 1002, CREATED.timestamp(),
        reached.timestamp(), ask_hash("<p>Ask</p>"), "Ask", None, petition.milestones,
        reached=((1000, reached.timestamp()),),
    )  # fmt: skip


def test_listings_without_tallies_are_the_imported_ones() -> None:
    rows = [imported_listing(make_petition(s, created=CREATED), "<p>Ask</p>", make_site())
            for s in ("a", "b")]  # fmt: skip

    assert listings(rows, None, "Pacific/Auckland") == rows


def test_listings_with_tallies_take_the_stored_count_and_newest_milestone() -> None:
    quiet, busy = (
        imported_listing(make_petition(slug, created=CREATED), "<p>Ask</p>", make_site())
        for slug in ("quiet", "busy")
    )
    reached = datetime(2024, 6, 20, 18, 5, 41)  # naive, as a store may keep it: Auckland time
    tallies = {"quiet": Tally(3), "busy": Tally(12, (Milestone(10, reached),))}

    found = listings([quiet, busy], tallies, "Pacific/Auckland")

    assert found == [
        quiet._replace(signatures=3, updated=quiet.created),
        busy._replace(
            signatures=12,
            updated=timestamp(reached, AUCKLAND),
            reached=((10, timestamp(reached, AUCKLAND)),),
        ),
    ]


def test_the_ask_hash_and_digest_change_with_what_the_pages_show() -> None:
    item = imported_listing(make_petition("a", created=CREATED), "<p>Ask</p>", make_site())

    assert ask_hash("<p>Ask</p>") == ask_hash("<p>Ask</p>")
    assert ask_hash("<p>Ask</p>") != ask_hash("<p>Ask!</p>")
    assert listing_digest(item) == listing_digest(Listing(*item))
    for changed in (
        item._replace(title="Another title"),
        item._replace(status="closed"),
        item._replace(updated=item.updated + 1),
        item._replace(shown=ask_hash("<p>Ask!</p>")),
        Listing(*item[:4], 1, *item[5:]),  # the count
        item._replace(tags=("parks",)),
        item._replace(goal=5000),
    ):
        assert listing_digest(changed) != listing_digest(item), changed


def test_a_petitions_created_time_is_kept_as_the_moment_it_names() -> None:
    petition = replace(make_petition("a"), created=datetime(2017, 4, 14, 13, 0, tzinfo=NZST))

    item = imported_listing(petition, "", make_site(time_zone="UTC"))

    assert item.created == datetime(2017, 4, 14, 1, 0, tzinfo=UTC).timestamp()

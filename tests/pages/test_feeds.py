"""What the index, feed and sitemap say (generator/render/feeds.py): order, limits, windows,
URLs and times, all from the content, never from the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from generator.render.feeds import (
    FeedItem,
    SitemapUrl,
    feed_entries,
    feed_items,
    in_index_order,
    index_key,
    index_rel,
    newest,
    page_links,
    page_path,
    rfc3339,
    sitemap_inputs,
    sitemap_urls,
)
from generator.render.listing import Listing

BASE = "https://petitions.example.org"
NZST = timezone(timedelta(hours=12))
DAY = 86_400.0
EPOCH_2024 = datetime(2024, 1, 1, tzinfo=UTC).timestamp()


def listing(
    slug: str, status: str = "open", count: int = 0, updated: float = 0.0, title: str = ""
) -> Listing:
    """A listing (built by position: slug, title, target, status, count, created, updated,
    shown), created on 2024-01-01 and updated `updated` days later."""
    created = EPOCH_2024
    return Listing(
        slug, title or slug.title(), "The Council", status, count, created,
        created + updated * DAY, "ask-hash",
    )  # fmt: skip


def slugs(items: list[Listing]) -> list[str]:
    return [item.slug for item in items]


def test_rfc3339_writes_the_moment_in_utc() -> None:
    assert rfc3339(datetime(2017, 4, 20, 18, 5, 41, tzinfo=NZST)) == "2017-04-20T06:05:41Z"
    assert rfc3339(datetime(2017, 4, 20, 6, 5, 41, tzinfo=UTC)) == "2017-04-20T06:05:41Z"


def test_rfc3339_takes_posix_times_and_drops_fractions() -> None:
    assert rfc3339(0.0) == "1970-01-01T00:00:00Z"
    assert rfc3339(0) == "1970-01-01T00:00:00Z"
    assert rfc3339(EPOCH_2024 + 1.9) == "2024-01-01T00:00:01Z"


def test_newest_is_the_latest_update_or_the_epoch_when_nothing_is_listed() -> None:
    assert newest([listing("a", updated=2), listing("b", updated=5), listing("c")]) == (
        EPOCH_2024 + 5 * DAY
    )
    assert newest([]) == 0.0


def test_the_feed_lists_the_most_recently_updated_first_then_by_slug() -> None:
    items = [listing("old", updated=1), listing("b-new", updated=9), listing("a-new", updated=9)]

    assert slugs(feed_entries(items)) == ["a-new", "b-new", "old"]


def test_the_feed_keeps_only_the_newest_up_to_its_limit() -> None:
    items = [listing(f"p{n:02d}", updated=n) for n in range(60)]

    chosen = feed_entries(items, limit=50)

    assert len(chosen) == 50
    assert slugs(chosen)[:2] == ["p59", "p58"]
    assert slugs(chosen)[-1] == "p10"  # the ten oldest are left out
    assert len(feed_entries(items)) == 50  # the default limit: what feed readers expect


def test_ties_at_the_feeds_limit_are_decided_by_slug() -> None:
    items = [listing("c", updated=1), listing("a", updated=1), listing("b", updated=1)]

    assert slugs(feed_entries(items, limit=2)) == ["a", "b"]
    assert feed_entries([], limit=2) == []
    assert slugs(feed_entries(items, limit=10)) == ["a", "b", "c"]


def test_feed_items_carry_absolute_urls_utc_times_and_the_sanitised_ask() -> None:
    item = listing("fix-it", updated=3, title="Fix it")

    (entry,) = feed_items([item], BASE, {"fix-it": "<p>Please fix it.</p>"})

    assert entry == FeedItem(
        url=f"{BASE}/petitions/fix-it/",
        title="Fix it",
        published="2024-01-01T00:00:00Z",
        updated="2024-01-04T00:00:00Z",
        summary="<p>Please fix it.</p>",
    )


def test_the_index_lists_open_then_won_then_closed_each_by_count() -> None:
    items = [
        listing("closed-big", "closed", 9000),
        listing("won", "won", 50),
        listing("open-small", "open", 10),
        listing("open-big", "open", 700),
    ]

    assert slugs(in_index_order(items)) == ["open-big", "open-small", "won", "closed-big"]


def test_equal_counts_go_by_title_ignoring_case_then_by_slug() -> None:
    items = [
        listing("z", count=5, title="bravo"),
        listing("y", count=5, title="Alpha"),
        listing("b", count=5, title="alpha"),
        listing("a", count=5, title="ALPHA"),
    ]

    assert slugs(in_index_order(items)) == ["a", "b", "y", "z"]
    assert index_key(items[1]) < index_key(items[0])


def test_a_status_the_index_does_not_know_goes_last() -> None:
    items = [listing("odd", "pending", 10_000), listing("shut", "closed", 1)]

    assert slugs(in_index_order(items)) == ["shut", "odd"]


def test_index_pages_live_at_the_root_then_under_page() -> None:
    assert (page_path(1), index_rel(1)) == ("/", "index.html")
    assert (page_path(3), index_rel(3)) == ("/page/3/", "page/3/index.html")


@pytest.mark.parametrize(
    ("page", "pages", "window", "links"),
    [
        (1, 1, 2, [1]),
        (1, 3, 2, [1, 2, 3]),
        (1, 9, 2, [1, 2, 3, None, 9]),
        (5, 9, 2, [1, None, 3, 4, 5, 6, 7, None, 9]),
        (9, 9, 2, [1, None, 7, 8, 9]),
        (4, 9, 2, [1, 2, 3, 4, 5, 6, None, 9]),  # the window reaches page 2: no gap after 1
        (5, 9, 0, [1, None, 5, None, 9]),
        (2, 4, 10, [1, 2, 3, 4]),
    ],
)
def test_the_pagination_bar_shows_first_last_and_a_window_with_gaps_marked(
    page: int, pages: int, window: int, links: list[int | None]
) -> None:
    assert page_links(page, pages, window) == links


def test_every_gap_in_the_pagination_bar_stands_for_at_least_one_page() -> None:
    for pages in range(1, 30):
        for page in range(1, pages + 1):
            links = page_links(page, pages)
            numbers = [n for n in links if n is not None]
            assert numbers == sorted(set(numbers)) and numbers[0] == 1 and numbers[-1] == pages
            assert page in numbers
            for before, gap, after in zip(links, links[1:], links[2:], strict=False):
                if gap is None:
                    assert before is not None and after is not None and after - before > 1


def test_the_sitemap_lists_each_index_page_then_each_petition_by_slug() -> None:
    b, a, c = listing("b", updated=2), listing("a", updated=7), listing("c", updated=1)

    urls = sitemap_urls([("/", [a, b]), ("/page/2/", [c]), ("/page/3/", [])], [b, a, c], BASE)

    assert urls == [
        SitemapUrl(f"{BASE}/", "2024-01-08T00:00:00Z"),  # the newest it lists
        SitemapUrl(f"{BASE}/page/2/", "2024-01-02T00:00:00Z"),
        SitemapUrl(f"{BASE}/page/3/", "1970-01-01T00:00:00Z"),  # lists nothing
        SitemapUrl(f"{BASE}/petitions/a/", "2024-01-08T00:00:00Z"),
        SitemapUrl(f"{BASE}/petitions/b/", "2024-01-03T00:00:00Z"),
        SitemapUrl(f"{BASE}/petitions/c/", "2024-01-02T00:00:00Z"),
    ]


def test_the_sitemaps_inputs_change_exactly_when_its_urls_may() -> None:
    a, b = listing("a", updated=1), listing("b", updated=2)
    inputs = sitemap_inputs([[a, b]], [a, b])

    assert sitemap_inputs([[a, b]], [a, b]) == inputs
    assert sitemap_inputs([[a, b]], [a, b._replace(title="New title")]) == inputs  # not shown
    assert sitemap_inputs([[a, b._replace(updated=b.updated + 1)]], [a, b]) != inputs
    assert sitemap_inputs([[a, b]], [a, b._replace(updated=b.updated + 1)]) != inputs
    assert sitemap_inputs([[a, b]], [a, b._replace(slug="b2")]) != inputs
    assert sitemap_inputs([[a], [b]], [a, b]) != inputs  # a page more

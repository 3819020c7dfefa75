"""What the site-wide pages say: the index's order and pages, the Atom feed and the
sitemap's entries, URLs and times, never the clock.

Every time here comes from the content (a petition's creation, its milestones), so the
same petitions always give the same feed and sitemap.
"""

from __future__ import annotations

import heapq
import time
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from generator.render import Entry

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the "updated" of a site with no petitions
STATUS_ORDER = {"open": 0, "won": 1, "closed": 2}  # the index lists open petitions first
PAGE_WINDOW = 2  # pages linked either side of the current one, besides the first and last
FEED_LIMIT = 50  # the feed carries the most recently updated petitions, as readers expect


class Dated(NamedTuple):
    """A petition's entry with the time it last changed in public (see entry_updated)."""

    entry: Entry
    updated: datetime


@dataclass(frozen=True)
class FeedItem:
    """One Atom entry: a petition with its absolute URL and RFC 3339 times."""

    url: str
    title: str
    published: str
    updated: str
    summary: str  # sanitised HTML; the template escapes it into the XML


class SitemapUrl(NamedTuple):
    """One <url> of the sitemap."""

    loc: str
    lastmod: str


def aware(moment: datetime, zone: tzinfo) -> datetime:
    """The moment with a time zone: a naive time is read as the site's local time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def rfc3339(moment: datetime) -> str:
    """The moment in UTC as Atom and sitemaps write it, e.g. 2017-04-20T06:05:41Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment.timestamp()))


def entry_updated(entry: Entry, zone: tzinfo) -> datetime:
    """When a petition last changed in public: its newest milestone, else its creation."""
    created = entry.petition.created  # aware() and max(), inlined: it runs for every petition
    if created.tzinfo is None:
        created = created.replace(tzinfo=zone)
    milestones = entry.tally.milestones  # oldest first (Tally's promise; combine keeps it)
    if not milestones:
        return created
    last = milestones[-1].reached_at
    if last.tzinfo is None:
        last = last.replace(tzinfo=zone)
    return last if last > created else created


def dated(entries: Iterable[Entry], zone: tzinfo) -> list[Dated]:
    """Each entry with its update time, worked out once for every page that shows it."""
    return [Dated(e, entry_updated(e, zone)) for e in entries]


def newest(items: Iterable[Dated]) -> datetime:
    """The newest update among the dated entries, or the epoch when there are none."""
    return max((d.updated for d in items), default=EPOCH)


def petition_url(base_url: str, slug: str) -> str:
    """A petition page's absolute URL."""
    return f"{base_url}/petitions/{slug}/"


def feed_items(
    items: Iterable[Dated], base_url: str, zone: tzinfo, limit: int = FEED_LIMIT
) -> list[FeedItem]:
    """The feed's entries: the `limit` most recently updated petitions, newest first (then
    by slug)."""
    items = list(items)
    times = heapq.nlargest(limit, (d.updated for d in items))
    # Everything as new as the limit-th newest, ties included, then the exact order.
    candidates = [d for d in items if d.updated >= times[-1]] if times else []
    candidates.sort(key=lambda d: (-d.updated.timestamp(), d.entry.petition.slug))
    chosen = candidates[:limit]
    return [
        FeedItem(
            url=petition_url(base_url, d.entry.petition.slug),
            title=d.entry.petition.title,
            published=rfc3339(aware(d.entry.petition.created, zone)),
            updated=rfc3339(d.updated),
            summary=d.entry.ask_html,
        )
        for d in chosen
    ]


def sitemap_urls(
    pages: Sequence[tuple[str, Sequence[Dated]]], items: Iterable[Dated], base_url: str
) -> list[SitemapUrl]:
    """Every index page (root-relative URL and the entries it lists) and every petition page."""
    urls = [SitemapUrl(base_url + path, rfc3339(newest(listed))) for path, listed in pages]
    by_slug = sorted(items, key=lambda d: d.entry.petition.slug)
    urls += [
        SitemapUrl(petition_url(base_url, d.entry.petition.slug), rfc3339(d.updated))
        for d in by_slug
    ]
    return urls


def sitemap_inputs(pages: Sequence[Sequence[Dated]], items: Sequence[Dated]) -> bytes:
    """Bytes that change whenever what sitemap_urls gives for these index pages (the entries
    each lists) and petitions does (pass the petitions in an order that does not follow the
    index, e.g. the content's, so that a petition moving on the index leaves them as they are)."""
    times = array("d", [newest(listed).timestamp() for listed in pages])
    times.extend([d.updated.timestamp() for d in items])
    slugs = "\0".join([d.entry.petition.slug for d in items])
    return b"%d\0%s\0%s" % (len(pages), times.tobytes(), slugs.encode())


def index_key(entry: Entry) -> tuple[int, int, str, str]:
    """Where a petition goes on the index: open first, then won, then closed; within each by
    count descending, then title, then slug."""
    return (
        STATUS_ORDER.get(entry.petition.status, len(STATUS_ORDER)),
        -entry.tally.count,
        entry.petition.title.casefold(),
        entry.petition.slug,
    )


def index_order(entries: list[Entry]) -> list[Entry]:
    """The entries in index order (see index_key)."""
    return sorted(entries, key=index_key)


def in_index_order(items: Sequence[Dated]) -> list[Dated]:
    """The dated entries in index order (see index_key, inlined: it runs for every petition)."""
    other = len(STATUS_ORDER)
    keys = [
        (STATUS_ORDER.get(p.status, other), -d.entry.tally.count, p.title.casefold(), p.slug)
        for d in items
        for p in (d.entry.petition,)
    ]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return [items[i] for i in order]


def page_path(page: int) -> str:
    """The root-relative URL of an index page: '/' for the first, '/page/N/' after."""
    return "/" if page == 1 else f"/page/{page}/"


def index_rel(page: int) -> str:
    """The output path of an index page: 'index.html' for the first, 'page/N/index.html' after."""
    return "index.html" if page == 1 else f"page/{page}/index.html"


def page_links(page: int, pages: int, window: int = PAGE_WINDOW) -> list[int | None]:
    """The page numbers a pagination bar shows for `page` of `pages`: the first, the last and
    `window` either side of the current one, in order, with None where numbers are left out.

    >>> page_links(5, 9)
    [1, None, 3, 4, 5, 6, 7, None, 9]
    """
    shown = sorted({1, pages, *range(max(1, page - window), min(pages, page + window) + 1)})
    links: list[int | None] = []
    for previous, n in pairwise([0, *shown]):
        if n > previous + 1:
            links.append(None)
        links.append(n)
    return links

"""What the site-wide pages say: the index's order and pages, the Atom feed and the
sitemap's entries, URLs and times, never the clock.

Every time here comes from the content (a petition's creation, its milestones), so the
same petitions always give the same feed and sitemap.
"""

from __future__ import annotations

import heapq
import time
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from itertools import pairwise
from typing import NamedTuple

from generator.render.listing import Listing
from generator.render.updates import update_url

STATUS_ORDER = {"open": 0, "won": 1, "closed": 2}  # the index lists open petitions first
PAGE_WINDOW = 2  # pages linked either side of the current one, besides the first and last
FEED_LIMIT = 50  # the feed carries the most recently updated petitions, as readers expect


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


def rfc3339(moment: datetime | float) -> str:
    """The moment (or POSIX time) in UTC as Atom and sitemaps write it, e.g.
    2017-04-20T06:05:41Z."""
    seconds = moment if isinstance(moment, float | int) else moment.timestamp()
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def newest(items: Iterable[Listing]) -> float:
    """The newest update time among the listings, or 0 (the epoch) when there are none."""
    return max((item.updated for item in items), default=0.0)


def petition_url(base_url: str, slug: str) -> str:
    """A petition page's absolute URL."""
    return f"{base_url}/petitions/{slug}/"


def feed_entries(items: Sequence[Listing], limit: int = FEED_LIMIT) -> list[Listing]:
    """The feed's petitions: the `limit` most recently updated, newest first (then by slug)."""
    times = heapq.nlargest(limit, [item.updated for item in items])
    # Everything as new as the limit-th newest, ties included, then the exact order.
    candidates = [item for item in items if item.updated >= times[-1]] if times else []
    candidates.sort(key=lambda item: (-item.updated, item.slug))
    return candidates[:limit]


def feed_items(
    chosen: Iterable[Listing], base_url: str, asks: Mapping[str, str], limit: int = FEED_LIMIT
) -> list[FeedItem]:
    """The feed's Atom entries for the chosen petitions and their updates, newest first, at
    most `limit`; `asks` maps each slug to its ask's sanitised HTML. (The newest `limit`
    entries of all are among these: no update is newer than its petition's `updated`.)"""
    entries = [
        (
            item.updated,
            FeedItem(
                url=petition_url(base_url, item.slug),
                title=item.title,
                published=rfc3339(item.created),
                updated=rfc3339(item.updated),
                summary=asks[item.slug],
            ),
        )
        for item in chosen
    ]
    entries += [
        (
            update.date,
            FeedItem(
                url=base_url + update_url(item.slug, update.name),
                title=f"{item.title}: {update.title}",
                published=rfc3339(update.date),
                updated=rfc3339(update.date),
                summary=f"<p>{escape(update.summary, quote=False)}</p>",
            ),
        )
        for item in chosen
        for update in item.updates
    ]
    entries.sort(key=lambda entry: -entry[0])  # stable: a petition before its update
    return [item for _, item in entries[:limit]]


def sitemap_urls(
    pages: Sequence[tuple[str, Sequence[Listing]]], items: Iterable[Listing], base_url: str
) -> list[SitemapUrl]:
    """Every list page (root-relative URL and the petitions it lists), every petition page
    and every update's page."""
    urls = [SitemapUrl(base_url + path, rfc3339(newest(listed))) for path, listed in pages]
    for i in sorted(items, key=lambda item: item.slug):
        urls.append(SitemapUrl(petition_url(base_url, i.slug), rfc3339(i.updated)))
        urls += [
            SitemapUrl(base_url + update_url(i.slug, u.name), rfc3339(u.date)) for u in i.updates
        ]
    return urls


def sitemap_inputs(
    pages: Sequence[Sequence[Listing]],
    items: Sequence[Listing],
    named: Sequence[tuple[str, Sequence[Listing]]] = (),
) -> bytes:
    """Bytes that change whenever what sitemap_urls gives for these index pages (the petitions
    each lists), petitions and `named` pages (URL and what each lists: status and tag pages)
    does (pass the petitions in an order that does not follow the index, e.g. the content's,
    so that a petition moving on the index leaves them as they are)."""
    times = array("d", [newest(listed) for listed in pages])
    times.extend([item.updated for item in items])
    times.extend([newest(listed) for _, listed in named])
    slugs = "\0".join([item.slug for item in items])
    times.extend([u.date for item in items for u in item.updates])
    news = [update_url(i.slug, u.name) for i in items for u in i.updates]
    paths = "\0".join([path for path, _ in named] + news)
    return b"%d\0%s\0%s\0%s" % (len(pages), times.tobytes(), slugs.encode(), paths.encode())


def index_key(item: Listing) -> tuple[int, int, str, str]:
    """Where a petition goes on the index: open first, then won, then closed; within each by
    count descending, then title, then slug."""
    return (
        STATUS_ORDER.get(item.status, len(STATUS_ORDER)),
        -item.signatures,
        item.title.casefold(),
        item.slug,
    )


def in_index_order(items: Iterable[Listing]) -> list[Listing]:
    """The listings in index order (see index_key)."""
    return sorted(items, key=index_key)


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

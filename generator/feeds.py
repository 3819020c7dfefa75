"""What the Atom feed and the sitemap say: entries, URLs and times, never the clock.

Every time here comes from the content (a petition's creation, its milestones), so the
same petitions always give the same feed and sitemap.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from generator.render import Entry

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the "updated" of a site with no petitions
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
    created = aware(entry.petition.created, zone)
    milestones = entry.tally.milestones  # oldest first (Tally's promise; combine keeps it)
    if not milestones:
        return created
    return max(created, aware(milestones[-1].reached_at, zone))


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

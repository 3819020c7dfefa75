"""What the Atom feed and the sitemap say: entries, URLs and times, never the clock.

Every time here comes from the content (a petition's creation, its milestones), so the
same petitions always give the same feed and sitemap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.render import Entry

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the "updated" of a site with no petitions


@dataclass(frozen=True)
class FeedItem:
    """One Atom entry: a petition with its absolute URL and RFC 3339 times."""

    url: str
    title: str
    published: str
    updated: str
    summary: str  # sanitised HTML; the template escapes it into the XML


@dataclass(frozen=True)
class SitemapUrl:
    """One <url> of the sitemap."""

    loc: str
    lastmod: str


def aware(moment: datetime, zone: tzinfo) -> datetime:
    """The moment with a time zone: a naive time is read as the site's local time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def rfc3339(moment: datetime) -> str:
    """The moment in UTC as Atom and sitemaps write it, e.g. 2017-04-20T06:05:41Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_updated(entry: Entry, zone: tzinfo) -> datetime:
    """When a petition last changed in public: its newest milestone, else its creation."""
    times = [aware(entry.petition.created, zone)]
    times += [aware(m.reached_at, zone) for m in entry.tally.milestones]
    return max(times)


def newest(entries: list[Entry], zone: tzinfo) -> datetime:
    """The newest update among the entries, or the epoch when there are none."""
    return max((entry_updated(e, zone) for e in entries), default=EPOCH)


def petition_url(base_url: str, slug: str) -> str:
    """A petition page's absolute URL."""
    return f"{base_url}/petitions/{slug}/"


def feed_items(entries: list[Entry], base_url: str, zone: tzinfo) -> list[FeedItem]:
    """The feed's entries, most recently updated first (then by slug)."""
    ordered = sorted(entries, key=lambda e: (-entry_updated(e, zone).timestamp(), e.petition.slug))
    return [
        FeedItem(
            url=petition_url(base_url, e.petition.slug),
            title=e.petition.title,
            published=rfc3339(aware(e.petition.created, zone)),
            updated=rfc3339(entry_updated(e, zone)),
            summary=e.ask_html,
        )
        for e in ordered
    ]


def sitemap_urls(
    pages: list[tuple[str, list[Entry]]], entries: list[Entry], base_url: str, zone: tzinfo
) -> list[SitemapUrl]:
    """Every index page (root-relative URL and the entries it lists) and petition page."""
    urls = [SitemapUrl(base_url + path, rfc3339(newest(listed, zone))) for path, listed in pages]
    by_slug = sorted(entries, key=lambda e: e.petition.slug)
    urls += [
        SitemapUrl(petition_url(base_url, e.petition.slug), rfc3339(entry_updated(e, zone)))
        for e in by_slug
    ]
    return urls

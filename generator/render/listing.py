"""What the site-wide pages show of each petition, as small tuples cheap to keep and plan from.

The content index keeps each petition's listing with its imported tally, so the index, feed
and sitemap are planned without unpickling any parsed petition.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import NamedTuple
from zoneinfo import ZoneInfo

from generator.model import Petition, Site, Tally
from generator.render.markup import plain_text
from generator.render.pictures import variants
from generator.render.updates import UpdateItem, items

SUMMARY_LIMIT = 160  # characters of a petition's ask its card shows


@dataclass(frozen=True)
class Entry:
    """One petition as the site-wide pages need it."""

    petition: Petition
    tally: Tally  # public tally (imported + stored), from generator.milestones.combine
    ask_html: str  # sanitised HTML of petition.ask


class Listing(NamedTuple):
    """A petition as the site-wide pages show it (no body; of the ask, its first words)."""

    slug: str
    title: str
    target: str
    status: str
    signatures: int  # public tally's count
    created: float  # POSIX time of its creation (a naive time read in the site's zone)
    updated: float  # when it last changed in public: newest milestone or update, else creation
    shown: str  # ask_hash of its ask: all else the feed shows of it
    # What its card on the index, status and tag pages shows besides the above:
    summary: str = ""  # the first words of its ask as plain text (SUMMARY_LIMIT characters)
    goal: int | None = None  # Petition.goal
    ladder: tuple[int, ...] = ()  # Petition.milestones: with the count, gives the next goal
    tags: tuple[str, ...] = ()  # Petition.tags
    picture: str = ""  # card_picture(petition): "" when it has none
    updates: tuple[UpdateItem, ...] = ()  # its updates, oldest first (the feed, the sitemap)
    # What the open data (data/petitions.json) shows besides the above, from the public tally:
    reached: tuple[tuple[int, float], ...] = ()  # milestones (count, POSIX time), oldest first
    pending: int = 0  # Tally.pending
    moved: float | None = None  # POSIX time of Tally.updated: when the count last moved here


def reached(tally: Tally, zone: tzinfo) -> tuple[tuple[int, float], ...]:
    """A listing's `reached`: the tally's milestones as (count, POSIX time), oldest first."""
    return tuple((m.count, timestamp(m.reached_at, zone)) for m in tally.milestones)


def moved(tally: Tally, zone: tzinfo) -> float | None:
    """A listing's `moved`: the POSIX time of the tally's `updated` (None: never moved)."""
    return None if tally.updated is None else timestamp(tally.updated, zone)


def aware(moment: datetime, zone: tzinfo) -> datetime:
    """The moment with a time zone: a naive time is read as the site's local time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def timestamp(moment: datetime, zone: tzinfo) -> float:
    """POSIX time of a moment; a naive time is read as the site's local time."""
    return aware(moment, zone).timestamp()


def updated_time(created: float, tally: Tally, zone: tzinfo) -> float:
    """When a petition last changed in public: its newest milestone, else its creation."""
    milestones = tally.milestones  # oldest first (Tally's promise; combine keeps it)
    if not milestones:
        return created
    return max(created, timestamp(milestones[-1].reached_at, zone))


def ask_hash(ask_html: str) -> str:
    """What a Listing keeps of a petition's ask: a hash that changes when it does."""
    return hashlib.sha256(ask_html.encode()).hexdigest()[:32]


def listing_digest(item: Listing) -> str:
    """A hash of all a listing holds: changes whenever the site-wide pages may show it anew."""
    return hashlib.sha256(repr(tuple(item)).encode()).hexdigest()


def card_picture(petition: Petition) -> str:
    """The URL of the picture a petition's card shows: its narrowest WebP file (written with
    the petition's pages, see generator/render/pictures.py); "" when it has none."""
    if petition.image is None:
        return ""
    return f"/petitions/{petition.slug}/{variants(petition.image)[0].name}"


def petition_listing(petition: Petition, tally: Tally, ask_html: str, zone: tzinfo) -> Listing:
    """What the site-wide pages show of a petition whose public tally is `tally`."""
    created = timestamp(petition.created, zone)
    news = items(petition.updates)
    updated = max([updated_time(created, tally, zone), *(u.date for u in news)])
    return Listing(
        *(petition.slug, petition.title, petition.target, petition.status),
        *(tally.count, created, updated, ask_hash(ask_html)),
        summary=plain_text(ask_html, SUMMARY_LIMIT),
        goal=petition.goal,
        ladder=petition.milestones,
        tags=petition.tags,
        picture=card_picture(petition),
        updates=news,
        reached=reached(tally, zone),
        pending=tally.pending,
        moved=moved(tally, zone),
    )


def imported_listing(petition: Petition, ask_html: str, site: Site) -> Listing:
    """A petition's listing with its imported tally, as the content index keeps it."""
    return petition_listing(petition, petition.imported, ask_html, ZoneInfo(site.time_zone))


def entry_listing(entry: Entry, zone: tzinfo) -> Listing:
    """What the site-wide pages show of an entry; its ask stands in `shown` as a hash."""
    return petition_listing(entry.petition, entry.tally, entry.ask_html, zone)


def listings(
    imported: Iterable[Listing], tallies: Mapping[str, Tally] | None, time_zone: str
) -> list[Listing]:
    """These listings (each with its imported tally) with `tallies` in place of the imported
    ones (None: the imported ones)."""
    if tallies is None:
        return list(imported)
    zone = ZoneInfo(time_zone)
    found = []
    for item in imported:
        tally = tallies[item.slug]
        updated = max([updated_time(item.created, tally, zone), *(u.date for u in item.updates)])
        found.append(
            item._replace(
                signatures=tally.count,
                updated=updated,
                reached=reached(tally, zone),
                pending=tally.pending,
                moved=moved(tally, zone),
            )
        )
    return found

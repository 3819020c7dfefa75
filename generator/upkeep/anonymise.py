"""Retention: `retention_days` after a petition closes, its signers' names, addresses,
postcodes and comments are removed; counts, milestones, times and countries stay.

A petition closes on its `closes` date, or, when it is marked closed or won without one, on
the day of its last signature (the store knows it). `build.py anonymise` and a daily
scheduled function in Lambda run the same rule.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from generator.model import Content, Petition, Site
from generator.store.base import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retention:
    """One petition's place in the retention rule."""

    slug: str
    closed_on: date | None  # None: still open (or never signed)
    due: bool  # its signers' details are past keeping
    scrubbed: int = 0  # signatures anonymised by this run


def closed_on(petition: Petition, site: Site, latest: datetime | None, today: date) -> date | None:
    """The day the petition stopped taking signatures, or None while it still takes them."""
    if petition.closes is not None and (petition.status != "open" or petition.closes < today):
        return petition.closes
    if petition.status != "open" and latest is not None:
        return latest.astimezone(ZoneInfo(site.time_zone)).date()
    return None


def anonymise_due(
    content: Content, store: Store, now: datetime | None = None, *, dry_run: bool = False
) -> list[Retention]:
    """Anonymise every petition whose retention ended (or only say which, with `dry_run`)."""
    site = content.site
    moment = now or datetime.now(UTC)
    today = moment.astimezone(ZoneInfo(site.time_zone)).date()
    keep = timedelta(days=site.retention_days)
    found = []
    for petition in content.petitions:
        latest = store.latest_signature(petition.slug) if petition.status != "open" else None
        closed = closed_on(petition, site, latest, today)
        due = closed is not None and closed + keep < today
        scrubbed = store.anonymise(petition.slug) if due and not dry_run else 0
        found.append(Retention(petition.slug, closed, due, scrubbed))
    return found


def daily(content: Content, store: Store) -> dict[str, object]:
    """The scheduled run: anonymise what is due and log counts (never a signer)."""
    done = anonymise_due(content, store)
    for item in done:
        if item.scrubbed:
            log.info("anonymised slug=%s signatures=%d", item.slug, item.scrubbed)
    return {"anonymised": {r.slug: r.scrubbed for r in done if r.scrubbed}}

"""A petition's count file, `petitions/<slug>/count.json`: what the page's script polls from
the CDN for the live count (never the API), and what `GET /api/petitions/{slug}` answers.

    {"slug": "save-the-park", "count": 731, "pending": 12, "goal": 1000,
     "milestones": [{"count": 10, "reached_at": "2017-04-20T18:05:41+12:00"},
                    {"count": 500, "reached_at": "2026-11-20T09:12:03+13:00", "log_size": 212}],
     "updated": "2026-11-27T15:40:00+13:00",
     "imported": 288, "log_size": 450, "log_base": 0,
     "by_country": {"AU": 12, "NZ": 690}, "by_region": {"NZ-AUK": 310, "NZ-WGN": 205}}

Times are in the site's zone; milestones oldest first (with the size of the public log once
the signature that reached it was appended, for those reached since the log began);
`updated` is when the store last moved the count (null before any signature). `imported` is
the count brought from elsewhere; `log_size` the leaves of the public log this count
answers to; `log_base` the signatures counted here that the log does not list (counted
before it began): `count` = `imported` + `log_base` + additions - withdrawals among the
log's first `log_size` leaves (`build.py verify-log` checks it). `by_country` (ISO 3166-1
alpha-2) and `by_region` (ISO 3166-2) count confirmed signatures by place, leaving out every
place with fewer than 5 (generator.regions.publish). Pure: the tally and petition in, bytes out.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from generator.milestones import next_goal
from generator.model import Milestone, Petition, Site, Tally
from generator.regions.publish import shown

COUNT_FILE = "count.json"
COUNT_CACHE = "public, max-age=5"  # seconds a browser or the CDN may reuse a count file


def count_path(slug: str) -> str:
    """The output path of a petition's count file."""
    return f"petitions/{slug}/{COUNT_FILE}"


def count_document(petition: Petition, tally: Tally, site: Site) -> dict[str, Any]:
    """What the count file says about a petition whose public tally is `tally`."""
    zone = ZoneInfo(site.time_zone)
    return {
        "slug": petition.slug,
        "count": tally.count,
        "pending": tally.pending,
        "goal": next_goal(tally.count, petition.milestones, petition.goal),
        "milestones": [_milestone(m, zone) for m in tally.milestones],
        "updated": None if tally.updated is None else _iso(tally.updated, zone),
        "imported": petition.imported.count,
        "log_size": tally.log_size,
        # before its first leaf, the log lists none of the signatures counted here
        "log_base": tally.log_base if tally.log_size else tally.count - petition.imported.count,
        "by_country": shown(tally.by_country),
        "by_region": shown(tally.by_region),
    }


def count_file(petition: Petition, tally: Tally, site: Site) -> bytes:
    """The count file's bytes (compact JSON, stable key order)."""
    document = count_document(petition, tally, site)
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def _milestone(milestone: Milestone, zone: ZoneInfo) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "count": milestone.count,
        "reached_at": _iso(milestone.reached_at, zone),
    }
    if milestone.size is not None:
        shown["log_size"] = milestone.size
    return shown


def _iso(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat("T", "seconds")

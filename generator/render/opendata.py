"""Open data at stable URLs: every petition's count in `data/petitions.json`, each one's count
day by day in `data/petitions/<slug>/daily.csv`, and the JSON Schema of the first in
`data/schema.json`.

Everything comes from what the build knows of a petition: its listing and its public tally
(imported + counted here). A day's count rests on a milestone's time or on the count at
`updated`; nothing else is known, and daily.csv says which each row rests on (`source`):

- `created`: the day the petition started, with nothing else known of it: 0;
- `milestone`: a milestone was reached that day; the count is the highest one reached
  (signatures after it that day are not known, so it is at least this);
- `carried`: nothing is known of that day; the count of the day before, carried forward;
- `current`: the day of `updated` (when the count last moved here): the count as the page
  shows it. A petition whose count never moved here (imported only) has no such row: its
  rows end at its newest milestone, and its count is in petitions.json.

Pure: the same petitions and tallies always give the same bytes (`generated` is the newest
time the data holds, not the clock).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from generator.model import Site, Tally
from generator.render.listing import Listing

DATA_FOLDER = "data"
PETITIONS_FILE = f"{DATA_FOLDER}/petitions.json"
SCHEMA_FILE = f"{DATA_FOLDER}/schema.json"
DAILY_FILE = "daily.csv"
DAILY_COLUMNS = ("date", "count", "source")
SOURCES = ("created", "milestone", "carried", "current")


class Day(NamedTuple):
    """One row of daily.csv: the count at the end of a day (site time zone), and what it
    rests on (one of SOURCES)."""

    day: date
    signatures: int  # the CSV's `count`
    source: str


def daily_path(slug: str) -> str:
    """The output path of a petition's daily counts."""
    return f"{DATA_FOLDER}/petitions/{slug}/{DAILY_FILE}"


def _iso(moment: datetime, zone: tzinfo) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    return aware.astimezone(zone).isoformat("T", "seconds")


def _local_day(moment: datetime, zone: tzinfo) -> date:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    return aware.astimezone(zone).date()


def daily_counts(created: datetime, tally: Tally, zone: tzinfo) -> list[Day]:
    """The count at the end of each day from the petition's creation to its latest known
    day (see the module's docstring for what each row rests on)."""
    known: dict[date, Day] = {}
    for milestone in tally.milestones:
        day = _local_day(milestone.reached_at, zone)
        if day not in known or known[day].signatures < milestone.count:
            known[day] = Day(day, milestone.count, "milestone")
    if tally.updated is not None:
        day = _local_day(tally.updated, zone)
        known[day] = Day(day, tally.count, "current")
    first = _local_day(created, zone)
    if known:
        first = min(first, min(known))
    last = max(known, default=first)
    rows, count, day = [], 0, first
    while day <= last:
        row = known.get(day) or Day(day, count, "created" if day == first else "carried")
        count = max(count, row.signatures) if row.source != "current" else row.signatures
        rows.append(row._replace(signatures=count))
        day += timedelta(days=1)
    return rows


def daily_csv(rows: Iterable[Day]) -> bytes:
    """daily.csv's bytes: a header row, then one row per day, oldest first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DAILY_COLUMNS)
    writer.writerows((row.day.isoformat(), row.signatures, row.source) for row in rows)
    return out.getvalue().encode()


def _time(moment: float, zone: tzinfo) -> str:
    return datetime.fromtimestamp(moment, zone).isoformat("T", "seconds")


def petition_record(item: Listing, site: Site, zone: tzinfo) -> dict[str, Any]:
    """What petitions.json says of one petition (its listing with its public tally)."""
    return {
        "slug": item.slug,
        "title": item.title,
        "target": item.target,
        "status": item.status,
        "url": f"{site.base_url}/petitions/{item.slug}/",
        "created": _time(item.created, zone),
        "count": item.signatures,
        "pending": item.pending,
        "milestones": [{"count": n, "reached_at": _time(at, zone)} for n, at in item.reached],
        "updated": None if item.moved is None else _time(item.moved, zone),
        "daily": f"{site.base_url}/{daily_path(item.slug)}",
    }


def data_shown(item: Listing) -> tuple[object, ...]:
    """All of a listing petitions.json shows: changes whenever its record may."""
    shown = (item.title, item.target, item.status, item.created, item.signatures)
    return (item.slug, *shown, item.pending, item.reached, item.moved)


def _newest(item: Listing) -> float:
    """The newest time the data holds of a petition (POSIX)."""
    return max([item.created, *(at for _, at in item.reached), item.moved or item.created])


def petitions_json(items: Sequence[Listing], site: Site, zone: tzinfo) -> bytes:
    """petitions.json's bytes: every petition (by slug), the licence, the newest time the
    data holds as `generated`, and where its schema is."""
    ordered = sorted(items, key=lambda i: i.slug)
    newest = max((_newest(i) for i in ordered), default=None)
    document = {
        "schema": f"{site.base_url}/{SCHEMA_FILE}",
        "licence": site.data_licence or None,
        "generated": None if newest is None else _time(newest, zone),
        "petitions": [petition_record(i, site, zone) for i in ordered],
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


_TIME = {"type": "string", "format": "date-time"}


def schema(site: Site) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) petitions.json follows."""
    milestone = {
        "type": "object",
        "required": ["count", "reached_at"],
        "additionalProperties": False,
        "properties": {
            "count": {"type": "integer", "minimum": 1, "description": "the milestone"},
            "reached_at": {**_TIME, "description": "when the count reached it"},
        },
    }
    petition = {
        "type": "object",
        "required": [
            *("slug", "title", "target", "status", "url", "created", "count", "pending"),
            *("milestones", "updated", "daily"),
        ],
        "additionalProperties": False,
        "properties": {
            "slug": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
            "title": {"type": "string"},
            "target": {"type": "string", "description": "who the petition is addressed to"},
            "status": {"enum": ["open", "closed", "won"]},
            "url": {"type": "string", "format": "uri", "description": "the petition's page"},
            "created": {**_TIME, "description": "when the petition started"},
            "count": {
                "type": "integer",
                "minimum": 0,
                "description": "signatures counted, imported ones included, as the page shows",
            },
            "pending": {
                "type": "integer",
                "minimum": 0,
                "description": "signatures waiting for their email to be confirmed",
            },
            "milestones": {
                "type": "array",
                "items": milestone,
                "description": "milestones reached, oldest first",
            },
            "updated": {
                "oneOf": [_TIME, {"type": "null"}],
                "description": "when the count last moved on this site; null when it never has",
            },
            "daily": {
                "type": "string",
                "format": "uri",
                "description": "the count at the end of each day, as CSV (date,count,source)",
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{site.base_url}/{SCHEMA_FILE}",
        "title": f"{site.name}: petitions and their counts",
        "type": "object",
        "required": ["schema", "licence", "generated", "petitions"],
        "additionalProperties": False,
        "properties": {
            "schema": {"type": "string", "format": "uri", "description": "this schema"},
            "licence": {
                "type": ["string", "null"],
                "description": "the licence the data is published under (site.yaml's"
                " data_licence, e.g. CC-BY-4.0); null when none is named",
            },
            "generated": {
                "oneOf": [_TIME, {"type": "null"}],
                "description": "the newest time the data holds (null: no petitions)",
            },
            "petitions": {"type": "array", "items": petition, "description": "by slug"},
        },
    }


def schema_json(site: Site) -> bytes:
    """schema.json's bytes."""
    return (json.dumps(schema(site), ensure_ascii=False, indent=1) + "\n").encode()

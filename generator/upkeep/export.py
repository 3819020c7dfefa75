"""Exporting a petition's signatures as CSV for delivery to the target.

Names (and emails, only when asked) go into the CSV and nowhere else; cells a spreadsheet
could run as formulas are defused.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from generator.model import Content
from generator.store.base import (
    BOUNCED,
    CONFIRMED,
    PENDING,
    REJECTED,
    STATES,
    Signature,
    Store,
)

COLUMNS = ("name", "postcode", "country", "consent", "signed_at", "confirmed_at", "version")
STATE_COLUMN = "state"  # only when other states than confirmed are exported
EMAIL_COLUMN = "email"
STATE_CHOICES = {  # --state: which signatures an export holds
    "confirmed": (CONFIRMED,),
    "pending": (PENDING,),
    "rejected": (REJECTED, BOUNCED),
    "all": STATES,
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet may run these as formulas
TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"  # as the petition page shows times (render.pages)


def cell(value: str) -> str:
    """The value as a CSV cell a spreadsheet shows as text (a leading `'` defuses formulas)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def rows(
    signatures: Iterable[Signature],
    zone: ZoneInfo,
    *,
    with_emails: bool,
    with_state: bool = False,
) -> Iterator[list[str]]:
    """The header, then one row per signature; times in `zone` as the petition page shows
    them (confirmed_at empty for a signature that was never confirmed), and the text version
    each signed (empty for signatures from before versions were kept)."""
    header = [*COLUMNS, *([STATE_COLUMN] if with_state else [])]
    yield [*header, EMAIL_COLUMN] if with_emails else header
    for s in signatures:
        row = [s.name, s.postcode, s.country, "yes" if s.consent else "no"]
        row.append(s.signed_at.astimezone(zone).strftime(TIME_FORMAT))
        row.append(s.confirmed_at.astimezone(zone).strftime(TIME_FORMAT) if s.confirmed_at else "")
        row.append(s.version)
        if with_state:
            row.append(s.state)
        if with_emails:
            row.append(s.email)
        yield [cell(value) for value in row]


def write_csv(
    out: TextIO,
    signatures: Iterable[Signature],
    zone: ZoneInfo,
    *,
    with_emails: bool,
    with_state: bool = False,
) -> int:
    """Write the export to `out` (opened with newline=""); returns how many signatures."""
    writer = csv.writer(out)
    written = -1
    for row in rows(signatures, zone, with_emails=with_emails, with_state=with_state):
        writer.writerow(row)
        written += 1
    return written


def write_file(
    path: Path,
    signatures: Iterable[Signature],
    zone: ZoneInfo,
    *,
    with_emails: bool,
    with_state: bool = False,
) -> int:
    """Write the export to `path` whole or not at all, readable by its owner only."""
    return replace_file(
        path,
        lambda out: write_csv(
            out, signatures, zone, with_emails=with_emails, with_state=with_state
        ),
    )


def write_rows(out: TextIO, table: Iterable[list[str]]) -> int:
    """Write rows (the first a header) as CSV to `out`, cells defused; how many after it."""
    writer = csv.writer(out)
    written = -1
    for row in table:
        writer.writerow([cell(value) for value in row])
        written += 1
    return written


def replace_file(path: Path, fill: Callable[[TextIO], int]) -> int:
    """Make `path` hold what `fill` writes (returning how many rows), whole or not at all,
    readable by its owner only."""
    path = path.resolve()
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            written = fill(out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return written


def petition_zone(slug: str, store: Store, content: Content | None) -> ZoneInfo | None:
    """The site's time zone if `slug` is a petition in the content or the store, else None."""
    zone = ZoneInfo(content.site.time_zone) if content else ZoneInfo("UTC")
    if content is not None and content.petition(slug) is not None:
        return zone
    tally = store.tally(slug)  # counted or pending signatures, or any at all (say, withdrawn)
    known = tally.count or tally.pending or store.latest_signature(slug) is not None
    return zone if known else None

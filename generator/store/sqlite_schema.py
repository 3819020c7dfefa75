"""The SQLite store's tables, and how rows become signatures and tallies."""

from __future__ import annotations

import sqlite3

from generator.model import Milestone, Tally
from generator.store.base import Signature
from generator.store.times import from_iso, to_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS signatures (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    email_key TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    postcode TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    consent INTEGER NOT NULL DEFAULT 0,
    comment TEXT NOT NULL DEFAULT '',
    UNIQUE (slug, email_key)
);
CREATE INDEX IF NOT EXISTS signatures_by_time ON signatures (slug, signed_at, id);
CREATE TABLE IF NOT EXISTS counts (
    slug TEXT PRIMARY KEY,
    n INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS milestones (
    slug TEXT NOT NULL,
    count INTEGER NOT NULL,
    reached_at TEXT NOT NULL,
    PRIMARY KEY (slug, count)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rate_hits (
    minute TEXT NOT NULL,
    key TEXT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (minute, key)
) WITHOUT ROWID;
"""

COLUMNS = "slug, email_key, name, email, signed_at, postcode, country, consent, comment"
# A signature's values in COLUMNS order: texts, signed_at as ISO text, consent as 0 or 1.
SignatureRow = tuple[str, str, str, str, str, str, str, int, str]


INSERT_SIGNATURE = f"INSERT OR IGNORE INTO signatures ({COLUMNS}) VALUES ({', '.join('?' * 9)})"


def row_of(signature: Signature) -> SignatureRow:
    """The values of a signature in COLUMNS order."""
    return (
        signature.slug,
        signature.email_key,
        signature.name,
        signature.email,
        to_iso(signature.signed_at),
        signature.postcode,
        signature.country,
        int(signature.consent),
        signature.comment,
    )


def read_tally(conn: sqlite3.Connection, slug: str) -> Tally:
    """The stored count and milestones (oldest first) of one petition."""
    found = conn.execute("SELECT n FROM counts WHERE slug = ?", (slug,)).fetchone()
    milestones = tuple(
        Milestone(count, from_iso(when))
        for count, when in conn.execute(
            "SELECT count, reached_at FROM milestones WHERE slug = ? ORDER BY reached_at, count",
            (slug,),
        )
    )
    return Tally(count=found[0] if found else 0, milestones=milestones)


def count_signatures(conn: sqlite3.Connection, slug: str) -> int:
    """How many signature rows one petition has."""
    found = conn.execute("SELECT COUNT(*) FROM signatures WHERE slug = ?", (slug,)).fetchone()
    return int(found[0])


def signature_of(row: SignatureRow) -> Signature:
    """The Signature a row of COLUMNS holds."""
    slug, email_key, name, email, signed_at, postcode, country, consent, comment = row
    return Signature(
        slug=slug,
        email_key=email_key,
        name=name,
        email=email,
        signed_at=from_iso(signed_at),
        postcode=postcode,
        country=country,
        consent=bool(consent),
        comment=comment,
    )

"""The SQLite store's tables, how an older file is brought up to date, and how rows become
signatures and tallies."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from generator.model import Milestone, Tally
from generator.store.base import CONFIRMED, Signature
from generator.store.times import from_iso, to_iso

VERSION = 3  # PRAGMA user_version of a file with this schema
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
    sid TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'confirmed',
    confirmed_at TEXT,
    expires_at TEXT,
    mails INTEGER NOT NULL DEFAULT 0,
    mailed_at TEXT,
    UNIQUE (slug, email_key)
);
CREATE INDEX IF NOT EXISTS signatures_by_time ON signatures (slug, signed_at, id);
CREATE INDEX IF NOT EXISTS pending_by_expiry ON signatures (expires_at)
    WHERE state = 'pending';
CREATE TABLE IF NOT EXISTS counts (
    slug TEXT PRIMARY KEY,
    n INTEGER NOT NULL,
    pending INTEGER NOT NULL DEFAULT 0,
    updated TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS milestones (
    slug TEXT NOT NULL,
    count INTEGER NOT NULL,
    reached_at TEXT NOT NULL,
    PRIMARY KEY (slug, count)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL,
    before TEXT,
    after TEXT,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS claims (
    slug TEXT NOT NULL,
    what TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (slug, what)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rate_hits (
    minute TEXT NOT NULL,
    key TEXT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (minute, key)
) WITHOUT ROWID;
"""
# Columns added since version 1 (a file from before email confirmation): name, definition.
ADDED = {
    "signatures": (
        ("sid", "TEXT NOT NULL DEFAULT ''"),
        ("state", "TEXT NOT NULL DEFAULT 'confirmed'"),
        ("confirmed_at", "TEXT"),
        ("expires_at", "TEXT"),
        ("mails", "INTEGER NOT NULL DEFAULT 0"),
        ("mailed_at", "TEXT"),
    ),
    "counts": (("pending", "INTEGER NOT NULL DEFAULT 0"), ("updated", "TEXT")),
}

COLUMNS = (
    "slug, email_key, name, email, signed_at, postcode, country, consent, comment,"
    " sid, state, confirmed_at, expires_at, mails, mailed_at"
)
# A signature's values in COLUMNS order: texts, times as ISO text (or NULL), consent as 0 or 1.
SignatureRow = tuple[
    str, str, str, str, str, str, str, int, str, str, str, str | None, str | None, int, str | None
]

INSERT_SIGNATURE = f"INSERT OR IGNORE INTO signatures ({COLUMNS}) VALUES ({', '.join('?' * 15)})"


def migrate(conn: sqlite3.Connection) -> None:
    """Create the tables, or bring a file written by an older version up to this one."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version >= VERSION:
        return
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'signatures'").fetchone()
    if exists:
        for table, columns in ADDED.items():
            have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            for name, definition in columns:
                if name not in have:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")
        conn.execute("UPDATE signatures SET confirmed_at = signed_at WHERE confirmed_at IS NULL")
    conn.executescript(SCHEMA)
    conn.execute(f"PRAGMA user_version = {VERSION}")


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else to_iso(moment)


def _moment(text: str | None) -> datetime | None:
    return None if text is None else from_iso(text)


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
        signature.id,
        signature.state,
        _iso(signature.confirmed_at),
        _iso(signature.expires_at),
        signature.mails,
        _iso(signature.mailed_at),
    )


def signature_of(row: SignatureRow) -> Signature:
    """The Signature a row of COLUMNS holds."""
    slug, email_key, name, email, signed_at, postcode, country, consent, comment = row[:9]
    sid, state, confirmed_at, expires_at, mails, mailed_at = row[9:]
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
        id=sid,
        state=state,
        confirmed_at=_moment(confirmed_at),
        expires_at=_moment(expires_at),
        mails=mails,
        mailed_at=_moment(mailed_at),
    )


def read_tally(conn: sqlite3.Connection, slug: str) -> Tally:
    """The stored count, pending count and milestones (oldest first) of one petition."""
    found = conn.execute(
        "SELECT n, pending, updated FROM counts WHERE slug = ?", (slug,)
    ).fetchone()
    milestones = tuple(
        Milestone(count, from_iso(when))
        for count, when in conn.execute(
            "SELECT count, reached_at FROM milestones WHERE slug = ? ORDER BY reached_at, count",
            (slug,),
        )
    )
    count, pending, updated = found if found else (0, 0, None)
    return Tally(count, milestones, pending, _moment(updated))


def count_signatures(conn: sqlite3.Connection, slug: str) -> int:
    """How many counted (confirmed) signature rows one petition has."""
    found = conn.execute(
        "SELECT COUNT(*) FROM signatures WHERE slug = ? AND state = ?", (slug, CONFIRMED)
    ).fetchone()
    return int(found[0])


def add_counts(
    conn: sqlite3.Connection, slug: str, counted: int, pending: int, at: datetime | None = None
) -> None:
    """Move a petition's counters by these amounts (creating them at zero first)."""
    if counted or pending:
        conn.execute(
            "INSERT INTO counts (slug, n, pending, updated) VALUES (?, ?, ?, ?) ON CONFLICT (slug)"
            " DO UPDATE SET n = n + excluded.n, pending = pending + excluded.pending,"
            " updated = COALESCE(excluded.updated, updated)",
            (slug, counted, pending, _iso(at)),
        )


def note_change(
    conn: sqlite3.Connection, slug: str, before: str | None, after: str | None, at: datetime
) -> None:
    """Put a signature's change of state on the change feed (in the writing transaction)."""
    if before != after:
        conn.execute(
            "INSERT INTO changes (slug, before, after, at) VALUES (?, ?, ?, ?)",
            (slug, before, after, to_iso(at)),
        )


def feed_deltas(conn: sqlite3.Connection, slug: str) -> int:
    """What the changes still on the feed will add to a petition's count once applied."""
    found = conn.execute(
        "SELECT COALESCE(SUM(COALESCE(after = ?, 0) - COALESCE(before = ?, 0)), 0)"
        " FROM changes WHERE slug = ?",
        (CONFIRMED, CONFIRMED, slug),
    ).fetchone()
    return int(found[0])

"""The SQLite store's tables, how an older file is brought up to date, and how rows become
signatures and tallies."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime

from generator.errors import StoreError
from generator.log.leaves import base_leaf, encode
from generator.model import Milestone, Tally
from generator.store.base import CONFIRMED, Signature
from generator.store.times import from_iso, to_iso

VERSION = 7  # PRAGMA user_version of a file with this schema (5: mail to supporters;
# 6: the text version each signature signed; 7: the public log's leaves)
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
    region TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '',
    UNIQUE (slug, email_key)
);
CREATE INDEX IF NOT EXISTS signatures_by_time ON signatures (slug, signed_at, id);
CREATE INDEX IF NOT EXISTS pending_by_expiry ON signatures (expires_at)
    WHERE state = 'pending';
CREATE TABLE IF NOT EXISTS counts (
    slug TEXT PRIMARY KEY,
    n INTEGER NOT NULL,
    pending INTEGER NOT NULL DEFAULT 0,
    updated TEXT,
    log_size INTEGER NOT NULL DEFAULT 0,
    log_base INTEGER NOT NULL DEFAULT 0,
    log_net INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS milestones (
    slug TEXT NOT NULL,
    count INTEGER NOT NULL,
    reached_at TEXT NOT NULL,
    log_size INTEGER,
    PRIMARY KEY (slug, count)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_leaves (
    slug TEXT NOT NULL,
    idx INTEGER NOT NULL,
    leaf BLOB NOT NULL,
    PRIMARY KEY (slug, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL,
    before TEXT,
    after TEXT,
    at TEXT NOT NULL,
    country TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '',
    sid TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS places (
    slug TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (slug, kind, code)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS versions (
    slug TEXT NOT NULL,
    version TEXT NOT NULL,
    n INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (slug, version)
) WITHOUT ROWID;
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
CREATE TABLE IF NOT EXISTS mailings (
    slug TEXT NOT NULL,
    update_name TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    PRIMARY KEY (slug, update_name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS notices (
    slug TEXT NOT NULL,
    update_name TEXT NOT NULL,
    email_key TEXT NOT NULL,
    notice TEXT NOT NULL,
    PRIMARY KEY (slug, update_name, email_key)
) WITHOUT ROWID;
"""
# Columns added since version 1 (a file from before email confirmation): name, definition.
# A table the file does not have yet is made whole by SCHEMA.
ADDED = {
    "signatures": (
        ("sid", "TEXT NOT NULL DEFAULT ''"),
        ("state", "TEXT NOT NULL DEFAULT 'confirmed'"),
        ("confirmed_at", "TEXT"),
        ("expires_at", "TEXT"),
        ("mails", "INTEGER NOT NULL DEFAULT 0"),
        ("mailed_at", "TEXT"),
        ("region", "TEXT NOT NULL DEFAULT ''"),  # version 4: totals by place
        ("version", "TEXT NOT NULL DEFAULT ''"),  # version 6: the text signed
    ),
    "counts": (
        ("pending", "INTEGER NOT NULL DEFAULT 0"),
        ("updated", "TEXT"),
        ("log_size", "INTEGER NOT NULL DEFAULT 0"),  # version 7: the public log
        ("log_base", "INTEGER NOT NULL DEFAULT 0"),
        ("log_net", "INTEGER NOT NULL DEFAULT 0"),  # what the log's leaves add up to
    ),
    "milestones": (("log_size", "INTEGER"),),
    "changes": (
        ("country", "TEXT NOT NULL DEFAULT ''"),
        ("region", "TEXT NOT NULL DEFAULT ''"),
        ("version", "TEXT NOT NULL DEFAULT ''"),
        ("sid", "TEXT NOT NULL DEFAULT ''"),
    ),
}
COUNTRY, REGION = "country", "region"  # the kinds of place in the places table

COLUMNS = (
    "slug, email_key, name, email, signed_at, postcode, country, consent, comment,"
    " sid, state, confirmed_at, expires_at, mails, mailed_at, region, version"
)
# A signature's values in COLUMNS order: texts, times as ISO text (or NULL), consent as 0 or 1.
SignatureRow = tuple[
    str, str, str, str, str, str, str, int, str, str, str, str | None, str | None, int,
    str | None, str, str,
]  # fmt: skip

INSERT_SIGNATURE = f"INSERT OR IGNORE INTO signatures ({COLUMNS}) VALUES ({', '.join('?' * 17)})"


def migrate(conn: sqlite3.Connection) -> None:
    """Create the tables, or bring a file written by an older version up to this one."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version >= VERSION:
        return
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'signatures'").fetchone()
    if exists:
        for table, columns in ADDED.items():
            have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            if not have:
                continue
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
        signature.region,
        signature.version,
    )


def signature_of(row: SignatureRow) -> Signature:
    """The Signature a row of COLUMNS holds."""
    slug, email_key, name, email, signed_at, postcode, country, consent, comment = row[:9]
    sid, state, confirmed_at, expires_at, mails, mailed_at, region, version = row[9:]
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
        region=region,
        version=version,
    )


def read_tally(conn: sqlite3.Connection, slug: str) -> Tally:
    """The stored count, pending count and milestones (oldest first) of one petition."""
    found = conn.execute(
        "SELECT n, pending, updated, log_size, log_base, log_net FROM counts WHERE slug = ?",
        (slug,),
    ).fetchone()
    milestones = tuple(
        Milestone(count, from_iso(when), size)
        for count, when, size in conn.execute(
            "SELECT count, reached_at, log_size FROM milestones WHERE slug = ?"
            " ORDER BY reached_at, count",
            (slug,),
        )
    )
    places: dict[str, dict[str, int]] = {COUNTRY: {}, REGION: {}}
    for kind, code, n in conn.execute(
        "SELECT kind, code, n FROM places WHERE slug = ? AND n != 0 ORDER BY kind, code", (slug,)
    ):
        places[kind][code] = n
    count, pending, updated, log_size, log_base, log_net = found or (0, 0, None, 0, 0, 0)
    versions, seen = {}, {}
    for version, n, first_seen in conn.execute(
        "SELECT version, n, first_seen FROM versions WHERE slug = ? ORDER BY version", (slug,)
    ):
        if n:
            versions[version] = n
        seen[version] = from_iso(first_seen)
    return Tally(
        count, milestones, pending, _moment(updated), places[COUNTRY], places[REGION],
        by_version=versions, version_seen=seen, log_size=log_size, log_base=log_base,
        log_net=log_net,
    )  # fmt: skip


def add_versions(
    conn: sqlite3.Connection, slug: str, moves: Mapping[str, int], seen: Mapping[str, datetime]
) -> None:
    """Move a petition's totals by text version by `moves`, keeping each version's earliest
    first-counted time (`seen` holds those first counted in this batch)."""
    for version in sorted(moves.keys() | seen.keys()):
        n = moves.get(version, 0)
        if version in seen:
            conn.execute(
                "INSERT INTO versions (slug, version, n, first_seen) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (slug, version) DO UPDATE SET n = n + excluded.n,"
                " first_seen = MIN(first_seen, excluded.first_seen)",
                (slug, version, n, to_iso(seen[version])),
            )
        else:  # counted before, so it has its row
            conn.execute(
                "UPDATE versions SET n = n + ? WHERE slug = ? AND version = ?", (n, slug, version)
            )


def add_places(conn: sqlite3.Connection, slug: str, kind: str, moves: Mapping[str, int]) -> None:
    """Move a petition's totals of one kind of place (country or region) by `moves`."""
    conn.executemany(
        "INSERT INTO places (slug, kind, code, n) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (slug, kind, code) DO UPDATE SET n = n + excluded.n",
        [(slug, kind, code, n) for code, n in moves.items()],
    )


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


def restate_base(
    conn: sqlite3.Connection, slug: str, stored: Tally, count: int, at: datetime
) -> None:
    """After a repair set a petition's count to `count`: when its log has begun and no longer
    adds up to it, append a base leaf stating what the count holds beyond the log's leaves."""
    base = count - stored.log_net
    if not stored.log_size or base == stored.log_base:
        return
    if base < 0:
        raise StoreError(
            f"the log of {slug!r} adds up to {stored.log_net} signatures, more than the"
            f" {count} stored: not repaired"
        )
    add_leaves(conn, slug, stored.log_size, (encode(base_leaf(base, at)),), base, net=0)


def note_change(
    conn: sqlite3.Connection, slug: str, before: str | None, after: str | None, at: datetime,
    country: str = "", region: str = "", version: str = "", sid: str = "",
) -> None:  # fmt: skip
    """Put a signature's change of state on the change feed (in the writing transaction),
    with the signature's country, region, text version and random id."""
    if before != after:
        conn.execute(
            "INSERT INTO changes (slug, before, after, at, country, region, version, sid)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (slug, before, after, to_iso(at), country, region, version, sid),
        )


def add_leaves(
    conn: sqlite3.Connection, slug: str, first: int, leaves: tuple[bytes, ...], base: int,
    net: int,
) -> None:  # fmt: skip
    """Append leaves to a petition's log from index `first`, moving its size and what its
    leaves add up to (`net`) with them, and setting its base (the signatures counted that the
    log does not list)."""
    if leaves:
        conn.executemany(
            "INSERT INTO log_leaves (slug, idx, leaf) VALUES (?, ?, ?)",
            [(slug, first + i, leaf) for i, leaf in enumerate(leaves)],
        )
        conn.execute(
            "INSERT INTO counts (slug, n, log_size, log_base, log_net) VALUES (?, 0, ?, ?, ?)"
            " ON CONFLICT (slug) DO UPDATE SET log_size = excluded.log_size,"
            " log_base = excluded.log_base, log_net = log_net + excluded.log_net",
            (slug, first + len(leaves), base, net),
        )


def feed_deltas(conn: sqlite3.Connection, slug: str) -> int:
    """What the changes still on the feed will add to a petition's count once applied."""
    found = conn.execute(
        "SELECT COALESCE(SUM(COALESCE(after = ?, 0) - COALESCE(before = ?, 0)), 0)"
        " FROM changes WHERE slug = ?",
        (CONFIRMED, CONFIRMED, slug),
    ).fetchone()
    return int(found[0])

"""Mail to supporters on SQLite: who consented to hear more, each signer's notice of each
update (the sent-log), the mailings of updates, and withdrawing consent.

Each function runs on a connection inside the store's own transaction (a write holds the
file's write lock, so a conditional change here is a compare-and-set).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from generator.store import sqlite_schema as schema
from generator.store.base import CONFIRMED, Mailing, Recipient
from generator.store.times import from_iso, to_iso

# The signature's columns, and its notice of one update (the first parameter).
RECIPIENTS = (
    f"SELECT {schema.COLUMNS}, (SELECT n.notice FROM notices n WHERE n.slug = signatures.slug"
    " AND n.update_name = ? AND n.email_key = signatures.email_key) FROM signatures"
    " WHERE slug = ? AND state = ? AND consent = 1 ORDER BY signed_at, id"
)


def recipients_cursor(conn: sqlite3.Connection, slug: str, update: str) -> sqlite3.Cursor:
    """The petition's consenting counted signatures with their notices of `update`, oldest
    first (the `signatures_by_time` index), to fetch in batches."""
    return conn.execute(RECIPIENTS, (update, slug, CONFIRMED))


def recipient_of(row: tuple[object, ...]) -> Recipient:
    """The Recipient a row of RECIPIENTS holds."""
    *columns, notice = row
    signature = schema.signature_of(tuple(columns))  # type: ignore[arg-type]
    return Recipient(signature, notice if isinstance(notice, str) else None)


def mark_notice(
    conn: sqlite3.Connection, slug: str, update: str, email_key: str,
    was: str | None, now: str | None,
) -> bool:  # fmt: skip
    """Move one notice from `was` to `now` (None: none) if it is still `was`; a new one only
    while the signature counts and its signer consents."""
    where = (slug, update, email_key)
    if was is None:
        if now is None:
            return False
        consenting = conn.execute(
            "SELECT 1 FROM signatures WHERE slug = ? AND email_key = ? AND state = ?"
            " AND consent = 1",
            (slug, email_key, CONFIRMED),
        ).fetchone()
        if consenting is None:
            return False
        made = conn.execute(
            "INSERT OR IGNORE INTO notices (slug, update_name, email_key, notice)"
            " VALUES (?, ?, ?, ?)",
            (*where, now),
        )
    elif now is None:
        made = conn.execute(
            "DELETE FROM notices WHERE slug = ? AND update_name = ? AND email_key = ?"
            " AND notice = ?",
            (*where, was),
        )
    else:
        made = conn.execute(
            "UPDATE notices SET notice = ? WHERE slug = ? AND update_name = ? AND email_key = ?"
            " AND notice = ?",
            (now, *where, was),
        )
    return made.rowcount == 1


def forget_notices(conn: sqlite3.Connection, slug: str, email_key: str) -> None:
    """Delete a forgotten signer's notices of a petition's updates."""
    conn.execute("DELETE FROM notices WHERE slug = ? AND email_key = ?", (slug, email_key))


def withdraw_consent(conn: sqlite3.Connection, slug: str, email_key: str, sid: str) -> bool:
    """Turn off the consent of the signature with this key and id; True when it exists."""
    return (
        conn.execute(
            "UPDATE signatures SET consent = 0 WHERE slug = ? AND email_key = ? AND sid = ?",
            (slug, email_key, sid),
        ).rowcount
        == 1
    )


def mailings(conn: sqlite3.Connection, slug: str, updates: Iterable[str]) -> dict[str, Mailing]:
    """The started mailings of these updates, by update name."""
    found: dict[str, Mailing] = {}
    for update in dict.fromkeys(updates):
        row = conn.execute(
            "SELECT started, finished FROM mailings WHERE slug = ? AND update_name = ?",
            (slug, update),
        ).fetchone()
        if row is not None:
            finished = None if row[1] is None else from_iso(row[1])
            found[update] = Mailing(slug, update, from_iso(row[0]), finished)
    return found


def start_mailing(conn: sqlite3.Connection, slug: str, update: str, at: datetime) -> Mailing:
    """The update's mailing, started at `at` unless it had started."""
    conn.execute(
        "INSERT OR IGNORE INTO mailings (slug, update_name, started) VALUES (?, ?, ?)",
        (slug, update, to_iso(at)),
    )
    return mailings(conn, slug, [update])[update]


def finish_mailing(conn: sqlite3.Connection, slug: str, update: str, at: datetime) -> None:
    """Record that the update's mailing is done (the first time only)."""
    conn.execute(
        "UPDATE mailings SET finished = ? WHERE slug = ? AND update_name = ? AND finished IS NULL",
        (to_iso(at), slug, update),
    )

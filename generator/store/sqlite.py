"""The embedded store: one SQLite file in WAL mode, one connection per thread.

Each signature is one `BEGIN IMMEDIATE` transaction holding the rate-limit check, the
insert (a UNIQUE key on slug + email_key refuses duplicates) and the count update, so
they commit together or not at all. `synchronous=NORMAL` is safe with WAL: a power cut
can lose the last few commits but never corrupts the file or splits a transaction.
Writers in one process queue on a lock, so they meet each other there rather than in
SQLite's busy handler (which sleeps and polls); `busy_timeout` covers other processes
using the same file.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from generator.errors import RateLimited, StoreError
from generator.model import Milestone, Tally
from generator.store import sqlite_mailings as mailing
from generator.store import sqlite_schema as schema
from generator.store.base import (
    BOUNCED,
    CONFIRMED,
    PENDING,
    REJECTED,
    Change,
    CountsMoved,
    CountUpdate,
    Feed,
    Mailing,
    RateLimit,
    Recipient,
    Rekeyed,
    Signature,
    SignOutcome,
    Transition,
)
from generator.store.times import from_iso, minute_key, seconds_to_next_minute, to_iso, utc_now

T = TypeVar("T")


class SqliteStore:
    """Signatures, counts, milestones and rate counters in one SQLite file."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], datetime] = utc_now,
        busy_timeout: float = 10.0,
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        self._busy_ms = int(busy_timeout * 1000)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()  # protects _connections and _schema_ready
        self._write_lock = threading.Lock()  # one writer at a time within this process
        self._schema_ready = False

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    # -- connections -------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; every write says BEGIN itself.
        # check_same_thread=False only so close() may close every thread's connection.
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=self._busy_ms / 1000
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA secure_delete = ON")  # forget scrubs the bytes, not just rows
            conn.execute("PRAGMA synchronous = NORMAL")
            with self._guard:
                if not self._schema_ready:
                    schema.migrate(conn)
                    self._schema_ready = True
                self._connections.append(conn)
        except sqlite3.Error:
            conn.close()
            raise
        self._local.conn = conn
        return conn

    def _run(self, what: str, action: Callable[[sqlite3.Connection], T]) -> T:
        """`action` on this thread's connection, any SQLite or OS failure as a StoreError."""
        try:
            return action(self._connection())
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"SQLite store {self.path}: could not {what}: {exc}") from exc

    def _write(self, what: str, action: Callable[[sqlite3.Connection], T]) -> T:
        """`action` inside one BEGIN IMMEDIATE transaction: committed whole or rolled back."""

        def transaction(conn: sqlite3.Connection) -> T:
            with self._write_lock:
                return _in_transaction(conn, "BEGIN IMMEDIATE", action)

        return self._run(what, transaction)

    def _read(self, what: str, action: Callable[[sqlite3.Connection], T]) -> T:
        """`action` on one consistent snapshot (a read transaction), failures as StoreError."""
        return self._run(what, lambda conn: _in_transaction(conn, "BEGIN", action))

    # -- the Store protocol ---------------------------------------------------------

    def init(self) -> None:
        """Create the database file and its schema if missing; safe to call again."""

        def create(conn: sqlite3.Connection) -> None:
            schema.migrate(conn)

        self._run("create the schema", create)

    def sign(self, signature: Signature, rate: RateLimit | None = None) -> SignOutcome:
        """Add a signature and its change (for the counter) together, unless the email_key
        already signed."""
        row = schema.row_of(signature)

        def add(conn: sqlite3.Connection) -> SignOutcome:
            now = self._clock()
            minute = minute_key(now)
            if rate is not None:
                hits = conn.execute(
                    "SELECT hits FROM rate_hits WHERE minute = ? AND key = ?", (minute, rate.key)
                ).fetchone()
                if hits is not None and hits[0] >= rate.limit:
                    raise RateLimited(retry_after=seconds_to_next_minute(now))
            inserted = conn.execute(schema.INSERT_SIGNATURE, row).rowcount
            if inserted != 1:
                return SignOutcome(False, self._stored(conn, signature.slug, signature.email_key))
            at = signature.confirmed_at or signature.signed_at
            schema.note_change(
                conn, signature.slug, None, signature.state, at, signature.country,
                signature.region, signature.version, signature.id,
            )  # fmt: skip
            if rate is not None:
                self._count_hit(conn, minute, rate.key, now)
            return SignOutcome(True)

        return self._write(f"store a signature for {signature.slug!r}", add)

    @staticmethod
    def _count_hit(conn: sqlite3.Connection, minute: str, key: str, now: datetime) -> None:
        created = conn.execute(
            "INSERT OR IGNORE INTO rate_hits (minute, key, hits) VALUES (?, ?, 1)", (minute, key)
        ).rowcount
        if created:  # first hit of this key this minute: forget windows that are over
            stale = minute_key(now - timedelta(minutes=1))
            conn.execute("DELETE FROM rate_hits WHERE minute < ?", (stale,))
        else:
            conn.execute(
                "UPDATE rate_hits SET hits = hits + 1 WHERE minute = ? AND key = ?", (minute, key)
            )

    @staticmethod
    def _stored(conn: sqlite3.Connection, slug: str, email_key: str) -> Signature | None:
        row = conn.execute(
            f"SELECT {schema.COLUMNS} FROM signatures WHERE slug = ? AND email_key = ?",
            (slug, email_key),
        ).fetchone()
        return None if row is None else schema.signature_of(row)

    def note_mail(self, slug: str, email_key: str, last: datetime | None, at: datetime) -> bool:
        """One more mail for this signature, if its last mail is still `last`."""

        def note(conn: sqlite3.Connection) -> bool:
            return (
                conn.execute(
                    "UPDATE signatures SET mails = mails + 1, mailed_at = ?"
                    " WHERE slug = ? AND email_key = ? AND mailed_at IS ?",
                    (to_iso(at), slug, email_key, None if last is None else to_iso(last)),
                ).rowcount
                == 1
            )

        return self._write(f"note a mail for {slug!r}", note)

    def _move(
        self, what: str, slug: str, email_key: str, sid: str | None, to: str, allowed: set[str],
        confirmed_at: datetime | None = None, when: datetime | None = None,
    ) -> Transition:  # fmt: skip
        """Move one signature (with this id, unless None) from an `allowed` state to `to`,
        with its change on the feed (at `when`, else now), in one transaction."""

        def move(conn: sqlite3.Connection) -> Transition:
            found = self._stored(conn, slug, email_key)
            if found is None or (sid is not None and found.id != sid):
                return Transition(None)
            if found.state in allowed:
                conn.execute(
                    "UPDATE signatures SET state = ?, expires_at = NULL,"
                    " confirmed_at = COALESCE(?, confirmed_at) WHERE slug = ? AND email_key = ?",
                    (to, None if confirmed_at is None else to_iso(confirmed_at), slug, email_key),
                )
                schema.note_change(
                    conn, slug, found.state, to, when or self._clock(), found.country,
                    found.region, found.version, found.id,
                )  # fmt: skip
            return Transition(found.state)

        return self._write(f"{what} a signature of {slug!r}", move)

    def confirm(self, slug: str, email_key: str, sid: str, at: datetime) -> Transition:
        """pending → confirmed (counted from `at`); anything else is left as it is."""
        return self._move("confirm", slug, email_key, sid, CONFIRMED, {PENDING}, at, at)

    def reject(self, slug: str, email_key: str, sid: str, at: datetime) -> Transition:
        """pending or confirmed → rejected (uncounted)."""
        return self._move("reject", slug, email_key, sid, REJECTED, {PENDING, CONFIRMED}, None, at)

    def bounce(self, slug: str, email_key: str) -> Transition:
        """pending → bounced."""
        return self._move("mark bounced", slug, email_key, None, BOUNCED, {PENDING})

    def purge_expired(self, now: datetime) -> int:
        """Delete pending signatures past their expiry (the feed lowers the pending counts)."""

        def purge(conn: sqlite3.Connection) -> int:
            gone = conn.execute(
                "SELECT slug, country, region, version FROM signatures"
                " WHERE state = ? AND expires_at <= ?",
                (PENDING, to_iso(now)),
            ).fetchall()
            conn.execute(
                "DELETE FROM signatures WHERE state = ? AND expires_at <= ?", (PENDING, to_iso(now))
            )
            for slug, country, region, version in gone:
                schema.note_change(conn, slug, PENDING, None, now, country, region, version)
            return len(gone)

        return self._write("purge expired pending signatures", purge)

    def feed(self, limit: int = 1000) -> Feed | None:
        """The oldest changes not yet counted (at most `limit`), or None when there are none."""

        def read(conn: sqlite3.Connection) -> Feed | None:
            rows = conn.execute(
                "SELECT seq, slug, before, after, at, country, region, version, sid FROM changes"
                " ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
            if not rows:
                return None
            changes = tuple(
                Change(slug, b, a, from_iso(at), country, region, version, sid)
                for _, slug, b, a, at, country, region, version, sid in rows
            )
            return Feed(f"sqlite:{rows[0][0]}-{rows[-1][0]}+{len(rows)}", changes)

        return self._read("read the change feed", read)

    def apply_counts(self, batch: str, updates: Sequence[CountUpdate]) -> bool:
        """Apply a batch of the feed and take its changes off the feed, in one transaction."""
        span, _, size = batch.removeprefix("sqlite:").partition("+")
        first, last = (int(n) for n in span.split("-"))

        def apply(conn: sqlite3.Connection) -> bool:
            waiting = conn.execute(
                "SELECT COUNT(*) FROM changes WHERE seq BETWEEN ? AND ?", (first, last)
            ).fetchone()[0]
            if waiting != int(size):
                # applied before, whole, or in part by another counter's overlapping batch:
                # what is left of it is on the feed still, for the next read
                return False
            for update in updates:
                stored = schema.read_tally(conn, update.slug)
                was = (update.before.count, update.before.pending, update.before.log_size)
                if (stored.count, stored.pending, stored.log_size) != was:
                    raise CountsMoved(f"the counts of {update.slug!r} moved")
            now = self._clock()
            for update in updates:
                schema.add_counts(conn, update.slug, update.counted, update.pending, now)
                schema.add_places(conn, update.slug, schema.COUNTRY, update.countries)
                schema.add_places(conn, update.slug, schema.REGION, update.regions)
                schema.add_versions(conn, update.slug, update.versions, update.seen)
                schema.add_leaves(
                    conn, update.slug, update.before.log_size, update.leaves, update.log_base,
                    update.counted,
                )  # fmt: skip
                conn.executemany(
                    "INSERT OR IGNORE INTO milestones (slug, count, reached_at, log_size)"
                    " VALUES (?, ?, ?, ?)",
                    [(update.slug, m.count, to_iso(m.reached_at), m.size) for m in update.reached],
                )
            conn.execute("DELETE FROM changes WHERE seq BETWEEN ? AND ?", (first, last))
            return True

        return self._write(f"count the changes {batch}", apply)

    def log_entries(self, slug: str, start: int, end: int) -> list[bytes]:
        """The petition's log leaves from `start` to `end` (excluded), by index."""
        return self._read(
            f"read the log of {slug!r}",
            lambda conn: [
                bytes(leaf)
                for (leaf,) in conn.execute(
                    "SELECT leaf FROM log_leaves WHERE slug = ? AND idx >= ? AND idx < ?"
                    " ORDER BY idx",
                    (slug, start, end),
                )
            ],
        )

    def claim(self, slug: str, what: str, now: datetime, every: timedelta) -> bool:
        """The first caller in each `every` claims `what` for the petition."""

        def take(conn: sqlite3.Connection) -> bool:
            return (
                conn.execute(
                    "INSERT INTO claims (slug, what, at) VALUES (?, ?, ?) ON CONFLICT (slug, what)"
                    " DO UPDATE SET at = excluded.at WHERE at <= ?",
                    (slug, what, to_iso(now), to_iso(now - every)),
                ).rowcount
                == 1
            )

        return self._write(f"claim {what} of {slug!r}", take)

    def stale(self, slugs: Iterable[str], what: str) -> list[str]:
        """The petitions whose counts moved after their last claim of `what`."""
        wanted = list(dict.fromkeys(slugs))

        def read(conn: sqlite3.Connection) -> list[str]:
            moved = dict(
                conn.execute(
                    "SELECT c.slug, c.updated > COALESCE(k.at, '') FROM counts c LEFT JOIN claims k"
                    " ON k.slug = c.slug AND k.what = ? WHERE c.updated IS NOT NULL",
                    (what,),
                ).fetchall()
            )
            return [slug for slug in wanted if moved.get(slug)]

        return self._read(f"find petitions whose {what} is stale", read)

    def counts(self, slugs: Iterable[str]) -> dict[str, Tally]:
        """The stored tallies of these petitions."""
        wanted = list(dict.fromkeys(slugs))
        return self._read(
            "read counts", lambda conn: {s: schema.read_tally(conn, s) for s in wanted}
        )

    def tally(self, slug: str) -> Tally:
        """The stored count and recorded milestones of one petition (imported ones excluded)."""

        return self._read(f"read the tally of {slug!r}", lambda conn: schema.read_tally(conn, slug))

    def tallies(self) -> dict[str, Tally]:
        """Stored tallies of every petition that has any."""

        def read(conn: sqlite3.Connection) -> dict[str, Tally]:
            counts = {s: (n, p) for s, n, p in conn.execute("SELECT slug, n, pending FROM counts")}
            updated = dict(conn.execute("SELECT slug, updated FROM counts").fetchall())
            reached: dict[str, list[Milestone]] = {}
            for slug, count, when in conn.execute(
                "SELECT slug, count, reached_at FROM milestones ORDER BY reached_at, count"
            ):
                reached.setdefault(slug, []).append(Milestone(count, from_iso(when)))
            return {
                slug: Tally(
                    count=counts.get(slug, (0, 0))[0],
                    milestones=tuple(reached.get(slug, ())),
                    pending=counts.get(slug, (0, 0))[1],
                    updated=from_iso(updated[slug]) if updated.get(slug) else None,
                )
                for slug in sorted(counts.keys() | reached.keys())
            }

        return self._read("read every tally", read)

    def signatures(self, slug: str, states: Iterable[str] | None = None) -> Iterator[Signature]:
        """The petition's signatures in these states (None: all), oldest first, in batches."""
        what = f"read the signatures of {slug!r}"
        wanted = None if states is None else sorted(set(states))
        where = "" if wanted is None else f" AND state IN ({', '.join('?' * len(wanted))})"
        cursor = self._run(
            what,
            lambda conn: conn.execute(
                f"SELECT {schema.COLUMNS} FROM signatures WHERE slug = ?{where}"
                " ORDER BY signed_at, id",
                (slug, *(wanted or ())),
            ),
        )
        while rows := self._run(what, lambda _: cursor.fetchmany(500)):
            for row in rows:
                yield schema.signature_of(row)

    def forget(self, email_key: str, slugs: Iterable[str]) -> list[str]:
        """Delete this signer's signature on each of `slugs`, with the changes for the feed."""
        wanted = list(dict.fromkeys(slugs))

        def delete(conn: sqlite3.Connection) -> list[str]:
            removed = []
            for slug in wanted:
                found = self._stored(conn, slug, email_key)
                if found is None:
                    continue
                conn.execute(
                    "DELETE FROM signatures WHERE slug = ? AND email_key = ?", (slug, email_key)
                )
                mailing.forget_notices(conn, slug, email_key)
                schema.note_change(
                    conn,
                    slug,
                    found.state,
                    None,
                    self._clock(),
                    found.country,
                    found.region,
                    found.version,
                    found.id,
                )
                removed.append(slug)
            return removed

        return self._write(f"forget a signer on {len(wanted)} petition(s)", delete)

    def recount(self, slug: str) -> int:
        """How many signatures of one petition are stored."""
        return self._read(f"recount {slug!r}", lambda conn: schema.count_signatures(conn, slug))

    def repair(self, slug: str) -> tuple[int, int]:
        """Set the counter to the recount in one transaction; returns (before, after)."""

        def fix(conn: sqlite3.Connection) -> tuple[int, int]:
            stored = schema.read_tally(conn, slug)
            before = stored.count
            # what the counter will hold once the changes still on the feed are applied
            counted = schema.count_signatures(conn, slug) - schema.feed_deltas(conn, slug)
            if counted != before:  # moved: `updated` tells stale() the count file is out of date
                now = self._clock()
                conn.execute(
                    "INSERT INTO counts (slug, n, updated) VALUES (?, ?, ?)"
                    " ON CONFLICT (slug) DO UPDATE SET n = excluded.n, updated = excluded.updated",
                    (slug, counted, to_iso(now)),
                )
                schema.restate_base(conn, slug, stored, counted, now)  # the log says so
            return before, counted

        return self._write(f"repair the count of {slug!r}", fix)

    def rekey(self, slug: str, key_of: Callable[[str], str]) -> Rekeyed:
        """New keys from the stored emails, duplicates merged, in one transaction."""

        def rekey(conn: sqlite3.Connection) -> Rekeyed:
            rows = conn.execute(
                "SELECT id, email, email_key, state, country, region, version, sid"
                " FROM signatures WHERE slug = ? ORDER BY signed_at, id",
                (slug,),
            ).fetchall()
            groups: dict[str, list[tuple[int, str, str, str, str, str, str]]] = {}
            for row_id, email, old_key, state, country, region, version, sid in rows:
                groups.setdefault(key_of(email), []).append(
                    (row_id, old_key, state, country, region, version, sid)
                )
            drop: list[tuple[int, str, str, str, str, str]] = []
            moves: list[tuple[str, int]] = []
            for new_key, members in groups.items():
                kept = min(members, key=lambda m: _KEEP_FIRST.get(m[2], len(_KEEP_FIRST)))
                drop += [(m[0], *m[2:]) for m in members if m[0] != kept[0]]
                if kept[1] != new_key:
                    moves.append((new_key, kept[0]))
            for row_id, state, country, region, version, sid in drop:  # first: no key collides
                conn.execute("DELETE FROM signatures WHERE id = ?", (row_id,))
                schema.note_change(
                    conn, slug, state, None, self._clock(), country, region, version, sid
                )
            for _, row_id in moves:  # clear the way: keys may swap places
                conn.execute(
                    "UPDATE signatures SET email_key = ? WHERE id = ?", (f"~{row_id}", row_id)
                )
            conn.executemany("UPDATE signatures SET email_key = ? WHERE id = ?", moves)
            return Rekeyed(changed=len(moves), merged=len(drop))

        return self._write(f"rekey the signatures of {slug!r}", rekey)

    def anonymise(self, slug: str) -> int:
        """Blank the personal fields of every signature of the petition, in one transaction."""

        def scrub(conn: sqlite3.Connection) -> int:
            return conn.execute(
                "UPDATE signatures SET name = '', email = '', postcode = '', comment = ''"
                " WHERE slug = ? AND (name != '' OR email != '' OR postcode != ''"
                " OR comment != '')",
                (slug,),
            ).rowcount

        return self._write(f"anonymise the signatures of {slug!r}", scrub)

    def latest_signature(self, slug: str) -> datetime | None:
        """The time of the petition's newest signature."""

        def newest(conn: sqlite3.Connection) -> datetime | None:
            row = conn.execute(
                "SELECT MAX(signed_at) FROM signatures WHERE slug = ?", (slug,)
            ).fetchone()
            return from_iso(row[0]) if row and row[0] else None

        return self._read(f"read the newest signature of {slug!r}", newest)

    # -- mail to supporters (sqlite_mailings) ---------------------------------------

    def withdraw_consent(self, slug: str, email_key: str, sid: str) -> bool:
        """Turn off the consent to hear more of the signature with this key and id."""
        return self._write(
            f"withdraw a consent on {slug!r}",
            lambda conn: mailing.withdraw_consent(conn, slug, email_key, sid),
        )

    def recipients(self, slug: str, update: str) -> Iterator[Recipient]:
        """The petition's consenting counted signatures with their notices, oldest first."""
        what = f"read the supporters of {slug!r}"
        cursor = self._run(what, lambda conn: mailing.recipients_cursor(conn, slug, update))
        while rows := self._run(what, lambda _: cursor.fetchmany(500)):
            for row in rows:
                yield mailing.recipient_of(row)

    def mark_notice(
        self, slug: str, update: str, email_key: str, was: str | None, now: str | None
    ) -> bool:
        """Move one signer's notice of `update` from `was` to `now`, if it is still `was`."""
        return self._write(
            f"note a letter of {slug!r}",
            lambda conn: mailing.mark_notice(conn, slug, update, email_key, was, now),
        )

    def mailings(self, slug: str, updates: Iterable[str]) -> dict[str, Mailing]:
        """The started mailings of these updates of a petition."""
        wanted = list(updates)
        return self._read(
            f"read the mailings of {slug!r}", lambda conn: mailing.mailings(conn, slug, wanted)
        )

    def start_mailing(self, slug: str, update: str, at: datetime) -> Mailing:
        """The update's mailing, started at `at` unless it had started."""
        return self._write(
            f"start a mailing of {slug!r}",
            lambda conn: mailing.start_mailing(conn, slug, update, at),
        )

    def finish_mailing(self, slug: str, update: str, at: datetime) -> None:
        """Record that the update's mailing is done."""
        self._write(
            f"finish a mailing of {slug!r}",
            lambda conn: mailing.finish_mailing(conn, slug, update, at),
        )

    def close(self) -> None:
        """Close every thread's connection; the store reconnects if used again."""
        with self._guard:
            connections, self._connections = self._connections, []
            self._local = threading.local()
        for conn in connections:
            conn.close()


# Which of a mailbox's signatures a rekey keeps: a counted one first, then the oldest.
_KEEP_FIRST = {CONFIRMED: 0, PENDING: 1}


def _in_transaction(
    conn: sqlite3.Connection, begin: str, action: Callable[[sqlite3.Connection], T]
) -> T:
    """`action` between `begin` and COMMIT; rolled back whole if anything fails."""
    conn.execute(begin)
    try:
        result = action(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # some errors (SQLITE_FULL, ...) have rolled back already
            conn.execute("ROLLBACK")
        raise
    return result

"""The SQLite store beyond the contract: durability, atomicity and disk faults."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.counting.counter import Counter
from generator.errors import StoreError
from generator.model import Milestone, Tally
from generator.store.sqlite import SqliteStore
from tests.store.helpers import START, Clock, counted, ladder, signature
from tests.support.counting import NO_CONTENT, source_of

SLUG = "save-the-park"


def test_reopening_the_file_keeps_every_signature_count_and_milestone(tmp_path: Path) -> None:
    path = tmp_path / "data" / "signatures.db"
    first = SqliteStore(path, clock=Clock())
    for n in range(3):
        first.sign(signature(n))
    counted(first, ladder(2))
    first.sign(signature(3))  # on the feed, not yet counted
    first.close()

    again = SqliteStore(path, clock=Clock())

    reached = (Milestone(2, START + timedelta(seconds=1)),)
    assert again.tally(SLUG) == Tally(count=3, milestones=reached)
    assert counted(again, ladder(2)).tally(SLUG) == Tally(count=4, milestones=reached)
    assert [s.email_key for s in again.signatures(SLUG)] == [
        signature(n).email_key for n in range(4)
    ]
    assert again.sign(signature(1)).added is False
    again.close()
    with closing(sqlite3.connect(path)) as check:  # readers never wait for a writer
        assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_failure_halfway_through_signing_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "signatures.db"
    store = SqliteStore(path, clock=Clock())
    store.sign(signature(1))
    with closing(sqlite3.connect(path)) as admin:  # the change fails after the insert
        admin.execute(
            "CREATE TRIGGER fail BEFORE INSERT ON changes"
            " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )

    with pytest.raises(StoreError, match="disk full") as err:
        store.sign(signature(2))

    assert "Signer 2" not in str(err.value)
    assert "signer2@example.org" not in str(err.value)
    assert len(list(store.signatures(SLUG))) == 1
    assert counted(store).tally(SLUG).count == 1
    store.close()


def test_a_failure_halfway_through_counting_applies_nothing_and_keeps_the_feed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "signatures.db"
    store = SqliteStore(path, clock=Clock())
    store.sign(signature(1))
    store.sign(signature(2))
    with closing(sqlite3.connect(path)) as admin:  # the milestone fails after the count moved
        admin.execute(
            "CREATE TRIGGER fail BEFORE INSERT ON milestones"
            " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )

    with pytest.raises(StoreError, match="disk full"):
        counted(store, ladder(2))

    assert store.tally(SLUG) == Tally()
    with closing(sqlite3.connect(path)) as admin:
        admin.execute("DROP TRIGGER fail")
    assert counted(store, ladder(2)).tally(SLUG) == Tally(
        count=2, milestones=(Milestone(2, START + timedelta(seconds=2)),)
    )
    assert store.feed() is None  # every change counted, and taken off the feed
    store.close()


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "signatures.db"
    path.write_bytes(b"this is not a database, it is a shopping list " * 100)
    store = SqliteStore(path, clock=Clock())

    with pytest.raises(StoreError, match=r"signatures\.db"):
        store.sign(signature(1))


def test_a_folder_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where the folder should go")
    store = SqliteStore(tmp_path / "taken" / "signatures.db", clock=Clock())

    with pytest.raises(StoreError, match="could not"):
        store.tally(SLUG)


def test_threads_each_get_their_own_connection_and_close_releases_them(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "signatures.db", clock=Clock())
    threads = [threading.Thread(target=store.sign, args=(signature(n),)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert counted(store).tally(SLUG).count == 4
    store.close()
    assert store.tally(SLUG).count == 4  # a closed store reconnects on next use
    store.close()


def test_a_large_export_comes_back_whole_and_in_order(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "signatures.db", clock=Clock())
    numbers = [(n * 7919) % 1201 for n in range(1201)]  # every signer once, times shuffled
    for n in numbers:
        store.sign(signature(n))

    exported = [s.signed_at for s in store.signatures(SLUG)]

    assert len(exported) == 1201
    assert exported == sorted(exported)
    store.close()


V1_SCHEMA = """
CREATE TABLE signatures (id INTEGER PRIMARY KEY, slug TEXT NOT NULL, email_key TEXT NOT NULL,
  name TEXT NOT NULL, email TEXT NOT NULL, signed_at TEXT NOT NULL,
  postcode TEXT NOT NULL DEFAULT '', country TEXT NOT NULL DEFAULT '',
  consent INTEGER NOT NULL DEFAULT 0, comment TEXT NOT NULL DEFAULT '', UNIQUE (slug, email_key));
CREATE TABLE counts (slug TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO signatures (slug, email_key, name, email, signed_at)
  VALUES ('save-the-park', 'k1', 'Ada', 'ada@example.org', '2024-06-01T02:35:51.000000Z');
INSERT INTO counts VALUES ('save-the-park', 1);
"""


def test_a_file_from_before_confirmation_is_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(V1_SCHEMA)
    conn.close()

    store = SqliteStore(path)
    (old,) = store.signatures("save-the-park")

    assert (old.state, old.confirmed_at) == ("confirmed", old.signed_at)
    assert store.tally("save-the-park") == Tally(count=1, pending=0)
    store.sign(signature(2))
    assert counted(store).tally("save-the-park").count == 2
    store.close()


V2_SCHEMA = """
CREATE TABLE signatures (id INTEGER PRIMARY KEY, slug TEXT NOT NULL, email_key TEXT NOT NULL,
  name TEXT NOT NULL, email TEXT NOT NULL, signed_at TEXT NOT NULL,
  postcode TEXT NOT NULL DEFAULT '', country TEXT NOT NULL DEFAULT '',
  consent INTEGER NOT NULL DEFAULT 0, comment TEXT NOT NULL DEFAULT '',
  sid TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT 'confirmed', confirmed_at TEXT,
  expires_at TEXT, mails INTEGER NOT NULL DEFAULT 0, mailed_at TEXT, UNIQUE (slug, email_key));
CREATE TABLE counts (slug TEXT PRIMARY KEY, n INTEGER NOT NULL,
  pending INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE milestones (slug TEXT NOT NULL, count INTEGER NOT NULL, reached_at TEXT NOT NULL,
  PRIMARY KEY (slug, count)) WITHOUT ROWID;
CREATE TABLE rate_hits (minute TEXT NOT NULL, key TEXT NOT NULL, hits INTEGER NOT NULL,
  PRIMARY KEY (minute, key)) WITHOUT ROWID;
INSERT INTO signatures (slug, email_key, name, email, signed_at, confirmed_at)
  VALUES ('save-the-park', 'k1', 'Ada', 'ada@example.org', '2024-06-01T02:35:51.000000Z',
          '2024-06-01T02:35:51.000000Z');
INSERT INTO signatures (slug, email_key, name, email, signed_at, state, sid, expires_at)
  VALUES ('save-the-park', 'k2', 'Bo', 'bo@example.org', '2024-06-01T02:36:00.000000Z',
          'pending', 'id2', '2999-01-01T00:00:00.000000Z');
INSERT INTO counts VALUES ('save-the-park', 1, 1);
INSERT INTO milestones VALUES ('save-the-park', 1, '2024-06-01T02:35:51.000000Z');
PRAGMA user_version = 2;
"""


def test_a_file_from_before_the_change_feed_keeps_its_counts_and_counts_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v2.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(V2_SCHEMA)

    store = SqliteStore(path, clock=Clock())
    reached = (Milestone(1, datetime(2024, 6, 1, 2, 35, 51, tzinfo=UTC)),)

    assert store.tally(SLUG) == Tally(count=1, milestones=reached, pending=1)
    assert store.feed() is None  # what was counted before is not counted again
    store.confirm(SLUG, "k2", "id2", START)
    store.sign(signature(3))
    assert counted(store, ladder(1, 3)).tally(SLUG) == Tally(
        count=3, milestones=(*reached, Milestone(3, START + timedelta(seconds=3)))
    )
    assert store.repair(SLUG) == (3, 3)
    store.close()


def test_the_feed_comes_in_order_and_in_batches_of_at_most_the_limit(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "signatures.db", clock=Clock())
    for n in range(5):
        store.sign(signature(n))
    source = source_of(store)

    first = source.read(limit=3)
    assert first is not None
    assert [c.at for c in first.changes] == [START + timedelta(seconds=n) for n in range(3)]
    assert source.read(limit=3) == first  # the same batch until it is applied
    counted(store)  # applies the rest
    assert store.feed() is None
    assert store.tally(SLUG).count == 5
    store.close()


def test_a_batch_overlapping_one_applied_before_counts_only_what_is_left(tmp_path: Path) -> None:
    # two counters (say serve's and a command's) read the feed at once, in batches of
    # different sizes; the smaller is applied first
    store = SqliteStore(tmp_path / "signatures.db", clock=Clock())
    other = SqliteStore(store.path, clock=Clock())
    for n in range(7):
        store.sign(signature(n))
    small, large = store.feed(limit=3), other.feed(limit=7)
    assert small is not None and large is not None

    Counter(NO_CONTENT, store).apply(small)
    Counter(NO_CONTENT, other).apply(large)

    assert counted(store).tally(SLUG).count == 7 == store.recount(SLUG)
    assert store.feed() is None
    other.close()
    store.close()


V3_SCHEMA = """
CREATE TABLE signatures (id INTEGER PRIMARY KEY, slug TEXT NOT NULL, email_key TEXT NOT NULL,
  name TEXT NOT NULL, email TEXT NOT NULL, signed_at TEXT NOT NULL,
  postcode TEXT NOT NULL DEFAULT '', country TEXT NOT NULL DEFAULT '',
  consent INTEGER NOT NULL DEFAULT 0, comment TEXT NOT NULL DEFAULT '',
  sid TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT 'confirmed', confirmed_at TEXT,
  expires_at TEXT, mails INTEGER NOT NULL DEFAULT 0, mailed_at TEXT, UNIQUE (slug, email_key));
CREATE TABLE counts (slug TEXT PRIMARY KEY, n INTEGER NOT NULL,
  pending INTEGER NOT NULL DEFAULT 0, updated TEXT) WITHOUT ROWID;
CREATE TABLE milestones (slug TEXT NOT NULL, count INTEGER NOT NULL, reached_at TEXT NOT NULL,
  PRIMARY KEY (slug, count)) WITHOUT ROWID;
CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, slug TEXT NOT NULL, before TEXT,
  after TEXT, at TEXT NOT NULL);
CREATE TABLE claims (slug TEXT NOT NULL, what TEXT NOT NULL, at TEXT NOT NULL,
  PRIMARY KEY (slug, what)) WITHOUT ROWID;
CREATE TABLE rate_hits (minute TEXT NOT NULL, key TEXT NOT NULL, hits INTEGER NOT NULL,
  PRIMARY KEY (minute, key)) WITHOUT ROWID;
INSERT INTO signatures (slug, email_key, name, email, signed_at, country, confirmed_at)
  VALUES ('save-the-park', 'k1', 'Ada', 'ada@example.org', '2024-06-01T02:35:51.000000Z', 'NZ',
          '2024-06-01T02:35:51.000000Z');
INSERT INTO changes (slug, before, after, at)
  VALUES ('save-the-park', NULL, 'confirmed', '2024-06-01T02:35:51.000000Z');
PRAGMA user_version = 3;
"""


def test_a_file_from_before_totals_by_place_counts_on_with_them(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(V3_SCHEMA)

    store = SqliteStore(path, clock=Clock())
    waiting = source_of(store).read()  # the change left on the old feed, without a place
    assert waiting is not None
    assert [(c.country, c.region) for c in waiting.changes] == [("", "")]
    store.sign(signature(2, postcode="6011", country="NZ", region="NZ-WGN"))
    tally = counted(store).tally(SLUG)

    assert tally.count == 2
    assert (dict(tally.by_country), dict(tally.by_region)) == ({"NZ": 1}, {"NZ-WGN": 1})
    assert [s.region for s in store.signatures(SLUG)] == ["", "NZ-WGN"]
    store.close()

"""The SQLite store beyond the contract: durability, atomicity and disk faults."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from generator.errors import StoreError
from generator.model import Milestone, Tally
from generator.store.sqlite import SqliteStore
from tests.store.helpers import START, Clock, signature

SLUG = "save-the-park"


def test_reopening_the_file_keeps_every_signature_count_and_milestone(tmp_path: Path) -> None:
    path = tmp_path / "data" / "signatures.db"
    first = SqliteStore(path, clock=Clock())
    for n in range(3):
        first.sign(signature(n))
    first.record_milestone(SLUG, 2, START)
    first.close()

    again = SqliteStore(path, clock=Clock())

    assert again.tally(SLUG) == Tally(count=3, milestones=(Milestone(2, START),))
    assert [s.email_key for s in again.signatures(SLUG)] == [
        signature(n).email_key for n in range(3)
    ]
    assert again.sign(signature(1)).added is False
    again.close()
    with closing(sqlite3.connect(path)) as check:  # readers never wait for a writer
        assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_failure_halfway_through_signing_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "signatures.db"
    store = SqliteStore(path, clock=Clock())
    store.sign(signature(1))
    with closing(sqlite3.connect(path)) as admin:  # the count update fails after the insert
        admin.execute(
            "CREATE TRIGGER fail BEFORE UPDATE ON counts"
            " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )

    with pytest.raises(StoreError, match="disk full") as err:
        store.sign(signature(2))

    assert "Signer 2" not in str(err.value)
    assert "signer2@example.org" not in str(err.value)
    assert store.tally(SLUG).count == 1
    assert len(list(store.signatures(SLUG))) == 1
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

    assert store.tally(SLUG).count == 4
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
    assert store.sign(signature(2)).tally.count == 2
    store.close()

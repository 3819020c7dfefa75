"""The store contract, continued: rekeying signatures from their addresses, anonymising a
petition's signers, and the newest signature's time. Same `store` fixture as
test_contract.py: SQLite, DynamoDB on moto and DynamoDB Local.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from generator.model import Milestone, Tally
from generator.store.base import PENDING, Rekeyed, Signature, Store
from generator.store.sqlite import SqliteStore
from tests.store.helpers import START, counted, ladder, signature

SLUG = "save-the-park"
LATER = datetime.now(UTC) + timedelta(days=30)  # after the real clock: DynamoDB Local's TTL


def pending_signature(number: int) -> Signature:
    """A signature waiting for its email to be confirmed."""
    return replace(signature(number), state=PENDING, id=f"id{number}", expires_at=LATER)


def _by_lowered_address(email: str) -> str:
    """A key rule that merges spellings of one address (as canonical mailboxes do)."""
    return f"{email.strip().lower().replace('+news', ''):>064}"[-64:]


def test_rekey_merges_spellings_of_one_mailbox_keeping_the_oldest(store: Store) -> None:
    store.sign(signature(1, email="Ada@Example.org"))
    store.sign(signature(2, email="bob@example.org"))
    store.sign(signature(3, email="ada+news@example.org"))  # the same mailbox, later
    store.sign(signature(4, email="ADA@EXAMPLE.ORG"))  # and again
    counted(store, ladder(3))
    reached = Milestone(3, START + timedelta(seconds=3))

    done = store.rekey(SLUG, _by_lowered_address)

    assert done == Rekeyed(changed=2, merged=2)
    counted(store, ladder(3))
    assert store.tally(SLUG) == Tally(count=2, milestones=(reached,))  # milestones stay
    kept = list(store.signatures(SLUG))
    assert [(s.name, s.email) for s in kept] == [
        ("Signer 1", "Ada@Example.org"),  # the oldest, with the address as typed
        ("Signer 2", "bob@example.org"),
    ]
    assert {s.email_key for s in kept} == {
        _by_lowered_address("Ada@Example.org"),
        _by_lowered_address("bob@example.org"),
    }
    assert store.recount(SLUG) == 2


def test_rekey_twice_changes_nothing_the_second_time(store: Store) -> None:
    store.sign(signature(1, email="Ada@Example.org"))
    store.sign(signature(2, email="ada@example.org"))
    store.rekey(SLUG, _by_lowered_address)

    assert store.rekey(SLUG, _by_lowered_address) == Rekeyed(changed=0, merged=0)
    assert counted(store).tally(SLUG).count == 1


def test_a_rekeyed_signer_signing_again_is_a_duplicate(store: Store) -> None:
    store.sign(signature(1, email="Ada@Example.org"))
    store.rekey(SLUG, _by_lowered_address)

    again = signature(5, email="ada@example.org")
    outcome = store.sign(replace(again, email_key=_by_lowered_address(again.email)))

    assert outcome.added is False
    assert counted(store).tally(SLUG).count == 1


def test_anonymise_removes_personal_fields_and_keeps_counts_and_countries(store: Store) -> None:
    store.sign(signature(1, postcode="6011", country="NZ", comment="Do it", consent=True))
    store.sign(signature(2))
    store.sign(signature(3, slug="other-petition"))
    counted(store, ladder(2))
    reached = Milestone(2, START + timedelta(seconds=2))

    assert store.anonymise(SLUG) == 2
    assert store.anonymise(SLUG) == 0  # nothing left to remove

    kept = list(store.signatures(SLUG))
    assert [(s.name, s.email, s.postcode, s.comment) for s in kept] == [("", "", "", "")] * 2
    assert [(s.country, s.consent, s.signed_at) for s in kept] == [
        ("NZ", True, START + timedelta(seconds=1)),
        ("", False, START + timedelta(seconds=2)),
    ]
    assert counted(store, ladder(2)).tally(SLUG) == Tally(count=2, milestones=(reached,))
    assert [s.name for s in store.signatures("other-petition")] == ["Signer 3"]


def test_rekeying_every_signer_counts_nothing_and_reaches_no_milestone(store: Store) -> None:
    for n in range(1, 6):
        store.sign(signature(n, email=f"Signer{n}@Example.org"))
    store.sign(pending_signature(6))
    content = ladder(6, 10)  # one short of the first milestone
    counted(store, content)

    done = store.rekey(SLUG, _by_lowered_address)  # a new key rule: every key changes

    assert done == Rekeyed(changed=6, merged=0)
    assert counted(store, content).tally(SLUG) == Tally(count=5, pending=1)
    assert store.recount(SLUG) == 5


def test_latest_signature_is_the_newest_signing_time(store: Store) -> None:
    assert store.latest_signature(SLUG) is None
    for number in (3, 1, 7, 2):
        store.sign(signature(number))

    assert store.latest_signature(SLUG) == START + timedelta(seconds=7)


def test_sqlite_forget_scrubs_the_bytes_not_just_the_row(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "signatures.db")
    marker = "distinctive.forgotten.person@example.org"
    store.sign(signature(1, email=marker))
    store.sign(signature(2))
    store.forget(signature(1).email_key, [SLUG])
    store.close()

    with sqlite3.connect(tmp_path / "signatures.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("signatures.db")]
    assert files
    assert not [p.name for p in files if marker.encode() in p.read_bytes()]

"""The store contract, continued: a signature's states. Pending ones wait for their email to
be confirmed; only confirmed ones count; a rejected or bounced one never counts again.
Same `store` fixture as test_contract.py: SQLite, DynamoDB on moto and DynamoDB Local."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from generator.model import Milestone, Tally
from generator.store.base import BOUNCED, CONFIRMED, PENDING, REJECTED, Signature, Store
from tests.store.helpers import START, counted, ladder, signature

SLUG = "save-the-park"


# Pending signatures' expiry lies after the real clock: DynamoDB Local's TTL deletes items
# whose `expires` has passed, whatever time the test's own clock says it is.
LATER = datetime.now(UTC) + timedelta(days=30)


def pending(number: int, **fields: object) -> Signature:
    """A pending signature with its own id, expiring 30 days from now."""
    made = signature(number, **fields)
    return replace(made, state=PENDING, id=f"id{number:030d}", confirmed_at=None, expires_at=LATER)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def test_a_pending_signature_waits_and_does_not_count(store: Store) -> None:
    outcome = store.sign(pending(1))

    assert outcome.added
    assert counted(store).tally(SLUG) == Tally(count=0, pending=1)
    assert store.recount(SLUG) == 0


def test_confirming_counts_it_once_from_the_confirmation(store: Store) -> None:
    store.sign(pending(1))
    counted(store)

    first = store.confirm(SLUG, pending(1).email_key, pending(1).id, at(60))
    assert counted(store).tally(SLUG) == Tally(count=1, pending=0)
    second = store.confirm(SLUG, pending(1).email_key, pending(1).id, at(90))

    assert (first.before, second.before) == (PENDING, CONFIRMED)
    assert counted(store).tally(SLUG) == Tally(count=1, pending=0)
    (stored,) = store.signatures(SLUG)
    assert (stored.state, stored.confirmed_at) == (CONFIRMED, at(60))
    assert store.recount(SLUG) == 1


def test_another_id_confirms_nothing(store: Store) -> None:
    store.sign(pending(1))

    change = store.confirm(SLUG, pending(1).email_key, "not-its-id", at(60))

    assert change.before is None
    assert counted(store).tally(SLUG) == Tally(count=0, pending=1)
    assert store.confirm(SLUG, pending(9).email_key, pending(9).id, at(60)).before is None


def test_a_duplicate_shows_the_stored_signature(store: Store) -> None:
    store.sign(pending(1))

    again = store.sign(replace(pending(1), id="another-id", name="Someone Else"))

    assert not again.added
    assert again.existing is not None
    assert (again.existing.state, again.existing.id, again.existing.name) == (
        PENDING,
        pending(1).id,
        "Signer 1",
    )
    assert counted(store).tally(SLUG) == Tally(count=0, pending=1)


def test_rejecting_uncounts_a_confirmed_signature_and_stays_rejected(store: Store) -> None:
    store.sign(pending(1))
    store.sign(pending(2))
    store.confirm(SLUG, pending(1).email_key, pending(1).id, at(60))

    assert store.reject(SLUG, pending(1).email_key, pending(1).id, at(70)).before == CONFIRMED
    assert store.reject(SLUG, pending(2).email_key, pending(2).id, at(70)).before == PENDING
    assert store.confirm(SLUG, pending(1).email_key, pending(1).id, at(80)).before == REJECTED

    assert counted(store).tally(SLUG) == Tally(count=0, pending=0)
    assert {s.state for s in store.signatures(SLUG)} == {REJECTED}


def test_a_bounce_marks_a_pending_signature_only(store: Store) -> None:
    store.sign(pending(1))
    store.sign(pending(2))
    store.confirm(SLUG, pending(2).email_key, pending(2).id, at(60))

    assert store.bounce(SLUG, pending(1).email_key).before == PENDING
    assert store.bounce(SLUG, pending(2).email_key).before == CONFIRMED  # left counted
    assert store.bounce(SLUG, pending(9).email_key).before is None  # never signed

    assert counted(store).tally(SLUG) == Tally(count=1, pending=0)
    assert [s.state for s in store.signatures(SLUG)] == [BOUNCED, CONFIRMED]


def test_export_picks_states(store: Store) -> None:
    store.sign(pending(1))
    store.sign(pending(2))
    store.sign(pending(3))
    store.confirm(SLUG, pending(2).email_key, pending(2).id, at(60))
    store.reject(SLUG, pending(3).email_key, pending(3).id, at(60))

    assert [s.name for s in store.signatures(SLUG, [CONFIRMED])] == ["Signer 2"]
    assert [s.name for s in store.signatures(SLUG, [PENDING, REJECTED])] == ["Signer 1", "Signer 3"]
    assert len(list(store.signatures(SLUG))) == 3


def test_a_mail_is_noted_once_however_many_race_for_it(store: Store) -> None:
    store.sign(pending(1))
    key = pending(1).email_key

    assert store.note_mail(SLUG, key, None, at(10))
    assert not store.note_mail(SLUG, key, None, at(11))  # lost the race: someone mailed
    assert store.note_mail(SLUG, key, at(10), at(700))

    (stored,) = store.signatures(SLUG)
    assert (stored.mails, stored.mailed_at) == (2, at(700))


def test_expired_pending_signatures_are_purged_with_their_counts(store: Store) -> None:
    store.sign(pending(1))  # expires LATER
    store.sign(pending(2, slug="fix-the-bridge"))
    store.sign(replace(pending(3), expires_at=LATER + timedelta(days=1)))
    store.sign(pending(4))
    store.confirm(SLUG, pending(4).email_key, pending(4).id, at(60))

    assert store.purge_expired(LATER + timedelta(seconds=5)) == 2

    counted(store)
    assert store.tally(SLUG) == Tally(count=1, pending=1)
    assert store.tally("fix-the-bridge") == Tally(count=0, pending=0)
    assert [s.name for s in store.signatures(SLUG)] == ["Signer 3", "Signer 4"]


def test_forgetting_lowers_whichever_counter_the_signature_was_in(store: Store) -> None:
    store.sign(pending(1))
    store.sign(pending(2))
    store.confirm(SLUG, pending(2).email_key, pending(2).id, at(60))

    assert store.forget(pending(1).email_key, [SLUG]) == [SLUG]
    assert store.forget(pending(2).email_key, [SLUG]) == [SLUG]

    assert counted(store).tally(SLUG) == Tally(count=0, pending=0)


def test_confirmation_off_signatures_count_from_their_signing(store: Store) -> None:
    assert store.sign(signature(1)).added

    assert counted(store).tally(SLUG) == Tally(count=1)
    (stored,) = store.signatures(SLUG)
    assert (stored.state, stored.confirmed_at) == (CONFIRMED, stored.signed_at)


def test_a_milestone_is_reached_at_the_confirmation_that_reached_it(store: Store) -> None:
    content = ladder(2)
    for n in (1, 2, 3):
        store.sign(pending(n))
    counted(store, content)  # pending signatures reach no milestone
    store.confirm(SLUG, pending(2).email_key, pending(2).id, at(60))
    store.confirm(SLUG, pending(3).email_key, pending(3).id, at(65))  # the second: 2 reached
    store.reject(SLUG, pending(2).email_key, pending(2).id, at(70))  # down to 1 ...
    store.confirm(SLUG, pending(1).email_key, pending(1).id, at(80))  # ... and 2 again

    counted(store, content)  # all in one batch

    assert store.tally(SLUG) == Tally(count=2, milestones=(Milestone(2, at(65)),))


def test_a_rejection_never_takes_a_milestone_back(store: Store) -> None:
    content = ladder(1)
    store.sign(pending(1))
    store.confirm(SLUG, pending(1).email_key, pending(1).id, at(60))
    counted(store, content)

    store.reject(SLUG, pending(1).email_key, pending(1).id, at(70))

    assert counted(store, content).tally(SLUG) == Tally(milestones=(Milestone(1, at(60)),))

"""The store contract, continued: the change feed and the counts it moves. Every write that
changes what counts (sign, confirm, reject, bounce, forget, purge, rekey) reaches the feed;
a batch is applied once, all of it or nothing; counts are read by key; claims ration work.
Same `store` fixture as test_contract.py: SQLite, DynamoDB on moto and DynamoDB Local."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from generator.counting.aggregate import aggregate
from generator.counting.counter import Counter
from generator.model import Milestone, Tally
from generator.store.base import PENDING, CountsMoved, CountUpdate, Signature, Store
from tests.store.helpers import START, Clock, counted, ladder, second_client, signature, skew
from tests.support.counting import source_of

SLUG, OTHER = "save-the-park", "fix-the-bridge"
LATER = datetime.now(UTC) + timedelta(days=30)  # after the real clock: DynamoDB Local's TTL


def pending(number: int, **fields: object) -> Signature:
    """A pending signature with its own id, expiring 30 days from now."""
    made = signature(number, **fields)
    return replace(made, state=PENDING, id=f"id{number:030d}", confirmed_at=None, expires_at=LATER)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def test_a_batch_is_applied_once_however_often_it_comes(store: Store) -> None:
    content = ladder(2)
    for n in (1, 2, 3):
        store.sign(signature(n))
    feed = source_of(store).read()
    assert feed is not None
    counter = Counter(content, store)

    first = counter.apply(feed)
    again = counter.apply(feed)  # delivered again (a retried Lambda batch, a restart)

    expected = Tally(count=3, milestones=(Milestone(2, at(2)),))
    assert [(u.slug, u.counted, u.reached) for u in first] == [(SLUG, 3, (Milestone(2, at(2)),))]
    assert again == []
    assert store.apply_counts(feed.batch, first) is False  # the same updates, the same batch
    assert store.tally(SLUG) == expected
    source_of(store).done(feed)
    assert counted(store, content).tally(SLUG) == expected


def test_a_batch_worked_out_from_stale_counts_is_refused_whole(store: Store) -> None:
    store.sign(signature(1))
    store.sign(signature(2, slug=OTHER))
    feed = source_of(store).read()
    assert feed is not None
    stale = {SLUG: Tally(count=5)}  # OTHER's (nothing) is right; SLUG's is not

    with pytest.raises(CountsMoved):
        store.apply_counts(feed.batch, aggregate(feed.changes, stale, {}))

    assert store.counts([SLUG, OTHER]) == {SLUG: Tally(), OTHER: Tally()}  # nothing applied
    assert Counter(ladder(1), store).apply(feed) != []  # and the batch is not marked applied
    source_of(store).done(feed)
    assert store.counts([SLUG, OTHER]) == {
        SLUG: Tally(count=1, milestones=(Milestone(1, at(1)),)),
        OTHER: Tally(count=1),
    }


def test_counts_that_moved_since_they_were_read_refuse_the_batch(store: Store) -> None:
    store.sign(signature(1))
    counted(store)
    store.sign(signature(2))
    feed = source_of(store).read()
    assert feed is not None
    updates = aggregate(feed.changes, store.counts([SLUG]), {})
    skew(store, SLUG, 3)  # another writer moved the count after it was read

    with pytest.raises(CountsMoved):
        store.apply_counts(feed.batch, updates)

    assert store.tally(SLUG).count == 4
    assert counted(store).tally(SLUG).count == 5  # the counter reads again and applies it


def test_an_update_that_changes_nothing_applies_nothing(store: Store) -> None:
    store.sign(signature(1))
    counted(store)
    store.sign(pending(2))
    feed = source_of(store).read()
    assert feed is not None

    assert store.apply_counts(feed.batch, [CountUpdate(SLUG, Tally(count=1), 0, 1)]) is True

    assert store.tally(SLUG) == Tally(count=1, pending=1)


def test_counts_answer_every_slug_asked_even_unknown_ones(store: Store) -> None:
    slugs = [f"petition-{n:03d}" for n in range(5)]
    for n, slug in enumerate(slugs):
        for signer in range(n):
            store.sign(signature(signer, slug=slug))
    counted(store)

    found = store.counts(["unknown", *reversed(slugs), "unknown"])

    assert found == {"unknown": Tally(), **{slug: Tally(count=n) for n, slug in enumerate(slugs)}}
    assert found == store.counts(iter(["unknown", *slugs]))  # any iterable
    assert store.tally(slugs[3]) == Tally(count=3)


def test_a_claim_is_granted_once_per_interval_across_store_objects(store: Store) -> None:
    other = second_client(store)  # another process
    second = timedelta(seconds=1)

    assert store.claim(SLUG, "count-file", at(0), second) is True
    assert other.claim(SLUG, "count-file", at(0), second) is False
    assert other.claim(SLUG, "count-file", at(0.5), second) is False
    assert store.claim(SLUG, "count-file", at(0.999), second) is False
    assert other.claim(SLUG, "count-file", at(1), second) is True
    assert store.claim(SLUG, "count-file", at(1.5), second) is False
    assert store.claim(SLUG, "pages", at(1.5), timedelta(minutes=1)) is True  # another job
    assert other.claim(OTHER, "count-file", at(1.5), second) is True  # another petition
    assert store.claim(SLUG, "count-file", at(2), second) is True
    other.close()


def test_a_claim_leaves_the_counts_alone(store: Store) -> None:
    store.sign(signature(1))
    assert store.claim(SLUG, "count-file", at(0), timedelta(seconds=1))
    assert store.claim("never-signed", "count-file", at(0), timedelta(seconds=1))

    assert counted(store).tally(SLUG) == Tally(count=1)
    assert store.claim(SLUG, "count-file", at(5), timedelta(seconds=1))
    assert store.counts([SLUG, "never-signed"]) == {SLUG: Tally(count=1), "never-signed": Tally()}
    assert store.tallies() == {SLUG: Tally(count=1)}


def _lived(store: Store, then: Callable[[], object]) -> None:
    """Signatures going through every change of state that moves a count; `then` after
    each write."""
    writes: list[Callable[[], object]] = [
        lambda: store.sign(signature(1)),  # confirmed at once (confirmation off)
        lambda: store.sign(signature(2)),
        *[lambda n=n: store.sign(pending(n)) for n in range(3, 11)],
        lambda: store.sign(signature(11, email="Ada@Example.org")),
        lambda: store.sign(signature(12, email="ada@example.org")),  # one mailbox: merged
        lambda: store.confirm(SLUG, pending(3).email_key, pending(3).id, at(60)),
        lambda: store.confirm(SLUG, pending(4).email_key, pending(4).id, at(61)),
        lambda: store.confirm(SLUG, pending(5).email_key, pending(5).id, at(62)),
        lambda: store.confirm(SLUG, pending(5).email_key, pending(5).id, at(63)),  # once
        lambda: store.reject(SLUG, pending(4).email_key, pending(4).id, at(64)),  # confirmed
        lambda: store.reject(SLUG, pending(6).email_key, pending(6).id, at(65)),  # pending
        lambda: store.bounce(SLUG, pending(7).email_key),
        lambda: store.bounce(SLUG, pending(3).email_key),  # confirmed: stays counted
        lambda: store.forget(signature(2).email_key, [SLUG]),
        lambda: store.forget(pending(8).email_key, [SLUG]),
        lambda: store.sign(replace(pending(9), expires_at=at(30))),  # a duplicate: no change
        lambda: store.sign(replace(pending(13), expires_at=LATER - timedelta(days=1))),
        lambda: store.purge_expired(LATER - timedelta(hours=1)),
        lambda: store.rekey(SLUG, lambda email: f"{email.lower():>064}"[-64:]),
    ]
    for write in writes:
        write()
        then()


@pytest.mark.parametrize("how", ["once at the end", "after every change"])
def test_every_change_reaches_the_feed_so_the_count_equals_the_recount(
    store: Store, how: str
) -> None:
    _lived(store, then=(lambda: None) if how == "once at the end" else lambda: counted(store))

    tally = counted(store).tally(SLUG)

    states = [s.state for s in store.signatures(SLUG)]
    # counted: 1, 3 and 5 confirmed, and one of 11/12; pending: 9 and 10
    assert (tally.count, tally.pending) == (4, 2)
    assert (states.count("confirmed"), states.count("pending")) == (4, 2)
    assert store.recount(SLUG) == 4
    assert store.repair(SLUG) == (4, 4)  # nothing to repair
    assert counted(store).tally(SLUG) == Tally(count=4, pending=2)


def test_stale_names_the_petitions_whose_counts_moved_since_their_claim(
    store: Store, clock: Clock
) -> None:
    every = timedelta(seconds=1)
    assert store.stale([SLUG, OTHER], "count-file") == []  # nothing counted yet
    store.sign(signature(1))
    store.sign(signature(2, slug=OTHER))
    counted(store)

    assert store.stale([OTHER, SLUG, "never-signed"], "count-file") == [OTHER, SLUG]
    assert store.claim(SLUG, "count-file", clock(), every)
    assert store.stale([SLUG, OTHER], "count-file") == [OTHER]  # SLUG's file was written
    assert store.stale([SLUG, OTHER], "pages") == [SLUG, OTHER]  # each job has its own claim

    clock.advance(2)
    store.sign(signature(3))
    assert store.stale([SLUG], "count-file") == []  # signed, not yet counted
    counted(store)
    assert store.stale([SLUG], "count-file") == [SLUG]
    assert store.claim(SLUG, "count-file", clock(), every)
    assert store.stale([SLUG], "count-file") == []


def test_a_repair_that_moves_a_count_makes_it_stale(store: Store, clock: Clock) -> None:
    store.sign(signature(1))
    counted(store)
    clock.advance(2)
    assert store.claim(SLUG, "count-file", clock(), timedelta(seconds=1))
    assert store.repair(SLUG) == (1, 1)
    assert store.stale([SLUG], "count-file") == []  # a repair with nothing to do moves nothing

    clock.advance(2)
    skew(store, SLUG, 3)
    assert store.claim(SLUG, "count-file", clock(), timedelta(seconds=1))  # showing 4
    clock.advance(2)
    assert store.repair(SLUG) == (4, 1)

    assert store.stale([SLUG], "count-file") == [SLUG]  # the file shows 4: write it again

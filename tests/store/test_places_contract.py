"""The store contract, continued: totals by country and region. The change feed carries each
signature's country and region; the counter moves the petition's totals by place with its
count, under the same once-only guarantee; only counted (confirmed) signatures are in them,
and whatever uncounts a signature (reject, forget, a rekey's merge) takes it off. Same `store`
fixture as test_contract.py: SQLite, DynamoDB on moto and DynamoDB Local."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from generator.counting.counter import Counter
from generator.model import Tally
from generator.store.base import PENDING, Signature, Store
from tests.store.helpers import START, counted, ladder, signature
from tests.support.counting import source_of

SLUG, OTHER = "save-the-park", "fix-the-bridge"
LATER = datetime.now(UTC) + timedelta(days=30)  # after the real clock: DynamoDB Local's TTL


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def wellington(number: int, **fields: object) -> Signature:
    """A signer from Wellington, confirmed (confirmation off)."""
    return signature(number, postcode="6011", country="NZ", region="NZ-WGN", **fields)


def pending(made: Signature) -> Signature:
    """The same signer waiting for their email to be confirmed."""
    number = int(made.email_key, 16)
    return replace(made, state=PENDING, id=f"id{number:030d}", confirmed_at=None, expires_at=LATER)


def places(tally: Tally) -> tuple[dict[str, int], dict[str, int]]:
    return dict(tally.by_country), dict(tally.by_region)


def test_the_feed_carries_each_signatures_country_and_region(store: Store) -> None:
    store.sign(wellington(1))
    store.sign(signature(2, country="AU"))
    store.sign(signature(3))

    feed = source_of(store).read()

    assert feed is not None
    assert [(c.country, c.region) for c in feed.changes] == [("NZ", "NZ-WGN"), ("AU", ""), ("", "")]
    source_of(store).done(feed)


def test_confirmed_signatures_are_totalled_by_place_and_pending_ones_are_not(store: Store) -> None:
    for n in range(1, 6):
        store.sign(wellington(n))
    store.sign(signature(6, postcode="1010", country="NZ", region="NZ-AUK"))
    store.sign(signature(7, country="AU"))
    store.sign(signature(8))  # no country given
    store.sign(pending(wellington(9)))

    tally = counted(store).tally(SLUG)

    assert (tally.count, tally.pending) == (8, 1)
    assert places(tally) == ({"AU": 1, "NZ": 6}, {"NZ-AUK": 1, "NZ-WGN": 5})
    assert places(store.counts([SLUG, OTHER])[SLUG]) == places(tally)  # read by key, too
    assert places(store.counts([OTHER])[OTHER]) == ({}, {})


def test_a_confirmation_adds_the_place_and_reject_and_forget_take_it_off(store: Store) -> None:
    waiting = pending(wellington(1))
    store.sign(waiting)
    store.sign(wellington(2))
    store.sign(signature(3, country="AU"))
    counted(store)

    store.confirm(SLUG, waiting.email_key, waiting.id, at(60))
    assert places(counted(store).tally(SLUG)) == ({"AU": 1, "NZ": 2}, {"NZ-WGN": 2})

    store.reject(SLUG, waiting.email_key, waiting.id, at(61))  # "this wasn't me"
    store.forget(signature(3).email_key, [SLUG])
    tally = counted(store).tally(SLUG)

    assert tally.count == 1
    assert places(tally) == ({"NZ": 1}, {"NZ-WGN": 1})  # AU came to nothing and is left out


def test_a_batch_applied_twice_moves_the_places_once(store: Store) -> None:
    for n in range(1, 4):
        store.sign(wellington(n))
    feed = source_of(store).read()
    assert feed is not None
    counter = Counter(ladder(2), store)

    assert counter.apply(feed) != []
    assert counter.apply(feed) == []  # delivered again: the batch's marker refuses it
    source_of(store).done(feed)

    assert places(counted(store).tally(SLUG)) == ({"NZ": 3}, {"NZ-WGN": 3})


def test_anonymising_keeps_the_place_so_forgetting_later_still_takes_it_off(store: Store) -> None:
    store.sign(wellington(1))
    store.sign(wellington(2))
    counted(store)

    assert store.anonymise(SLUG) == 2
    kept = list(store.signatures(SLUG))
    assert [(s.postcode, s.country, s.region) for s in kept] == [("", "NZ", "NZ-WGN")] * 2
    store.forget(signature(1).email_key, [SLUG])

    assert places(counted(store).tally(SLUG)) == ({"NZ": 1}, {"NZ-WGN": 1})


def test_a_rekeys_merged_duplicate_takes_its_place_off(store: Store) -> None:
    store.sign(wellington(1, email="Ada@Example.org"))
    store.sign(signature(2, email="ada@example.org", country="AU"))  # the same mailbox
    counted(store)

    store.rekey(SLUG, lambda email: f"{email.lower():>064}"[-64:])
    tally = counted(store).tally(SLUG)

    assert tally.count == 1
    assert places(tally) == ({"NZ": 1}, {"NZ-WGN": 1})  # the oldest kept; its place too

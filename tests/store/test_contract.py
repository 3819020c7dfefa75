"""The store contract: every implementation (SQLite, DynamoDB on moto, DynamoDB Local) passes it."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from generator.errors import RateLimited
from generator.model import Milestone, Tally
from generator.store.base import RateLimit, Store
from tests.store.helpers import START, Clock, signature

SLUG = "save-the-park"


def test_each_new_signature_adds_one_to_the_count(store: Store) -> None:
    outcomes = [store.sign(signature(n)) for n in range(3)]

    assert [o.added for o in outcomes] == [True, True, True]
    assert [o.tally.count for o in outcomes] == [1, 2, 3]
    assert store.tally(SLUG) == Tally(count=3)


def test_a_second_signature_by_the_same_signer_is_not_counted(store: Store) -> None:
    store.sign(signature(1))
    again = store.sign(signature(1, name="Someone Else", at=START + timedelta(hours=1)))

    assert again.added is False
    assert again.tally.count == 1
    assert store.tally(SLUG).count == 1
    assert [s.name for s in store.signatures(SLUG)] == ["Signer 1"]


def test_the_same_signer_counts_once_on_each_petition(store: Store) -> None:
    store.sign(signature(1))
    other = store.sign(signature(1, slug="fix-the-bridge"))

    assert other.added is True
    assert other.tally.count == 1
    assert store.tally(SLUG).count == 1


def test_an_unknown_petition_has_an_empty_tally(store: Store) -> None:
    assert store.tally("never-signed") == Tally()


def test_the_tally_after_signing_includes_recorded_milestones(store: Store) -> None:
    store.sign(signature(1))
    assert store.record_milestone(SLUG, 1, START + timedelta(seconds=1)) is True

    outcome = store.sign(signature(2))

    assert outcome.tally == Tally(count=2, milestones=(Milestone(1, START + timedelta(seconds=1)),))


def test_only_the_first_record_of_a_milestone_wins_and_its_time_never_moves(store: Store) -> None:
    first = START + timedelta(minutes=5)

    assert store.record_milestone(SLUG, 100, first) is True
    assert store.record_milestone(SLUG, 100, first + timedelta(minutes=1)) is False
    assert store.record_milestone(SLUG, 100, first - timedelta(minutes=1)) is False
    assert store.record_milestone(SLUG, 200, first + timedelta(minutes=2)) is True

    assert store.tally(SLUG).milestones == (
        Milestone(100, first),
        Milestone(200, first + timedelta(minutes=2)),
    )


def test_tallies_cover_every_petition_with_anything_stored(store: Store) -> None:
    assert store.tallies() == {}
    store.sign(signature(1))
    store.sign(signature(2))
    store.sign(signature(1, slug="fix-the-bridge"))
    store.record_milestone("plant-trees", 10, START)  # milestones only (say, from an import)

    assert store.tallies() == {
        SLUG: Tally(count=2),
        "fix-the-bridge": Tally(count=1),
        "plant-trees": Tally(count=0, milestones=(Milestone(10, START),)),
    }


def test_signatures_come_back_oldest_first_with_every_field(store: Store) -> None:
    late = signature(1, at=START + timedelta(minutes=3), postcode="6011", country="NZ")
    early = signature(2, at=START + timedelta(minutes=1), consent=True, comment="Yes!")
    middle = signature(3, at=START + timedelta(minutes=2))
    for s in (late, early, middle):
        store.sign(s)
    store.sign(signature(4, slug="fix-the-bridge"))

    exported = list(store.signatures(SLUG))

    assert exported == [early, middle, late]
    assert [(s.name, s.email, s.postcode, s.country, s.consent, s.comment) for s in exported] == [
        ("Signer 2", "signer2@example.org", "", "", True, "Yes!"),
        ("Signer 3", "signer3@example.org", "", "", False, ""),
        ("Signer 1", "signer1@example.org", "6011", "NZ", False, ""),
    ]


def test_times_come_back_as_the_same_instant_in_utc(store: Store) -> None:
    wellington = timezone(timedelta(hours=12))
    signed = START.astimezone(wellington)
    store.sign(signature(1, at=signed))
    store.record_milestone(SLUG, 1, signed)

    (exported,) = store.signatures(SLUG)
    (milestone,) = store.tally(SLUG).milestones

    for moment in (exported.signed_at, milestone.reached_at):
        assert moment == signed
        assert moment.utcoffset() == timedelta(0)
        assert moment.tzinfo is not None


def test_a_client_over_its_limit_is_refused_until_the_next_minute(
    store: Store, clock: Clock
) -> None:
    rate = RateLimit(key="client-a", limit=3)
    for n in range(3):
        assert store.sign(signature(n), rate).added

    with pytest.raises(RateLimited) as refused:
        store.sign(signature(3), rate)

    assert 1 <= refused.value.retry_after <= 60
    assert refused.value.retry_after == 50  # the clock stands at hh:mm:10
    assert store.tally(SLUG).count == 3
    assert [s.email_key for s in store.signatures(SLUG)] == [
        signature(n).email_key for n in range(3)
    ]

    assert store.sign(signature(4), RateLimit(key="client-b", limit=3)).added  # others unaffected
    clock.advance(50)  # the next calendar minute
    assert store.sign(signature(3), rate).added
    assert store.tally(SLUG).count == 5


def test_a_duplicate_does_not_use_up_the_clients_allowance(store: Store) -> None:
    rate = RateLimit(key="client-a", limit=2)
    store.sign(signature(1), rate)
    assert store.sign(signature(1), rate).added is False

    assert store.sign(signature(2), rate).added is True
    with pytest.raises(RateLimited):
        store.sign(signature(3), rate)


def test_init_again_keeps_everything(store: Store) -> None:
    store.sign(signature(1))
    store.record_milestone(SLUG, 1, START)

    store.init()

    assert store.tally(SLUG) == Tally(count=1, milestones=(Milestone(1, START),))
    assert len(list(store.signatures(SLUG))) == 1


def test_a_naive_time_is_refused_rather_than_guessed(store: Store) -> None:
    with pytest.raises(ValueError, match="aware"):
        store.sign(signature(1, at=START.replace(tzinfo=None)))
    assert store.tally(SLUG).count == 0

"""The store contract: every implementation (SQLite, DynamoDB on moto, DynamoDB Local) passes it.

A signature is one write; the count follows from the store's change feed once the counter
has applied it (`counted`), as it does in production from the table's stream.
"""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from generator.errors import RateLimited
from generator.model import Milestone, Tally
from generator.store.base import RateLimit, Store
from tests.store.helpers import START, Clock, counted, ladder, signature

SLUG = "save-the-park"


def test_each_new_signature_adds_one_to_the_count_once_counted(store: Store) -> None:
    outcomes = [store.sign(signature(n)) for n in range(3)]

    assert [o.added for o in outcomes] == [True, True, True]
    assert store.tally(SLUG) == Tally()  # signing writes the signature only
    assert counted(store).tally(SLUG) == Tally(count=3)
    assert counted(store).tally(SLUG) == Tally(count=3)  # counting again adds nothing


def test_a_second_signature_by_the_same_signer_is_not_counted(store: Store) -> None:
    store.sign(signature(1))
    again = store.sign(signature(1, name="Someone Else", at=START + timedelta(hours=1)))

    assert again.added is False
    assert again.existing is not None
    assert again.existing.name == "Signer 1"
    assert counted(store).tally(SLUG).count == 1
    assert [s.name for s in store.signatures(SLUG)] == ["Signer 1"]


def test_the_same_signer_counts_once_on_each_petition(store: Store) -> None:
    store.sign(signature(1))
    other = store.sign(signature(1, slug="fix-the-bridge"))

    assert other.added is True
    counted(store)
    assert store.tally("fix-the-bridge").count == 1
    assert store.tally(SLUG).count == 1


def test_an_unknown_petition_has_an_empty_tally(store: Store) -> None:
    assert store.tally("never-signed") == Tally()


def test_a_milestone_is_recorded_at_the_time_of_the_signature_that_reached_it(
    store: Store,
) -> None:
    content = ladder(2, 4, 100)
    for n in range(1, 4):
        store.sign(signature(n))
    counted(store, content)
    store.sign(signature(4))

    counted(store, content)

    assert store.tally(SLUG) == Tally(
        count=4,
        milestones=(
            Milestone(2, START + timedelta(seconds=2)),
            Milestone(4, START + timedelta(seconds=4)),
        ),
    )


def test_a_milestone_is_recorded_once_and_its_time_never_moves(store: Store) -> None:
    content = ladder(2)
    store.sign(signature(1))
    store.sign(signature(2))
    counted(store, content)
    reached = (Milestone(2, START + timedelta(seconds=2)),)

    store.forget(signature(2).email_key, [SLUG])  # below the milestone again ...
    counted(store, content)
    store.sign(signature(3))  # ... and back above it, later
    counted(store, content)
    counted(store, content)

    assert store.tally(SLUG) == Tally(count=2, milestones=reached)


def test_only_the_petitions_ladder_makes_milestones(store: Store) -> None:
    for n in range(1, 13):
        store.sign(signature(n))
        store.sign(signature(n, slug="not-in-the-content"))

    counted(store, ladder(5, 12))

    assert store.tally(SLUG).milestones == (
        Milestone(5, START + timedelta(seconds=5)),
        Milestone(12, START + timedelta(seconds=12)),
    )
    assert store.tally("not-in-the-content") == Tally(count=12)  # counted, no milestones


def test_tallies_cover_every_petition_with_anything_stored(store: Store) -> None:
    assert store.tallies() == {}
    store.sign(signature(1))
    store.sign(signature(2))
    store.sign(signature(1, slug="fix-the-bridge"))
    store.sign(signature(3, slug="plant-trees"))
    content = ladder(1, slugs=("plant-trees",))
    counted(store, content)
    store.forget(signature(3).email_key, ["plant-trees"])  # its milestone stays
    counted(store, content)

    assert store.tallies() == {
        SLUG: Tally(count=2),
        "fix-the-bridge": Tally(count=1),
        "plant-trees": Tally(count=0, milestones=(Milestone(1, START + timedelta(seconds=3)),)),
    }


def test_counts_are_read_by_key_for_exactly_the_petitions_asked(store: Store) -> None:
    store.sign(signature(1))
    store.sign(signature(2))
    store.sign(signature(1, slug="fix-the-bridge"))
    counted(store, ladder(2))

    found = store.counts([SLUG, "never-signed", SLUG])

    assert found == {
        SLUG: Tally(count=2, milestones=(Milestone(2, START + timedelta(seconds=2)),)),
        "never-signed": Tally(),
    }
    assert list(found) == [SLUG, "never-signed"]
    assert store.counts([]) == {}
    assert found[SLUG].updated is not None  # when the counter last moved it


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
    counted(store, ladder(1))

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
    assert counted(store).tally(SLUG).count == 3
    assert [s.email_key for s in store.signatures(SLUG)] == [
        signature(n).email_key for n in range(3)
    ]

    assert store.sign(signature(4), RateLimit(key="client-b", limit=3)).added  # others unaffected
    clock.advance(50)  # the next calendar minute
    assert store.sign(signature(3), rate).added
    assert counted(store).tally(SLUG).count == 5


def test_a_duplicate_does_not_use_up_the_clients_allowance(store: Store) -> None:
    rate = RateLimit(key="client-a", limit=2)
    store.sign(signature(1), rate)
    again = store.sign(signature(1), rate)
    assert again.added is False
    assert again.existing == signature(1)

    assert store.sign(signature(2), rate).added is True
    with pytest.raises(RateLimited):
        store.sign(signature(3), rate)


def test_init_again_keeps_everything(store: Store) -> None:
    store.sign(signature(1))
    counted(store, ladder(1))
    store.sign(signature(2))  # on the feed, not yet counted

    store.init()

    assert counted(store, ladder(1)).tally(SLUG) == Tally(
        count=2, milestones=(Milestone(1, START + timedelta(seconds=1)),)
    )
    assert len(list(store.signatures(SLUG))) == 2


def test_a_naive_time_is_refused_rather_than_guessed(store: Store) -> None:
    with pytest.raises(ValueError, match="aware"):
        store.sign(signature(1, at=START.replace(tzinfo=None)))
    assert counted(store).tally(SLUG).count == 0

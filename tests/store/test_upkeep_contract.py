"""The store contract, continued: forgetting a signer, recounting and repairing a counter.

Same `store` fixture as test_contract.py: SQLite, DynamoDB on moto and DynamoDB Local.
"""

from __future__ import annotations

from datetime import timedelta

from generator.model import Milestone, Tally
from generator.store.base import Store
from tests.store.helpers import START, counted, drop_count, ladder, signature, skew

SLUG = "save-the-park"
OTHER = "fix-the-bridge"


def test_forget_removes_a_signer_everywhere_listed_and_lowers_each_count(store: Store) -> None:
    for slug in (SLUG, OTHER):
        store.sign(signature(1, slug=slug))
        store.sign(signature(2, slug=slug))
    store.sign(signature(1, slug="plant-trees"))
    counted(store)

    removed = store.forget(signature(1).email_key, [SLUG, "never-signed", OTHER])

    assert removed == [SLUG, OTHER]
    counted(store)
    assert store.tally(SLUG).count == 1
    assert store.tally(OTHER).count == 1
    assert [s.name for s in store.signatures(SLUG)] == ["Signer 2"]
    assert [s.name for s in store.signatures(OTHER)] == ["Signer 2"]
    assert store.tally("plant-trees").count == 1  # not listed, so kept


def test_forget_never_moves_a_recorded_milestone(store: Store) -> None:
    store.sign(signature(1))
    store.sign(signature(2))
    counted(store, ladder(2))
    reached = Milestone(2, START + timedelta(seconds=2))

    store.forget(signature(2).email_key, [SLUG])

    assert counted(store, ladder(2)).tally(SLUG) == Tally(count=1, milestones=(reached,))


def test_forgetting_someone_who_never_signed_changes_nothing(store: Store) -> None:
    store.sign(signature(1))

    assert store.forget(signature(9).email_key, [SLUG]) == []
    assert store.forget(signature(1).email_key, []) == []
    assert counted(store).tally(SLUG).count == 1
    assert store.recount(SLUG) == 1


def test_forgetting_twice_lowers_the_count_once(store: Store) -> None:
    store.sign(signature(1))
    store.sign(signature(2))
    counted(store)

    assert store.forget(signature(1).email_key, [SLUG, SLUG]) == [SLUG]
    assert store.forget(signature(1).email_key, [SLUG]) == []
    assert counted(store).tally(SLUG).count == 1


def test_forgetting_before_the_signature_was_counted_counts_nothing(store: Store) -> None:
    store.sign(signature(1))
    store.sign(signature(2))

    store.forget(signature(1).email_key, [SLUG])  # signed and forgotten in one batch

    assert counted(store).tally(SLUG).count == 1


def test_a_forgotten_signer_may_sign_again_and_counts_once(store: Store) -> None:
    store.sign(signature(1))
    counted(store)
    store.forget(signature(1).email_key, [SLUG])

    again = store.sign(signature(1, at=START + timedelta(hours=1)))

    assert again.added is True
    assert counted(store).tally(SLUG).count == 1


def test_recount_counts_the_stored_signatures_of_one_petition(store: Store) -> None:
    for n in range(4):
        store.sign(signature(n))
    store.sign(signature(1))  # a duplicate is not stored twice
    store.sign(signature(7, slug=OTHER))

    assert store.recount(SLUG) == 4  # from the signatures themselves, counted or not yet
    assert store.recount(OTHER) == 1
    assert store.recount("never-signed") == 0


def test_repair_brings_a_drifted_counter_back_to_the_recount(store: Store) -> None:
    for n in range(3):
        store.sign(signature(n))
    counted(store)
    skew(store, SLUG, 5)
    assert store.tally(SLUG).count == 8

    assert store.repair(SLUG) == (8, 3)
    assert store.tally(SLUG).count == 3

    skew(store, SLUG, -2)
    assert store.repair(SLUG) == (1, 3)
    assert store.tally(SLUG).count == 3
    store.sign(signature(9))
    assert counted(store).tally(SLUG).count == 4  # counting goes on from the repaired count


def test_repair_lifts_a_counter_that_drifted_to_zero(store: Store) -> None:
    for n in range(3):
        store.sign(signature(n))
    counted(store)
    skew(store, SLUG, -3)

    assert store.repair(SLUG) == (0, 3)
    store.sign(signature(9))
    assert counted(store).tally(SLUG).count == 4


def test_repair_makes_a_lost_count_and_counting_goes_on_from_it(store: Store) -> None:
    # as after an upgrade from a store that kept its counts elsewhere
    for n in range(3):
        store.sign(signature(n))
    store.sign(signature(5, slug=OTHER))
    counted(store)
    drop_count(store, SLUG)
    assert store.tally(SLUG) == Tally()

    assert store.repair(SLUG) == (0, 3)
    store.sign(signature(9))
    store.sign(signature(6, slug=OTHER))

    assert counted(store).counts([SLUG, OTHER]) == {SLUG: Tally(count=4), OTHER: Tally(count=2)}


def test_repair_never_moves_a_recorded_milestone(store: Store) -> None:
    store.sign(signature(1))
    counted(store, ladder(1))
    skew(store, SLUG, 20)

    store.repair(SLUG)

    assert store.tally(SLUG) == Tally(
        count=1, milestones=(Milestone(1, START + timedelta(seconds=1)),)
    )


def test_repair_without_drift_changes_nothing(store: Store) -> None:
    store.sign(signature(1))
    store.sign(signature(2))
    counted(store)

    assert store.repair(SLUG) == (2, 2)
    assert store.repair("never-signed") == (0, 0)
    assert store.tally(SLUG).count == 2
    assert "never-signed" not in store.tallies()


def test_repair_zeroes_a_counter_with_no_signatures_behind_it(store: Store) -> None:
    skew(store, SLUG, 4)

    assert store.repair(SLUG) == (4, 0)
    assert store.tally(SLUG).count == 0
    store.sign(signature(1))
    assert counted(store).tally(SLUG).count == 1

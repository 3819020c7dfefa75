"""The store contract, continued: forgetting a signer, recounting and repairing a counter.

Same `store` fixture as test_contract.py: SQLite, DynamoDB on moto and DynamoDB Local.
"""

from __future__ import annotations

from datetime import timedelta

from generator.model import Milestone, Tally
from generator.store.base import Store
from tests.store.helpers import START, signature, skew

SLUG = "save-the-park"
OTHER = "fix-the-bridge"


def test_forget_removes_a_signer_everywhere_listed_and_lowers_each_count(store: Store) -> None:
    for slug in (SLUG, OTHER):
        store.sign(signature(1, slug=slug))
        store.sign(signature(2, slug=slug))
    store.sign(signature(1, slug="plant-trees"))

    removed = store.forget(signature(1).email_key, [SLUG, "never-signed", OTHER])

    assert removed == [SLUG, OTHER]
    assert store.tally(SLUG).count == 1
    assert store.tally(OTHER).count == 1
    assert [s.name for s in store.signatures(SLUG)] == ["Signer 2"]
    assert [s.name for s in store.signatures(OTHER)] == ["Signer 2"]
    assert store.tally("plant-trees").count == 1  # not listed, so kept


def test_forget_never_moves_a_recorded_milestone(store: Store) -> None:
    store.sign(signature(1))
    store.sign(signature(2))
    reached = Milestone(2, START + timedelta(seconds=2))
    store.record_milestone(SLUG, 2, reached.reached_at)

    store.forget(signature(2).email_key, [SLUG])

    assert store.tally(SLUG) == Tally(count=1, milestones=(reached,))


def test_forgetting_someone_who_never_signed_changes_nothing(store: Store) -> None:
    store.sign(signature(1))

    assert store.forget(signature(9).email_key, [SLUG]) == []
    assert store.forget(signature(1).email_key, []) == []
    assert store.tally(SLUG).count == 1
    assert store.recount(SLUG) == 1


def test_forgetting_twice_lowers_the_count_once(store: Store) -> None:
    store.sign(signature(1))
    store.sign(signature(2))

    assert store.forget(signature(1).email_key, [SLUG, SLUG]) == [SLUG]
    assert store.forget(signature(1).email_key, [SLUG]) == []
    assert store.tally(SLUG).count == 1


def test_a_forgotten_signer_may_sign_again_and_counts_once(store: Store) -> None:
    store.sign(signature(1))
    store.forget(signature(1).email_key, [SLUG])

    again = store.sign(signature(1, at=START + timedelta(hours=1)))

    assert again.added is True
    assert again.tally.count == 1


def test_recount_counts_the_stored_signatures_of_one_petition(store: Store) -> None:
    for n in range(4):
        store.sign(signature(n))
    store.sign(signature(1))  # a duplicate is not stored twice
    store.sign(signature(7, slug=OTHER))

    assert store.recount(SLUG) == 4
    assert store.recount(OTHER) == 1
    assert store.recount("never-signed") == 0


def test_repair_brings_a_drifted_counter_back_to_the_recount(store: Store) -> None:
    for n in range(3):
        store.sign(signature(n))
    skew(store, SLUG, 5)
    assert store.tally(SLUG).count == 8

    assert store.repair(SLUG) == (8, 3)
    assert store.tally(SLUG).count == 3

    skew(store, SLUG, -2)
    assert store.repair(SLUG) == (1, 3)
    assert store.tally(SLUG).count == 3
    assert store.sign(signature(9)).tally.count == 4  # signing goes on from the repaired count


def test_repair_never_moves_a_recorded_milestone(store: Store) -> None:
    store.sign(signature(1))
    store.record_milestone(SLUG, 10, START)
    skew(store, SLUG, 20)

    store.repair(SLUG)

    assert store.tally(SLUG) == Tally(count=1, milestones=(Milestone(10, START),))


def test_repair_without_drift_changes_nothing(store: Store) -> None:
    store.sign(signature(1))
    store.sign(signature(2))

    assert store.repair(SLUG) == (2, 2)
    assert store.repair("never-signed") == (0, 0)
    assert store.tally(SLUG).count == 2
    assert "never-signed" not in store.tallies()


def test_repair_zeroes_a_counter_with_no_signatures_behind_it(store: Store) -> None:
    skew(store, SLUG, 4)

    assert store.repair(SLUG) == (4, 0)
    assert store.tally(SLUG).count == 0

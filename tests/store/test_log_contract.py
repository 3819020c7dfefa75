"""The store contract, continued: the public log. Counting with the log's id key appends one
leaf per move of the count (an addition per signature counted, a withdrawal per one that no
longer counts) in the same write as the count, once per batch; milestones record the log's
size; the leaves read back by index. Same `store` fixture as test_contract.py: SQLite,
DynamoDB on moto and DynamoDB Local."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from generator.counting.aggregate import aggregate
from generator.counting.counter import Counter
from generator.log.leaves import Kind, decode, signature_key, tally
from generator.store.base import PENDING, CountsMoved, Signature, Store
from tests.store.helpers import START, ladder, signature, skew
from tests.support.counting import source_of

SLUG = "save-the-park"
ID_KEY = bytes(range(32))
LATER = datetime.now(UTC) + timedelta(days=30)


def with_id(number: int, **fields: object) -> Signature:
    """A counted signature with its own random id."""
    return replace(signature(number, **fields), id=f"sid{number:029d}")


def count_all(store: Store, counter: Counter) -> None:
    counter.drain(source_of(store))


def test_each_move_of_the_count_is_a_leaf_appended_with_it(store: Store) -> None:
    counter = Counter(ladder(2, 3), store, id_key=ID_KEY)
    for n in (1, 2, 3):
        store.sign(with_id(n))
    count_all(store, counter)
    store.sign(replace(with_id(4), state=PENDING, confirmed_at=None, expires_at=LATER))
    store.confirm(SLUG, with_id(4).email_key, with_id(4).id, START + timedelta(seconds=30))
    count_all(store, counter)
    store.forget(with_id(2).email_key, [SLUG])
    count_all(store, counter)

    stored = store.tally(SLUG)
    leaves = [decode(leaf) for leaf in store.log_entries(SLUG, 0, 100)]
    assert stored.count == 3 and stored.log_size == 5 == len(leaves)
    assert [leaf.kind for leaf in leaves] == [Kind.ADD] * 4 + [Kind.WITHDRAW]
    ids = [signature_key(ID_KEY, with_id(n).id) for n in (1, 2, 3, 4, 2)]
    assert [leaf.signature for leaf in leaves] == ids  # the withdrawal names the same signature
    assert leaves[3].at == int((START + timedelta(seconds=30)).timestamp())  # when confirmed
    assert tally(store.log_entries(SLUG, 0, 100)).count == stored.count
    # nothing personal in a leaf: no name, address or mailbox key
    assert all(
        b"signer" not in leaf and b"example" not in leaf for leaf in store.log_entries(SLUG, 0, 9)
    )


def test_milestones_record_the_log_size_that_reached_them(store: Store) -> None:
    counter = Counter(ladder(2, 3), store, id_key=ID_KEY)
    for n in (1, 2, 3):
        store.sign(with_id(n))
    count_all(store, counter)

    assert [(m.count, m.size) for m in store.tally(SLUG).milestones] == [(2, 2), (3, 3)]


def test_a_batch_delivered_again_appends_nothing(store: Store) -> None:
    counter = Counter(ladder(), store, id_key=ID_KEY)
    store.sign(with_id(1))
    store.sign(with_id(2))
    feed = source_of(store).read()
    assert feed is not None

    counter.apply(feed)
    assert counter.apply(feed) == []  # a retried Lambda batch, a restart

    assert store.tally(SLUG).log_size == 2
    assert len(store.log_entries(SLUG, 0, 10)) == 2
    source_of(store).done(feed)


def test_a_batch_worked_out_from_a_stale_log_size_is_refused(store: Store) -> None:
    counter = Counter(ladder(), store, id_key=ID_KEY)
    store.sign(with_id(1))
    count_all(store, counter)
    store.sign(with_id(2))
    feed = source_of(store).read()
    assert feed is not None
    stale = {SLUG: replace(store.tally(SLUG), log_size=0)}  # count right, log behind

    with pytest.raises(CountsMoved):
        store.apply_counts(feed.batch, aggregate(feed.changes, stale, {}, ID_KEY))

    assert store.tally(SLUG).log_size == 1
    assert len(store.log_entries(SLUG, 0, 10)) == 1  # the refused leaf was not kept
    count_all(store, counter)
    assert store.tally(SLUG).log_size == 2


def test_leaves_read_back_from_any_index_across_batches(store: Store) -> None:
    counter = Counter(ladder(), store, id_key=ID_KEY)
    for batch in range(3):
        for n in range(batch * 4, batch * 4 + 4):
            store.sign(with_id(n))
        count_all(store, counter)
    everything = store.log_entries(SLUG, 0, 12)

    assert len(everything) == 12
    assert store.log_entries(SLUG, 5, 10) == everything[5:10]  # starts inside a batch's leaves
    assert store.log_entries(SLUG, 10, 99) == everything[10:]  # the log is shorter
    assert store.log_entries(SLUG, 7, 7) == []
    ids = {decode(leaf).signature for leaf in everything}
    assert ids == {signature_key(ID_KEY, with_id(n).id) for n in range(12)}


def test_counting_without_the_id_key_appends_nothing(store: Store) -> None:
    store.sign(with_id(1))
    count_all(store, Counter(ladder(1), store))

    assert store.tally(SLUG).log_size == 0
    assert [m.size for m in store.tally(SLUG).milestones] == [None]


def test_a_petition_counted_before_the_log_starts_it_with_a_base_leaf(store: Store) -> None:
    for n in (1, 2, 3):
        store.sign(with_id(n))
    count_all(store, Counter(ladder(), store))  # counted before the log was kept
    assert (store.tally(SLUG).log_size, store.tally(SLUG).log_base) == (0, 0)
    counter = Counter(ladder(), store, id_key=ID_KEY)
    store.sign(with_id(4))
    store.forget(with_id(2).email_key, [SLUG])  # one counted before the log is withdrawn
    count_all(store, counter)

    stored = store.tally(SLUG)
    leaves = store.log_entries(SLUG, 0, 9)
    assert (stored.count, stored.log_size, stored.log_base) == (3, 3, 3)
    first = decode(leaves[0])
    assert (first.kind, first.version, first.signature) == (Kind.BASE, "3", bytes(32))
    moves = tally(leaves)
    assert (moves.base, moves.additions, moves.withdrawals, moves.unlisted) == (3, 1, 1, 1)
    assert moves.count == stored.count  # 3 = 3 + 1 - 1


def test_a_repair_that_changes_what_the_log_does_not_list_appends_a_base_leaf(
    store: Store,
) -> None:
    counter = Counter(ladder(), store, id_key=ID_KEY)
    for n in (1, 2, 3):
        store.sign(with_id(n))
    count_all(store, counter)
    store.sign(with_id(4))
    count_all(store, Counter(ladder(), store))  # counted by a process without the log's key
    skew(store, SLUG, -1)  # and the count drifted: 3 stored, 4 signatures, 3 in the log

    assert store.repair(SLUG) == (3, 4)

    stored = store.tally(SLUG)
    assert (stored.count, stored.log_size, stored.log_base) == (4, 4, 1)
    last = decode(store.log_entries(SLUG, 3, 4)[0])
    assert (last.kind, last.version) == (Kind.BASE, "1")  # the correction, in the open
    assert tally(store.log_entries(SLUG, 0, 9)).count == stored.count


def test_a_repair_of_a_count_that_drifted_from_its_log_appends_nothing(store: Store) -> None:
    counter = Counter(ladder(), store, id_key=ID_KEY)
    for n in (1, 2, 3):
        store.sign(with_id(n))
    count_all(store, counter)
    skew(store, SLUG, +2)  # a count moved without its leaves (a bug): 5, the log says 3

    assert store.repair(SLUG) == (5, 3)

    stored = store.tally(SLUG)
    assert (stored.count, stored.log_size, stored.log_base) == (3, 3, 0)  # adds up again
    assert tally(store.log_entries(SLUG, 0, 9)).count == stored.count

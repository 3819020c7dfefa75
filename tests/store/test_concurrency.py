"""Many signers and counters at once: no lost and no double counts, each milestone once.

Only the stores that are safe under threads (SQLite, DynamoDB Local); moto is not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TypeVar

import pytest

from generator.counting.counter import Counter
from generator.counting.sources import SqliteFeed
from generator.errors import StoreError
from generator.model import Content, Tally
from generator.store.base import Feed, Store
from generator.store.dynamodb import DynamoStore
from generator.store.sqlite import SqliteStore
from tests.store.conftest import LOCAL
from tests.store.helpers import START, counted, ladder, second_client, signature, skew
from tests.support.counting import NO_CONTENT, source_of
from tests.support.eventually import eventually

T = TypeVar("T")
SLUG = "save-the-park"
THREADS = 20


def together(jobs: list[Callable[[], T]]) -> list[T]:
    """Run every job on its own thread, released at the same moment; their results in order."""
    gate = threading.Barrier(len(jobs))

    def run(job: Callable[[], T]) -> T:
        gate.wait()
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


@contextmanager
def counting_meanwhile(store: Store, content: Content = NO_CONTENT) -> Iterator[None]:
    """A counter draining the store's feed on its own thread for the duration of the block
    (as `serve` and the aggregator function do), and once more after it."""
    stop = threading.Event()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            while not stop.is_set():
                counted(store, content)
        except Exception as exc:  # reported by the test's thread below
            failures.append(exc)

    thread = threading.Thread(target=run, name="counter")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
    assert not failures, failures
    counted(store, content)


def test_two_hundred_signatures_from_twenty_threads_count_exactly(
    concurrent_store: Store,
) -> None:
    # 200 attempts by 150 signers: the last five threads repeat the first five threads' signers.
    numbers = [[(t * 10 + i) % 150 for i in range(10)] for t in range(THREADS)]
    attempts = [n for batch in numbers for n in batch]
    distinct = set(attempts)
    assert (len(attempts), len(distinct)) == (200, 150)

    def batch_of(batch: list[int]) -> Callable[[], list[bool]]:
        return lambda: [concurrent_store.sign(signature(n)).added for n in batch]

    with counting_meanwhile(concurrent_store, ladder(100)):
        added = [flag for flags in together([batch_of(b) for b in numbers]) for flag in flags]

    assert sum(added) == len(distinct)
    tally = concurrent_store.tally(SLUG)
    assert tally.count == len(distinct) == concurrent_store.recount(SLUG)
    assert [m.count for m in tally.milestones] == [100]
    exported = list(concurrent_store.signatures(SLUG))
    assert sorted(s.email_key for s in exported) == sorted(signature(n).email_key for n in distinct)


@pytest.mark.parametrize("concurrent_store", ["sqlite"], indirect=True)
def test_two_counters_draining_one_feed_count_every_change_once(
    concurrent_store: Store,
) -> None:
    assert isinstance(concurrent_store, SqliteStore)
    content = ladder(25, 50, 100, 200, 400)
    stop = threading.Event()

    def drainer(store: Store, limit: int) -> Callable[[], int]:
        source, counter = SqliteFeed(store), Counter(content, store)  # each its own reader

        def run() -> int:
            read = 0
            while not stop.is_set():
                read += counter.drain(source, limit)
            return read + counter.drain(source, limit)

        return run

    def signer(first: int) -> Callable[[], int]:
        def run() -> int:
            for n in range(first, first + 50):
                concurrent_store.sign(signature(n))
            return 50

        return run

    other = second_client(concurrent_store)  # the second counter as another process
    with ThreadPoolExecutor(max_workers=2) as pool:
        # batches of different sizes overlap in part: one applies some of another's changes
        counters = [pool.submit(drainer(concurrent_store, 2)), pool.submit(drainer(other, 5))]
        signed = sum(together([signer(50 * t) for t in range(8)]))
        stop.set()
        read = sum(c.result() for c in counters)
    other.close()

    counted(concurrent_store, content)
    tally = concurrent_store.tally(SLUG)
    assert (signed, tally.count, concurrent_store.recount(SLUG)) == (400, 400, 400)
    assert read >= 400  # some changes were read by both counters, and applied by one
    assert sorted(m.count for m in tally.milestones) == [25, 50, 100, 200, 400]


@pytest.mark.parametrize("concurrent_store", [LOCAL], indirect=True)
def test_two_counters_racing_on_one_petition_apply_every_batch_once(
    concurrent_store: Store,
) -> None:
    # A stream is read by one reader, in order; two counters (two Lambda invocations, say
    # for two shards) race when they apply different batches to the same count item.
    assert isinstance(concurrent_store, DynamoStore)
    content = ladder(10, 20, 30, 40)
    for n in range(40):
        concurrent_store.sign(signature(n))
    source = source_of(concurrent_store)
    batches: list[Feed] = []
    while (feed := source.read(limit=5)) is not None:
        batches.append(feed)
        source.done(feed)
    assert len(batches) == 8

    def counter(store: Store, mine: list[Feed]) -> Callable[[], int]:
        return lambda: sum(len(Counter(content, store).apply(feed)) for feed in mine)

    stores = [concurrent_store, second_client(concurrent_store)]
    odd, even = batches[0::2], batches[1::2]
    replays = [counter(stores[1], odd), counter(stores[0], even)]  # each batch again
    applied = together([counter(stores[0], odd), counter(stores[1], even), *replays])

    tally = concurrent_store.tally(SLUG)
    assert sum(applied) == 8  # each batch applied by exactly one of its two counters
    assert tally.count == 40 == concurrent_store.recount(SLUG)
    assert [m.count for m in sorted(tally.milestones, key=lambda m: m.count)] == [10, 20, 30, 40]
    assert {m.reached_at for m in tally.milestones} <= {
        START + timedelta(seconds=n) for n in range(40)
    }
    assert counted(concurrent_store, content).tally(SLUG) == tally  # nothing left to count
    stores[1].close()


def test_twenty_threads_claiming_one_job_leave_exactly_one_winner(
    concurrent_store: Store,
) -> None:
    claims = [second_client(concurrent_store) for _ in range(4)]  # five processes
    stores = [concurrent_store, *claims]

    def claim_at(moment: datetime) -> list[Callable[[], bool]]:
        every = timedelta(seconds=1)
        return [
            lambda i=i: stores[i % 5].claim(SLUG, "count-file", moment, every)
            for i in range(THREADS)
        ]

    results = together(claim_at(START))
    assert results.count(True) == 1
    again = together(claim_at(START + timedelta(seconds=1)))
    assert again.count(True) == 1
    assert concurrent_store.tally(SLUG) == Tally()
    for store in claims:
        store.close()


def test_a_repair_while_people_sign_neither_loses_nor_double_counts(
    concurrent_store: Store,
) -> None:
    for n in range(5):
        concurrent_store.sign(signature(n))
    counted(concurrent_store)
    skew(concurrent_store, SLUG, 7)  # the counter says 12; 5 are stored
    tries: list[tuple[int, int] | None] = []  # each repair made while signing: result or gave up
    signed: list[int] = []

    def signer(first: int) -> Callable[[], None]:
        def run() -> None:
            n = first
            while len(tries) < 2 and n < first + 2000:  # sign until repairs have overlapped
                signed.append(int(concurrent_store.sign(signature(n)).added))
                n += 1

        return run

    def repairer() -> None:
        reconcile = second_client(concurrent_store)
        if isinstance(reconcile, DynamoStore):
            # DynamoDB's repair trusts a count item that stood still this long to have
            # caught up with the stream: longer than the stream and the counter lag here
            reconcile.settle = 0.5
        eventually(  # repair only once counting is under way
            lambda: reconcile.tally(SLUG).count != 12, 30, interval=0.001, message="counting began"
        )
        while len(tries) < 2:
            try:
                tries.append(reconcile.repair(SLUG))
            except StoreError:  # the count kept moving: it gave up and changed nothing
                tries.append(None)
        reconcile.close()

    with counting_meanwhile(concurrent_store):
        together([signer(10_000 * (t + 1)) for t in range(2)] + [repairer])

    stored = 5 + sum(signed)
    fixed = any(t is not None and t[0] != t[1] for t in tries)
    assert concurrent_store.recount(SLUG) == stored
    assert concurrent_store.tally(SLUG).count == stored + (0 if fixed else 7)
    assert concurrent_store.repair(SLUG)[1] == stored  # and when quiet, it always succeeds
    assert concurrent_store.tally(SLUG).count == stored
    concurrent_store.sign(signature(9))
    assert counted(concurrent_store).tally(SLUG).count == stored + 1

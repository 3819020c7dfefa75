"""Many signers at once: no lost and no double counts, one winner per milestone.

Only the stores that are safe under threads (SQLite, DynamoDB Local); moto is not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

from generator.errors import StoreError
from generator.model import Milestone
from generator.store.base import Store
from tests.store.helpers import START, second_client, signature, skew
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

    added = [flag for flags in together([batch_of(b) for b in numbers]) for flag in flags]

    assert sum(added) == len(distinct)
    assert concurrent_store.tally(SLUG).count == len(distinct)
    exported = list(concurrent_store.signatures(SLUG))
    assert sorted(s.email_key for s in exported) == sorted(signature(n).email_key for n in distinct)


def test_twenty_threads_racing_for_one_milestone_leave_exactly_one_winner(
    concurrent_store: Store,
) -> None:
    times = [START + timedelta(milliseconds=i) for i in range(THREADS)]
    results = together(
        [lambda at=at: concurrent_store.record_milestone(SLUG, 500, at) for at in times]
    )

    assert results.count(True) == 1
    winner = times[results.index(True)]
    assert concurrent_store.tally(SLUG).milestones == (Milestone(500, winner),)


def test_a_repair_while_people_sign_neither_loses_nor_double_counts(
    concurrent_store: Store,
) -> None:
    for n in range(5):
        concurrent_store.sign(signature(n))
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
        eventually(  # repair only once signing is under way
            lambda: reconcile.tally(SLUG).count != 12, 30, interval=0.001, message="signing began"
        )
        while len(tries) < 2:
            try:
                tries.append(reconcile.repair(SLUG))
            except StoreError:  # the count kept moving: it gave up and changed nothing
                tries.append(None)
        reconcile.close()

    together([signer(10_000 * (t + 1)) for t in range(2)] + [repairer])

    stored = 5 + sum(signed)
    fixed = any(t is not None and t[0] != t[1] for t in tries)
    assert concurrent_store.recount(SLUG) == stored
    assert concurrent_store.tally(SLUG).count == stored + (0 if fixed else 7)
    assert concurrent_store.repair(SLUG)[1] == stored  # and when quiet, it always succeeds
    assert concurrent_store.tally(SLUG).count == stored

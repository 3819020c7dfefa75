"""Two counters racing on one petition's change feed, while signers keep signing: every change
is applied exactly once, and each milestone is recorded once, at the time of the signature at
its rank.

In production one counter reads each shard of the stream, but a retried Lambda batch, a
second `serve` on the same store or an operator's recount can run beside it; the counts must
not move twice for one change, whichever counter gets there first.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter as Tally
from datetime import UTC, datetime
from pathlib import Path

from generator.content.loading import load_content
from generator.counting.counter import Counter
from generator.counting.sources import SqliteFeed
from generator.model import Milestone, Petition
from generator.store.base import Signature
from generator.store.sqlite import SqliteStore

from .harness import LOAD_SLUG, assert_reached_in_time_order, make_site

SIGNERS = 600
WRITERS = 8
LADDER = (10, 100, 250, 500)


def test_two_counters_draining_one_feed_count_every_signature_once(
    tmp_path: Path, sqlite_store: SqliteStore
) -> None:
    content = load_content(make_site(tmp_path / "site", ladder=LADDER) / "content")
    reached: Tally[int] = Tally()
    lock = threading.Lock()

    def record(petition: Petition, milestones: tuple[Milestone, ...]) -> None:
        with lock:
            reached.update(m.count for m in milestones)

    signing = threading.Event()
    in_order = threading.Lock()
    failures: list[BaseException] = []

    def sign(first: int) -> None:
        try:
            for n in range(first, SIGNERS, WRITERS):
                with in_order:  # times follow the writes: milestone N is the N-th's
                    at = datetime.now(UTC)
                    signature = Signature(LOAD_SLUG, f"k{n}", f"Signer {n}", f"{n}@x.org", at)
                    assert sqlite_store.sign(signature).added
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            failures.append(exc)

    def count(limit: int) -> None:  # a counter of its own, reading the feed in its own steps
        counter = Counter(content, sqlite_store, [record])
        feed = SqliteFeed(sqlite_store)
        try:
            while signing.is_set():
                counter.drain(feed, limit)
            counter.drain(feed, limit)
        except BaseException as exc:
            failures.append(exc)

    signing.set()
    counters = [threading.Thread(target=count, args=(limit,)) for limit in (7, 50)]
    writers = [threading.Thread(target=sign, args=(n,)) for n in range(WRITERS)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns every few bytecodes: races show up
    try:
        for thread in (*counters, *writers):
            thread.start()
        for thread in writers:
            thread.join(60)
        signing.clear()
        for thread in counters:
            thread.join(60)
    finally:
        sys.setswitchinterval(interval)

    assert failures == []
    assert sqlite_store.feed() is None  # everything was counted
    assert sqlite_store.tally(LOAD_SLUG).count == sqlite_store.recount(LOAD_SLUG) == SIGNERS
    assert reached == {m: 1 for m in LADDER}  # each milestone told once, by one counter
    assert_reached_in_time_order(sqlite_store, LOAD_SLUG, LADDER)  # whichever counter did

"""Counting from DynamoDB Local's stream, as the aggregator function counts from the table's
stream in AWS: exact under load, each milestone once at its signature's time, a batch
delivered again counted once, a counter stopped mid-batch and started again losing nothing."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.counting.counter import Counter
from generator.model import Content, Milestone, Petition, Site, Tally
from generator.store.base import CountUpdate, Signature
from generator.store.dynamodb import DynamoStore
from generator.store.dynamodb_stream import StreamSource

pytestmark = pytest.mark.dynamodb_local

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SLUG = "save-the-park"
LADDER = (10, 100, 1000, 5000, 10000)


def content(*slugs: str) -> Content:
    site = Site("Test", "https://petitions.example.org", "UTC", "en", LADDER, "Test", "/privacy")
    petitions = tuple(
        Petition(
            slug=slug,
            path=f"content/petitions/{slug}.md",
            title=slug,
            target="Council",
            ask="Ask",
            body="",
            created=T0,
            milestones=LADDER,
        )
        for slug in slugs or (SLUG,)
    )
    return Content(site, petitions)


def signature(n: int, slug: str = SLUG, at: datetime | None = None) -> Signature:
    return Signature(
        slug=slug, email_key=f"{n:064x}", name=f"Signer {n}", email=f"s{n}@example.org",
        signed_at=at or T0 + timedelta(milliseconds=n),
    )  # fmt: skip


class Crash(Exception):
    """The counter's process dying (Lambda's timeout, a deploy, a kill)."""


class CrashingStore:
    """The table, except that the `crash_on`-th apply_counts dies: after applying when
    `applied` is True (before the batch is acknowledged), else before writing anything."""

    def __init__(self, store: DynamoStore, crash_on: int, applied: bool) -> None:
        self.store, self.crash_on, self.applied = store, crash_on, applied
        self.calls = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def apply_counts(self, batch: str, updates: Sequence[CountUpdate]) -> bool:
        self.calls += 1
        if self.calls == self.crash_on and not self.applied:
            raise Crash("before the write")
        done = self.store.apply_counts(batch, updates)
        if self.calls == self.crash_on:
            raise Crash("after the write, before the acknowledgement")
        return done


def test_ten_thousand_signatures_from_fifty_clients_are_counted_exactly(
    table: DynamoStore, tmp_path: Path
) -> None:
    site = content()
    counter = Counter(site, table)
    source = StreamSource(table, tmp_path / "checkpoint.json")
    ticket = itertools.count()
    clock_lock = threading.Lock()
    signing = threading.Event()

    def client(number: int) -> int:
        added = 0
        for i in range(200):
            with clock_lock:  # each signature its own time, handed out in order
                n = next(ticket)
            added += table.sign(
                signature(number * 1000 + i, at=T0 + timedelta(milliseconds=n))
            ).added
        return added

    def count_meanwhile() -> None:  # the aggregator polls while people sign
        while signing.is_set():
            counter.drain(source, limit=1000)

    signing.set()
    background = threading.Thread(target=count_meanwhile)
    background.start()
    with ThreadPoolExecutor(50) as pool:
        added = sum(pool.map(client, range(50)))
    signing.clear()
    background.join()
    counter.drain(source)

    tally = table.tally(SLUG)
    assert added == 10_000
    assert tally.count == 10_000 == table.recount(SLUG)
    assert [m.count for m in tally.milestones] == list(LADDER)
    times = sorted(s.signed_at for s in table.signatures(SLUG))
    for milestone in tally.milestones:
        # reached by one of the signatures, at its time: the N-th to arrive, which is the
        # N-th signed give or take the 49 other clients' signatures in flight at once
        assert milestone.reached_at in times
        rank = times.index(milestone.reached_at) + 1
        assert milestone.count - 50 <= rank <= milestone.count + 50


def test_a_batch_delivered_again_is_counted_once(table: DynamoStore, tmp_path: Path) -> None:
    counter = Counter(content(), table)
    for n in range(1, 13):
        table.sign(signature(n))
    source = StreamSource(table, tmp_path / "checkpoint.json")
    feed = source.read()
    assert feed is not None

    first = counter.apply(feed)
    again = counter.apply(feed)  # the same records, delivered again

    assert [u.counted for u in first] == [12]
    assert again == []
    assert table.tally(SLUG) == Tally(12, (Milestone(10, T0 + timedelta(milliseconds=10)),))


@pytest.mark.parametrize("applied", [False, True], ids=["before-the-write", "after-the-write"])
def test_a_counter_stopped_mid_batch_and_started_again_loses_nothing(
    table: DynamoStore, tmp_path: Path, applied: bool
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    site = content()
    for n in range(1, 6):
        table.sign(signature(n))
    Counter(site, table).drain(StreamSource(table, checkpoint))  # batch 1: 5 signatures
    for n in range(6, 21):
        table.sign(signature(n))
    crashing = CrashingStore(table, crash_on=1, applied=applied)

    with pytest.raises(Crash):
        Counter(site, crashing).drain(StreamSource(table, checkpoint))  # type: ignore[arg-type]
    for n in range(21, 31):  # more arrive while it is down
        table.sign(signature(n))
    restarted = Counter(site, table)
    restarted.drain(StreamSource(table, checkpoint))

    tally = table.tally(SLUG)
    assert tally.count == 30 == table.recount(SLUG)
    assert tally.milestones == (Milestone(10, T0 + timedelta(milliseconds=10)),)


def test_a_batch_across_many_petitions_stopped_half_applied_counts_each_once(
    table: DynamoStore, tmp_path: Path
) -> None:
    slugs = [f"petition-{i:03}" for i in range(120)]  # more than one transaction's worth
    site = content(*slugs)
    for i, slug in enumerate(slugs):
        for n in range(3):
            table.sign(signature(i * 10 + n, slug))
    checkpoint = tmp_path / "checkpoint.json"
    writes = 0
    real = table.api.transact

    def dies_after_the_first_part(*args: object, **kwargs: object) -> bool:
        nonlocal writes
        writes += 1
        if writes == 2:
            raise Crash("between the parts of one batch")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    table.api.transact = dies_after_the_first_part  # type: ignore[method-assign]
    with pytest.raises(Crash):
        Counter(site, table).drain(StreamSource(table, checkpoint))
    table.api.transact = real  # type: ignore[method-assign]
    Counter(site, table).drain(StreamSource(table, checkpoint))

    counts = table.counts(slugs)
    assert {slug: counts[slug].count for slug in slugs} == dict.fromkeys(slugs, 3)

"""No scan on any hot or per-milestone path: a build with the store's counts, a milestone's
write-back and the counter read count items by key; only the daily audit (reconcile) scans,
in parallel segments. Every DynamoDB call is recorded through botocore's event hooks."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from moto import mock_aws

from generator.build.counts import StoreCounts
from generator.build.engine import BuildOptions, build
from generator.content.loading import load_content
from generator.counting.counter import Counter
from generator.store.base import Signature
from generator.store.dynamodb import DynamoStore
from generator.writeback.publish import FolderPublisher
from generator.writeback.refresh import WriteBack
from tests.support.counting import source_of
from tests.support.fixture_site import BARE, CONTENT, TEMPLATES, build_fixture

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
READS = {"Scan", "Query", "GetItem", "BatchGetItem"}


@pytest.fixture
def table() -> Iterator[tuple[DynamoStore, Tally[str]]]:
    """A table on moto holding 30 signatures of the bare petition, and the calls made to it
    from the moment the fixture hands it over."""
    with mock_aws():
        store = DynamoStore("petitions", region="us-east-1")
        store.init()
        for n in range(30):
            store.sign(Signature(BARE, f"{n:064x}", "Signer", "s@example.org",
                                 T0 + timedelta(seconds=n)))  # fmt: skip
        calls: Tally[str] = Tally()
        store.client.meta.events.register(
            "before-call.dynamodb", lambda model, **_: calls.update([model.name])
        )
        yield store, calls
        store.close()


def test_counting_a_batch_reads_count_items_by_key_and_never_scans(table) -> None:
    store, calls = table
    content = load_content(CONTENT)

    Counter(content, store).drain(source_of(store))

    assert store.tally(BARE).count == 30
    assert calls["Scan"] == calls["Query"] == 0
    assert calls["BatchGetItem"] == 1  # the counts of the batch's petitions, by key


def test_a_build_and_a_milestones_write_back_never_scan(table, tmp_path: Path) -> None:
    store, calls = table
    content = load_content(CONTENT)
    out = tmp_path / "site"
    build(BuildOptions(CONTENT, TEMPLATES, out, None, full=True, counts=StoreCounts(store),
                       workers=1))  # fmt: skip
    WriteBack(content, TEMPLATES, store, FolderPublisher(out)).refresh(BARE)

    assert calls["Scan"] == calls["Query"] == 0
    assert set(calls) <= {"BatchGetItem"}  # one read by key each, of the content's petitions
    assert calls["BatchGetItem"] == 2


def test_the_daily_audit_scans_in_parallel_segments(table) -> None:
    store, calls = table
    Counter(load_content(CONTENT), store).drain(source_of(store))
    calls.clear()

    assert store.tallies()[BARE].count == 30

    assert calls["Scan"] >= 2  # one per segment, each its own request


def test_a_build_writes_each_petitions_count_file(tmp_path: Path) -> None:
    build_fixture(tmp_path / "site")  # ContentCounts: no store at all
    assert (tmp_path / "site" / "petitions" / BARE / "count.json").is_file()

"""The aggregator function fed DynamoDB Local's stream as Lambda feeds it: counts exact, a
batch handed over again counted once, each milestone once at its signature's time, count
files in the bucket at most once a second per petition, failures raised for Lambda to retry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from generator.errors import StoreError
from generator.model import Milestone
from generator.render.countfile import COUNT_CACHE
from generator.store.base import CountUpdate
from generator.store.dynamodb import DynamoStore

from .conftest import OTHER, SLUG, T0, WRITEBACK, Aws

pytestmark = pytest.mark.dynamodb_local

PAGES = {"slugs": [SLUG], "invalidate": False}  # the minute's re-render, not invalidated


def batches(records: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    """The records cut into Lambda batches of at most `size`, in order."""
    return [records[i : i + size] for i in range(0, len(records), size)]


def test_the_streams_records_are_counted_exactly(aws: Aws) -> None:
    aws.sign(*range(1, 31))
    aws.sign(*range(1, 8), slug=OTHER)
    records = aws.stream.records()
    assert len(records) == 37  # one record per signature: the event filter drops the rest

    for batch in batches(records, 6):
        aws.aggregate(batch)

    assert aws.table.tally(SLUG).count == 30
    assert aws.table.tally(OTHER).count == 7
    assert sum(answer["changes"] for answer in aws.answers) == 37
    # the aggregator's own writes (count items, markers, claims) never come back to it
    assert aws.stream.records() == []


def test_a_batch_handed_over_again_is_counted_once(aws: Aws) -> None:
    aws.sign(*range(1, 13))
    first, second = batches(aws.stream.records(), 6)

    aws.aggregate(first)
    aws.aggregate(first)  # Lambda's retry of a batch whose answer was lost
    aws.aggregate(second)
    again = aws.aggregate(second)

    assert aws.table.tally(SLUG).count == 12
    assert again["petitions"] == [] and again["milestones"] == {}
    assert aws.table.tally(SLUG).milestones == (Milestone(10, T0 + timedelta(seconds=10)),)
    assert aws.lambda_api.payloads().count({"slug": SLUG}) == 1  # one write-back for it


def test_each_milestone_is_recorded_once_at_the_time_of_the_signature_that_reached_it(
    aws: Aws,
) -> None:
    aws.sign(*range(1, 31))
    records = aws.stream.records()

    answers = [aws.aggregate(batch) for batch in batches(records, 8)]

    assert [a["milestones"] for a in answers] == [{}, {SLUG: [10]}, {}, {SLUG: [25]}]
    assert aws.table.tally(SLUG).milestones == (
        Milestone(10, T0 + timedelta(seconds=10)),  # the 10th signer's time, not the batch's
        Milestone(25, T0 + timedelta(seconds=25)),
    )
    milestone_calls = [
        (path, kind, payload) for path, kind, payload in aws.lambda_api.calls if "slug" in payload
    ]
    assert (
        milestone_calls
        == [(f"/2015-03-31/functions/{WRITEBACK}/invocations", "Event", {"slug": SLUG})] * 2
    )  # one asynchronous write-back per milestone, each invalidating its pages


def test_the_count_file_is_written_to_the_bucket_at_most_once_a_second(aws: Aws) -> None:
    aws.sign(*range(1, 13))
    first, second = batches(aws.stream.records(), 6)

    aws.aggregate(first)
    written = aws.count_file()
    aws.aggregate(second)  # the same second: its file waits
    waiting = aws.count_file()
    aws.clock.advance(1)
    aws.sign(13)
    aws.aggregate(aws.stream.records())  # a second later: written again

    assert written is not None and written["count"] == 6
    assert waiting == written
    latest = aws.count_file()
    assert latest is not None
    assert (latest["count"], latest["goal"]) == (13, 25)
    assert latest["milestones"] == [{"count": 10, "reached_at": "2026-03-01T12:00:10+00:00"}]
    updated = aws.table.tally(SLUG).updated
    assert updated is not None and latest["updated"] == updated.isoformat("T", "seconds")
    assert aws.count_file_headers() == {"type": "application/json", "cache": COUNT_CACHE}
    assert aws.count_file(OTHER) is None  # no change, no file


def test_moving_counts_ask_for_their_pages_at_most_once_a_minute(aws: Aws) -> None:
    aws.sign(1, 2, 3)
    aws.aggregate(aws.stream.records())
    aws.clock.advance(30)
    aws.sign(4)
    aws.aggregate(aws.stream.records())
    aws.clock.advance(30)
    aws.sign(5)
    aws.aggregate(aws.stream.records())

    assert aws.lambda_api.payloads() == [PAGES, PAGES]  # at 0 s and 60 s, not at 30 s
    assert {kind for _, kind, _ in aws.lambda_api.calls} == {"Event"}  # never waited for


class FailingStore:
    """The table, but `apply_counts` fails once: before writing, or after its transaction
    committed (Lambda's timeout, or a lost answer) when `after` is True."""

    def __init__(self, table: DynamoStore, after: bool) -> None:
        self.table, self.after, self.failed = table, after, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.table, name)

    def apply_counts(self, batch: str, updates: Sequence[CountUpdate]) -> bool:
        if self.failed:
            return self.table.apply_counts(batch, updates)
        self.failed = True
        if self.after:
            self.table.apply_counts(batch, updates)
        raise StoreError(f"DynamoDB table {self.table.table!r}: lost the answer")


@pytest.mark.parametrize("after", [False, True], ids=["before-writing", "after-committing"])
def test_a_failure_raises_and_lambdas_retry_of_the_same_batch_counts_it_once(
    aws: Aws, after: bool
) -> None:
    from chalicelib.runtime import runtime

    failing = FailingStore(aws.table, after)
    runtime.configure(content=runtime.content(), store=failing, settings=runtime.settings,
                      clock=aws.clock)  # fmt: skip
    aws.sign(*range(1, 11))
    records = aws.stream.records()

    with pytest.raises(StoreError, match="lost the answer"):
        aws.aggregate(records)
    aws.aggregate(records)  # Lambda retries the same batch

    assert aws.table.tally(SLUG).count == 10
    assert aws.table.tally(SLUG).milestones == (Milestone(10, T0 + timedelta(seconds=10)),)
    # what the failed invocation did not get to write, the refresh's sweep writes
    aws.refresh()
    written = aws.count_file()
    assert written is not None and written["count"] == 10
    assert PAGES in aws.lambda_api.payloads()

"""Faults between the steps of a signature, and of counting it: the client gets success or a
clear retryable error, a retry never counts twice, a milestone is recorded once at the time of
the signature that reached it however the counting went, and the count always equals the
stored signatures once the feed is counted.

Store-level faults wrap a real SQLite store (FlakyStore); DynamoDB faults answer the real
DynamoStore's requests to DynamoDB Local with the errors DynamoDB would send.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from generator.errors import StoreError
from generator.model import Milestone, Petition
from generator.store.base import Signature, Store
from generator.store.dynamodb import DynamoStore
from generator.store.retry import Backoff
from generator.store.sqlite import SqliteStore
from tests.serve.client import Reply
from tests.store.faults import Fault, failing
from tests.support.answers import without_refill
from tests.support.counting import source_of

from .client import retry_after, sign
from .flaky import AfterCall, FlakyStore, Throttled
from .harness import LOAD_SLUG, LocalApp, make_site, page_count, serving

SLUG = LOAD_SLUG
LADDER = (2, 4)


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """The example site plus the test petition, whose milestones are 2 and 4."""
    return make_site(tmp_path / "site", ladder=LADDER)


@pytest.fixture
def flaky(tmp_path: Path) -> Iterator[FlakyStore]:
    """A SQLite store that fails when told to."""
    store = FlakyStore(SqliteStore(tmp_path / "data" / "signatures.db"))
    store.init()
    yield store
    store.close()


@contextmanager
def serving_flaky(site_dir: Path, flaky: FlakyStore, **options: Any) -> Iterator[LocalApp]:
    """`serving` on the flaky store, counting from its real store's change feed."""
    with serving(site_dir, flaky, source=source_of(flaky.inner), **options) as site:
        yield site


@pytest.fixture
def dynamo(dynamodb_local: str) -> Iterator[DynamoStore]:
    """A fresh table on DynamoDB Local whose store gives up quickly (tiny backoff)."""
    store = DynamoStore(
        f"faults-{uuid.uuid4().hex[:12]}",
        region="us-east-1",
        endpoint_url=dynamodb_local,
        backoff=Backoff(attempts=4, base=0.001, cap=0.01, budget=2.0),
    )
    store.init()
    yield store
    store.client.delete_table(TableName=store.table)
    store.close()


def assert_consistent(store: Store, count: int) -> None:
    """The stored count is `count` and exactly that many signatures are stored, each once."""
    emails = [s.email.lower() for s in store.signatures(SLUG)]
    assert store.tally(SLUG).count == count
    assert len(emails) == len(set(emails)) == count


def stored(store: Store, email: str) -> Signature:
    """The stored signature of this signer."""
    return next(s for s in store.signatures(SLUG) if s.email.strip().lower() == email)


def assert_retryable(reply: Reply, *, form: bool = False) -> None:
    """A 503 saying to come back, that names no signer and carries no traceback."""
    assert reply.status == 503, reply.text
    assert retry_after(reply) >= 1
    assert "Traceback" not in reply.text
    assert "@example.org" not in without_refill(reply.text)  # a form gets its fields back
    if form:
        assert reply.headers["content-type"].startswith("text/html")
        assert "Please try again in a moment" in reply.text
    else:
        assert reply.json()["error"]["code"] == "unavailable"


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_an_unavailable_store_is_a_retryable_503_and_the_retry_counts_once(
    site_dir: Path, flaky: FlakyStore, form: bool
) -> None:
    flaky.fail("sign", StoreError("SQLite store: could not store a signature: disk I/O error"))
    with serving_flaky(site_dir, flaky) as site:
        first = sign(site.url, SLUG, "aroha@example.org", form=form)
        retry = sign(site.url, SLUG, "aroha@example.org", form=form)

    assert_retryable(first, form=form)
    assert retry.status == (303 if form else 201)
    assert_consistent(flaky, 1)


def test_a_crash_after_the_write_is_a_503_and_the_retry_is_not_counted_again(
    site_dir: Path, flaky: FlakyStore
) -> None:
    flaky.fail("sign", StoreError("connection lost after commit"), after=True)
    with serving_flaky(site_dir, flaky) as site:
        first = sign(site.url, SLUG, "mere@example.org")
        stored_meanwhile = len(list(flaky.inner.signatures(SLUG)))
        retry = sign(site.url, SLUG, " Mere@Example.org ")
        assert site.count() == 1  # the feed has the write whose answer was lost, once
        counted = site.public_count()

    assert_retryable(first)
    assert stored_meanwhile == 1  # the write happened; only the answer was lost
    assert retry.status == 201
    assert retry.json()["count"] <= 1  # its answer's count is at most a second old
    assert counted == 1
    assert_consistent(flaky, 1)


def test_a_milestone_reached_by_a_write_whose_answer_was_lost_is_recorded_once_at_its_time(
    site_dir: Path, flaky: FlakyStore
) -> None:
    with serving_flaky(site_dir, flaky) as site:
        sign(site.url, SLUG, "one@example.org")
        flaky.fail("sign", StoreError("connection lost after commit"), after=True)
        crossed = sign(site.url, SLUG, "two@example.org")  # the 2nd signature: milestone 2
        missed = flaky.inner.tally(SLUG).milestones
        site.count()  # the counter reads the write from the feed, answer or no answer
        retry = sign(site.url, SLUG, "two@example.org")
        again = sign(site.url, SLUG, "two@example.org")
        site.count()
        won = dict(site.won)

    assert_retryable(crossed)
    assert missed == ()  # not counted by the request that crashed
    assert (retry.status, again.status) == (201, 201)
    assert retry.json()["count"] <= 2 and again.json()["count"] <= 2  # at most a second old
    assert won == {(SLUG, 2): 1}
    two = stored(flaky, "two@example.org")
    assert flaky.tally(SLUG).milestones == (Milestone(2, two.signed_at),)
    assert_consistent(flaky, 2)


def test_a_count_the_store_failed_to_apply_is_applied_by_the_next_with_its_milestone_time(
    site_dir: Path, flaky: FlakyStore
) -> None:
    with serving_flaky(site_dir, flaky) as site:
        first = sign(site.url, SLUG, "s0@example.org")
        flaky.fail("apply_counts", StoreError("throttled"))
        second = sign(site.url, SLUG, "s1@example.org")  # counted with the next one
        missed = flaky.inner.tally(SLUG)
        third = sign(site.url, SLUG, "s2@example.org")
        won = dict(site.won)

    assert [r.status for r in (first, second, third)] == [201, 201, 201]
    assert (missed.count, missed.milestones) == (1, ())
    assert third.json()["count"] == 3
    assert won == {(SLUG, 2): 1}
    # reached at the second signature's time, not the third's that came to count it
    reached = stored(flaky, "s1@example.org").signed_at
    assert flaky.tally(SLUG).milestones == (Milestone(2, reached),)
    assert_consistent(flaky, 3)


def test_a_batch_applied_whose_answer_was_lost_is_not_counted_again(
    site_dir: Path, flaky: FlakyStore
) -> None:
    with serving_flaky(site_dir, flaky, counting="later") as site:
        replies = [sign(site.url, SLUG, f"b{n}@example.org") for n in range(3)]
        flaky.fail("apply_counts", StoreError("connection lost after commit"), after=True)
        with pytest.raises(StoreError, match="connection lost"):
            site.count()
        assert site.count() == 0  # nothing is waiting: the batch was applied

    assert [r.status for r in replies] == [201, 201, 201]
    reached = stored(flaky, "b1@example.org").signed_at
    assert flaky.tally(SLUG).milestones == (Milestone(2, reached),)
    assert_consistent(flaky, 3)


def test_a_failing_milestone_hook_never_fails_the_signature(
    site_dir: Path, flaky: FlakyStore
) -> None:
    def broken(petition: Petition, reached: tuple[Milestone, ...]) -> None:
        raise RuntimeError("the CDN is down")

    with serving_flaky(site_dir, flaky, hooks=[broken]) as site:
        replies = [sign(site.url, SLUG, f"h{n}@example.org") for n in range(2)]
        assert site.writeback.wait(10)
        shown = page_count(site.page())

    assert [r.status for r in replies] == [201, 201]
    assert replies[1].json()["count"] == 2
    assert [m.count for m in flaky.tally(SLUG).milestones] == [2]
    assert shown == 2  # the write-back before the broken hook still published the page
    assert_consistent(flaky, 2)


def test_a_publish_that_fails_never_fails_the_signature(
    site_dir: Path, flaky: FlakyStore, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "published"
    not_a_folder.write_text("a file where the site should be\n")
    with serving_flaky(site_dir, flaky, out=not_a_folder / "site") as site:
        replies = [sign(site.url, SLUG, f"p{n}@example.org") for n in range(2)]
        assert site.writeback.wait(10)
        failures = site.writeback.failures

    assert [r.status for r in replies] == [201, 201]
    assert replies[1].json()["count"] == 2
    assert failures == 1
    assert [m.count for m in flaky.tally(SLUG).milestones] == [2]
    assert_consistent(flaky, 2)


@pytest.mark.dynamodb_local
def test_throttled_writes_are_retried_by_the_store_and_counted_once(
    site_dir: Path, dynamo: DynamoStore
) -> None:
    throttled = Throttled(times=2)  # the SDK makes 3 attempts (sdk_attempts)
    event = "before-send.dynamodb.PutItem"
    with serving(site_dir, dynamo) as site:
        dynamo.client.meta.events.register(event, throttled)
        try:
            reply = sign(site.url, SLUG, "kahu@example.org")
        finally:
            dynamo.client.meta.events.unregister(event, throttled)

    assert throttled.sends == 3
    assert reply.status == 201
    assert reply.json()["count"] == 1
    assert_consistent(dynamo, 1)


@pytest.mark.dynamodb_local
@pytest.mark.parametrize(
    ("rate_limit", "operation", "fault"),
    [
        (0, "PutItem", Fault("ProvisionedThroughputExceededException", times=50)),
        (0, "PutItem", Fault("InternalServerError", times=50, status=500)),
        (60, "TransactWriteItems", Fault("ProvisionedThroughputExceededException", times=50)),
        (60, "TransactWriteItems", Fault("TransactionCanceledException", times=50,
                                         reasons=("None", "TransactionConflict"))),
        (60, "TransactWriteItems", Fault("TransactionCanceledException", times=1,
                                         reasons=("None", "ValidationError"))),
        (60, "TransactWriteItems", Fault("InternalServerError", times=50, status=500)),
    ],
    ids=["put-throttled", "put-internal", "throttled", "conflict", "cancelled", "internal"],
)  # fmt: skip
def test_a_write_that_keeps_failing_is_a_503_and_the_later_retry_counts_once(
    site_dir: Path, dynamo: DynamoStore, rate_limit: int, operation: str, fault: Fault
) -> None:
    # Without a rate limit a signature is one PutItem; with the local server's limit, one
    # transaction of the signature and the client's rate counter.
    with serving(site_dir, dynamo, rate_limit=rate_limit) as site:
        with failing(dynamo.client, operation, fault):
            first = sign(site.url, SLUG, "tui@example.org")
            stored_meanwhile = list(dynamo.signatures(SLUG))
        retry = sign(site.url, SLUG, "tui@example.org")

    assert_retryable(first)
    assert stored_meanwhile == []
    assert retry.status == 201
    assert retry.json()["count"] == 1
    assert_consistent(dynamo, 1)


@pytest.mark.dynamodb_local
@pytest.mark.parametrize("operation", ["PutItem", "GetItem"])
def test_an_answer_lost_after_the_write_is_a_503_and_counts_once(
    site_dir: Path, dynamo: DynamoStore, operation: str
) -> None:
    # PutItem: the signature's write; GetItem: the count read after it (the answer's count).
    lost = AfterCall(ReadTimeoutError(endpoint_url=str(dynamo.endpoint_url)))
    event = f"after-call.dynamodb.{operation}"
    with serving(site_dir, dynamo) as site:
        dynamo.client.meta.events.register(event, lost)
        try:
            first = sign(site.url, SLUG, "ruru@example.org")
        finally:
            dynamo.client.meta.events.unregister(event, lost)
        stored_meanwhile = len(list(dynamo.signatures(SLUG)))
        retry = sign(site.url, SLUG, "RURU@example.org")
        second = sign(site.url, SLUG, "pipi@example.org")
        won = dict(site.won)

    assert lost.fired == 1
    assert_retryable(first)
    assert stored_meanwhile == 1
    assert retry.status == 201 and retry.json()["count"] <= 1  # at most a second old
    assert (second.status, second.json()["count"]) == (201, 2)
    assert won == {(SLUG, 2): 1}
    pipi = stored(dynamo, "pipi@example.org")
    assert dynamo.tally(SLUG).milestones == (Milestone(2, pipi.signed_at),)
    assert_consistent(dynamo, 2)

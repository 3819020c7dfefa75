"""The DynamoDB store beyond the contract: its table and stream, its request budget, its faults."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from generator.counting.counter import Counter
from generator.errors import ConfigError, StoreError
from generator.model import Milestone, Tally
from generator.store import open_store
from generator.store.base import PENDING, CountUpdate, RateLimit
from generator.store.dynamodb import DynamoStore
from generator.store.dynamodb_errors import reasons_of
from generator.store.dynamodb_stream import StreamSource
from generator.store.dynamodb_table import table_definition
from tests.store.faults import Fault, counting, failing
from tests.store.helpers import FAST, START, counted, ladder, signature
from tests.support.counting import source_of
from tests.support.dynamodb_local import free_port

SLUG = "save-the-park"


def test_init_creates_an_on_demand_encrypted_table_with_index_ttl_and_stream(
    dynamo_store: DynamoStore,
) -> None:
    client = dynamo_store.client
    table = client.describe_table(TableName=dynamo_store.table)["Table"]
    ttl = client.describe_time_to_live(TableName=dynamo_store.table)["TimeToLiveDescription"]

    assert table["TableStatus"] == "ACTIVE"
    assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {
        "pk": "HASH",
        "sk": "RANGE",
    }
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["gsi1"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires")
    assert table["StreamSpecification"] == {  # the counter's feed: each change, both images
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }


def test_init_turns_on_encryption_at_rest(moto: None) -> None:
    # DynamoDB Local ignores SSE settings; moto reports them as AWS would.
    store = DynamoStore("petitions", region="us-east-1")
    store.init()

    table = store.client.describe_table(TableName="petitions")["Table"]

    assert table["SSEDescription"]["Status"] == "ENABLED"


def test_init_refuses_a_table_of_another_shape(moto: None) -> None:
    store = DynamoStore("someone-elses", region="us-east-1")
    store.client.create_table(
        TableName="someone-elses",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with pytest.raises(ConfigError, match=r"someone-elses.*another shape"):
        store.init()


def test_init_turns_the_stream_on_for_a_table_made_before_it(dynamo_store: DynamoStore) -> None:
    old = DynamoStore(
        f"{dynamo_store.table}-old",
        region="us-east-1",
        endpoint_url=dynamo_store.endpoint_url,
        settle=dynamo_store.settle,
    )
    definition = dict(table_definition(old.table))
    del definition["StreamSpecification"]  # as tables were made before counting moved
    old.client.create_table(**definition)  # type: ignore[arg-type]
    old.client.get_waiter("table_exists").wait(
        TableName=old.table, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    assert "LatestStreamArn" not in old.client.describe_table(TableName=old.table)["Table"]
    old.sign(signature(1))  # signed before the stream: repair counts these

    old.init()
    old.init()  # and again: nothing more to do

    table = old.client.describe_table(TableName=old.table)["Table"]
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert table["LatestStreamArn"]
    old.sign(signature(2))
    assert counted(old).tally(SLUG).count == 1  # the stream counts what is signed from now on
    assert old.repair(SLUG) == (1, 2)  # and the daily repair what was signed before
    assert counted(old).tally(SLUG).count == 2
    old.client.delete_table(TableName=old.table)
    old.close()


def test_the_request_path_writes_once_and_never_reads(dynamo_store: DynamoStore) -> None:
    rate = RateLimit(key="client-a", limit=10)
    dynamo_store.sign(signature(0), rate)  # the client's first use is not what we measure
    waiting = replace(signature(2), state=PENDING, id="id2", confirmed_at=None)

    with counting(dynamo_store.client) as new:
        dynamo_store.sign(signature(1), rate)
    with counting(dynamo_store.client) as duplicate:
        again = dynamo_store.sign(signature(1, name="Someone Else"), rate)
    with counting(dynamo_store.client) as plain:
        dynamo_store.sign(waiting)
        plain_again = dynamo_store.sign(replace(waiting, id="another"))
    with counting(dynamo_store.client) as confirming:
        dynamo_store.confirm(SLUG, waiting.email_key, waiting.id, START)
        dynamo_store.confirm(SLUG, waiting.email_key, waiting.id, START)  # twice
        dynamo_store.reject(SLUG, waiting.email_key, waiting.id, START)
        dynamo_store.bounce(SLUG, waiting.email_key)
        dynamo_store.note_mail(SLUG, waiting.email_key, None, START)

    assert new == {"TransactWriteItems": 1}  # the signature and the client's rate counter
    # a duplicate learns what is stored from the refused write itself
    assert duplicate == {"TransactWriteItems": 1}
    assert again.existing == signature(1)
    assert plain == {"PutItem": 2}
    assert plain_again.existing == waiting
    assert confirming == {"UpdateItem": 5}


def test_counting_reads_count_items_by_key_and_never_scans(dynamo_store: DynamoStore) -> None:
    for n in range(30):
        dynamo_store.sign(signature(n), RateLimit(key="client-a", limit=100))
        dynamo_store.sign(signature(n, slug="fix-the-bridge"))
    feed = source_of(dynamo_store).read()
    assert feed is not None

    with counting(dynamo_store.client) as calls:
        Counter(ladder(10, 20), dynamo_store).apply(feed)
    source_of(dynamo_store).done(feed)
    with counting(dynamo_store.client) as reads:
        dynamo_store.counts([SLUG, "fix-the-bridge", "never-signed"])
        dynamo_store.tally(SLUG)

    assert calls == {"BatchGetItem": 1, "TransactWriteItems": 1}  # one batch, one transaction
    assert reads == {"BatchGetItem": 1, "GetItem": 1}


def test_one_count_item_per_petition_and_rate_counters_and_markers_expire(
    dynamo_store: DynamoStore,
) -> None:
    for n in range(30):
        dynamo_store.sign(signature(n), RateLimit(key="client-a", limit=100))
    counted(dynamo_store, ladder(10))

    def scan(prefix: str) -> list[dict[str, Any]]:
        return dynamo_store.client.scan(
            TableName=dynamo_store.table,
            FilterExpression="begins_with(pk, :p)",
            ExpressionAttributeValues={":p": {"S": prefix}},
        )["Items"]

    (count,) = scan("count#")
    (rate,) = scan("rate#client-a#")
    markers = scan("batch#")

    assert (count["pk"]["S"], count["sk"]["S"], count["n"]["N"], count["p"]["N"]) == (
        f"count#{SLUG}",
        "count",
        "30",
        "0",
    )
    assert count["m10"]["S"] == "2026-03-01T12:00:19.000000Z"  # the tenth signer's time
    assert rate["pk"]["S"] == "rate#client-a#202603011200"
    assert int(rate["expires"]["N"]) == int(START.timestamp()) + 120
    assert markers
    assert all(int(m["expires"]["N"]) > int(START.timestamp()) + 24 * 3600 for m in markers)


def test_a_batch_of_many_petitions_is_applied_in_parts_and_once(moto: None) -> None:
    store = DynamoStore("petitions", region="us-east-1", backoff=FAST)
    store.init()
    slugs = [f"petition-{n:03d}" for n in range(130)]
    for n, slug in enumerate(slugs):
        store.sign(signature(n, slug=slug))
    feed = source_of(store).read(limit=1000)
    assert feed is not None and len(feed.changes) == 130

    with counting(store.client) as calls:
        applied = Counter(ladder(1, slugs=tuple(slugs)), store).apply(feed)
    with counting(store.client) as again:
        assert Counter(ladder(1, slugs=tuple(slugs)), store).apply(feed) == []

    assert len(applied) == 130
    # 100 keys a read; 49 petitions a transaction (each its count item and its log leaves)
    assert calls == {"BatchGetItem": 2, "TransactWriteItems": 3}
    assert again == {"BatchGetItem": 2, "TransactWriteItems": 3}  # every part refused
    found = store.counts(slugs)
    assert {t.count for t in found.values()} == {1}
    assert all(len(t.milestones) == 1 for t in found.values())


def test_a_counter_restarted_mid_batch_counts_the_batch_once(
    dynamo_store: DynamoStore, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "stream.json"
    for n in range(5):
        dynamo_store.sign(signature(n))
    first = StreamSource(dynamo_store, checkpoint)
    feed = first.read()
    assert feed is not None
    Counter(ladder(3), dynamo_store).apply(feed)  # applied, and then the process died

    restarted = StreamSource(dynamo_store, checkpoint)
    again = restarted.read()
    assert again is not None and again.batch == feed.batch  # the same records again
    assert Counter(ladder(3), dynamo_store).apply(again) == []
    restarted.done(again)
    dynamo_store.sign(signature(9))
    Counter(ladder(3), dynamo_store).drain(restarted)

    assert dynamo_store.tally(SLUG) == Tally(
        count=6, milestones=(Milestone(3, START + timedelta(seconds=2)),)
    )
    assert StreamSource(dynamo_store, checkpoint).read() is None  # read to the end, for good


@pytest.mark.parametrize(
    ("code", "reasons"),
    [
        ("TransactionCanceledException", ("None", "ThrottlingError")),
        ("TransactionCanceledException", ("TransactionConflict", "None")),
        ("ThrottlingException", ()),
        ("ProvisionedThroughputExceededException", ()),
    ],
)
def test_a_throttled_transaction_is_retried_until_it_succeeds(
    moto: None, code: str, reasons: tuple[str, ...]
) -> None:
    store = DynamoStore("petitions", region="us-east-1", backoff=FAST)
    store.init()

    with failing(store.client, "TransactWriteItems", Fault(code, 2, reasons)) as fault:
        outcome = store.sign(signature(1), RateLimit(key="client-a", limit=10))

    assert fault.calls == 3
    assert outcome.added is True
    assert counted(store).tally(SLUG).count == 1


def test_lasting_throttling_is_a_store_error_and_nothing_is_counted(moto: None) -> None:
    store = DynamoStore("petitions", region="us-east-1", backoff=FAST)
    store.init()
    throttled = Fault("TransactionCanceledException", 1000, ("None", "ThrottlingError"))

    with failing(store.client, "TransactWriteItems", throttled), pytest.raises(StoreError) as err:
        store.sign(signature(1), RateLimit(key="client-a", limit=10))

    assert throttled.calls == FAST.attempts
    assert "gave up" in str(err.value)
    assert "Signer 1" not in str(err.value)
    assert "signer1@example.org" not in str(err.value)
    assert counted(store).tally(SLUG).count == 0
    assert list(store.signatures(SLUG)) == []


def test_a_transaction_cancelled_for_another_reason_is_a_store_error_at_once(moto: None) -> None:
    store = DynamoStore("petitions", region="us-east-1", backoff=FAST)
    store.init()
    invalid = Fault("TransactionCanceledException", 1000, ("ValidationError", "None"))

    with failing(store.client, "TransactWriteItems", invalid), pytest.raises(StoreError) as err:
        store.sign(signature(1), RateLimit(key="client-a", limit=10))

    assert invalid.calls == 1
    assert "ValidationError" in str(err.value)


def test_a_failed_count_write_is_an_error_and_the_batch_is_counted_once_later(
    moto: None,
) -> None:
    store = DynamoStore("petitions", region="us-east-1", backoff=FAST)
    store.init()
    store.sign(signature(1))
    feed = source_of(store).read()
    assert feed is not None

    denied = Fault("AccessDeniedException", 1)
    with failing(store.client, "TransactWriteItems", denied), pytest.raises(StoreError):
        Counter(ladder(1), store).apply(feed)

    assert store.tally(SLUG) == Tally()
    assert counted(store, ladder(1)).tally(SLUG) == Tally(
        count=1, milestones=(Milestone(1, START + timedelta(seconds=1)),)
    )
    assert counted(store, ladder(1)).tally(SLUG).count == 1


def test_an_unreachable_endpoint_is_a_quick_store_error() -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    store = open_store(f"dynamodb://petitions?region=us-east-1&endpoint_url={closed}")

    sent: list[str] = []
    store.client.meta.events.register(
        "before-send.dynamodb", lambda request, **_: sent.append(request.url)
    )
    with counting(store.client) as calls, pytest.raises(StoreError) as err:
        store.sign(signature(1), RateLimit(key="client-a", limit=10))

    assert closed in str(err.value)
    assert "signer1@example.org" not in str(err.value)
    # A few quick retries, never a hang: one call, which the SDK tries again a few times (the
    # first try and at most three retries), and the store does not try it all over again.
    assert calls == {"TransactWriteItems": 1}
    assert 1 < len(sent) <= 4
    assert {url.rstrip("/") for url in sent} == {closed}
    for call in (
        store.init,
        lambda: store.tally(SLUG),
        store.tallies,
        lambda: store.counts([SLUG]),
        lambda: store.claim(SLUG, "count-file", START, timedelta(seconds=1)),
        lambda: store.apply_counts("a-batch", [CountUpdate(SLUG, Tally(), 1, 0)]),
        lambda: list(store.signatures(SLUG)),
    ):
        with pytest.raises(StoreError):
            call()


@pytest.mark.dynamodb_local
def test_a_retry_after_a_lost_answer_finds_its_own_success(
    local_table: tuple[str, str],
) -> None:
    endpoint, name = local_table
    unhurried = replace(FAST, budget=30.0)  # a loaded machine may take seconds to deliver
    store = DynamoStore(name, region="us-east-1", endpoint_url=endpoint, backoff=unhurried)
    store.init()
    other = DynamoStore(name, region="us-east-1", endpoint_url=endpoint)
    other.init()  # its client built and connected before the race

    def deliver_then_lose_the_answer(request: dict[str, Any]) -> None:
        other.client.transact_write_items(**json.loads(request["body"]))

    lost = Fault("InternalServerError", 1, status=500, before=deliver_then_lose_the_answer)
    with failing(store.client, "TransactWriteItems", lost):
        outcome = store.sign(signature(1), RateLimit(key="client-a", limit=10))

    assert lost.calls == 2
    assert outcome.added is True  # the retry's token matched the write that went through
    assert counted(store).tally(SLUG).count == 1
    other.close()
    store.close()


def test_no_region_is_a_clear_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    store = open_store("dynamodb://petitions")

    with pytest.raises(ConfigError, match="region"):
        store.tally(SLUG)


def test_a_missing_table_is_a_store_error_saying_how_to_create_it(moto: None) -> None:
    store = DynamoStore("never-created", region="us-east-1", backoff=FAST)

    with pytest.raises(StoreError, match=r"never-created.*init-store"):
        store.sign(signature(1))


def test_cancellation_reasons_are_read_from_the_message_when_not_listed() -> None:
    message = (
        "Transaction cancelled, please refer cancellation reasons [ConditionalCheckFailed, None]"
    )
    exc = ClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": message}},
        "TransactWriteItems",
    )

    assert reasons_of(exc) == ["ConditionalCheckFailed", "None"]


def test_the_audit_reads_count_items_only_not_a_tables_old_count_shards(
    dynamo_store: DynamoStore,
) -> None:
    # a table from before counting moved kept each count in shards `count#<slug>#<i>`
    shard = {"pk": {"S": f"count#{SLUG}#3"}, "sk": {"S": "count"}, "slug": {"S": SLUG}}
    dynamo_store.client.put_item(
        TableName=dynamo_store.table, Item={**shard, "n": {"N": "41"}, "p": {"N": "2"}}
    )
    dynamo_store.sign(signature(1))

    counted(dynamo_store)

    assert dynamo_store.tallies() == {SLUG: Tally(count=1)}
    assert dynamo_store.counts([SLUG]) == {SLUG: Tally(count=1)}

"""The DynamoDB store beyond the contract: its table, its request budget and its faults."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from generator.errors import ConfigError, StoreError
from generator.store import open_store
from generator.store.base import RateLimit
from generator.store.dynamodb import DynamoStore
from generator.store.dynamodb_errors import reasons_of
from tests.store.faults import Fault, counting, failing
from tests.store.helpers import FAST, START, signature
from tests.support.dynamodb_local import free_port

SLUG = "save-the-park"


def test_init_creates_an_on_demand_encrypted_table_with_export_index_and_ttl(
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


def test_a_new_signature_costs_one_write_and_one_read(dynamo_store: DynamoStore) -> None:
    rate = RateLimit(key="client-a", limit=10)
    dynamo_store.sign(signature(0), rate)  # the client's first use is not what we measure

    with counting(dynamo_store.client) as new:
        dynamo_store.sign(signature(1), rate)
    with counting(dynamo_store.client) as duplicate:
        dynamo_store.sign(signature(1), rate)

    assert new == {"TransactWriteItems": 1, "BatchGetItem": 1}
    # a duplicate also reads the stored signature: its state decides whether to mail again
    assert duplicate == {"TransactWriteItems": 1, "BatchGetItem": 2}


def test_counts_spread_over_shards_and_rate_counters_expire(dynamo_store: DynamoStore) -> None:
    for n in range(30):
        dynamo_store.sign(signature(n), RateLimit(key="client-a", limit=100))

    shards = dynamo_store.client.scan(
        TableName=dynamo_store.table,
        FilterExpression="begins_with(pk, :p)",
        ExpressionAttributeValues={":p": {"S": f"count#{SLUG}#"}},
    )["Items"]
    (rate,) = dynamo_store.client.scan(
        TableName=dynamo_store.table,
        FilterExpression="begins_with(pk, :p)",
        ExpressionAttributeValues={":p": {"S": "rate#client-a#"}},
    )["Items"]

    assert len(shards) > 1
    assert sum(int(s["n"]["N"]) for s in shards) == 30
    assert rate["pk"]["S"] == "rate#client-a#202603011200"
    assert int(rate["expires"]["N"]) == int(START.timestamp()) + 120


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
        outcome = store.sign(signature(1))

    assert fault.calls == 3
    assert outcome.added is True
    assert outcome.tally.count == 1


def test_lasting_throttling_is_a_store_error_and_nothing_is_counted(moto: None) -> None:
    store = DynamoStore("petitions", region="us-east-1", backoff=FAST)
    store.init()
    throttled = Fault("TransactionCanceledException", 1000, ("None", "ThrottlingError"))

    with failing(store.client, "TransactWriteItems", throttled), pytest.raises(StoreError) as err:
        store.sign(signature(1))

    assert throttled.calls == FAST.attempts
    assert "gave up" in str(err.value)
    assert "Signer 1" not in str(err.value)
    assert "signer1@example.org" not in str(err.value)
    assert store.tally(SLUG).count == 0
    assert list(store.signatures(SLUG)) == []


def test_a_transaction_cancelled_for_another_reason_is_a_store_error_at_once(moto: None) -> None:
    store = DynamoStore("petitions", region="us-east-1", backoff=FAST)
    store.init()
    invalid = Fault("TransactionCanceledException", 1000, ("ValidationError", "None"))

    with failing(store.client, "TransactWriteItems", invalid), pytest.raises(StoreError) as err:
        store.sign(signature(1))

    assert invalid.calls == 1
    assert "ValidationError" in str(err.value)


def test_a_failed_milestone_write_is_an_error_not_a_lost_race(moto: None) -> None:
    store = DynamoStore("petitions", region="us-east-1", backoff=FAST)
    store.init()

    fault = Fault("AccessDeniedException", 1)
    with failing(store.client, "UpdateItem", fault), pytest.raises(StoreError):
        store.record_milestone(SLUG, 100, START)

    assert store.record_milestone(SLUG, 100, START) is True


def test_an_unreachable_endpoint_is_a_quick_store_error() -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    store = open_store(f"dynamodb://petitions?region=us-east-1&endpoint_url={closed}")

    sent: list[str] = []
    store.client.meta.events.register(
        "before-send.dynamodb", lambda request, **_: sent.append(request.url)
    )
    with counting(store.client) as calls, pytest.raises(StoreError) as err:
        store.sign(signature(1))

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
        lambda: store.record_milestone(SLUG, 1, START),
        lambda: list(store.signatures(SLUG)),
    ):
        with pytest.raises(StoreError):
            call()


@pytest.mark.dynamodb_local
def test_a_retry_after_a_lost_answer_finds_its_own_success(
    local_table: tuple[str, str],
) -> None:
    endpoint, name = local_table
    store = DynamoStore(name, region="us-east-1", endpoint_url=endpoint, backoff=FAST)
    store.init()
    other = DynamoStore(name, region="us-east-1", endpoint_url=endpoint)

    def deliver_then_lose_the_answer(request: dict[str, Any]) -> None:
        other.client.transact_write_items(**json.loads(request["body"]))

    lost = Fault("InternalServerError", 1, status=500, before=deliver_then_lose_the_answer)
    with failing(store.client, "TransactWriteItems", lost):
        outcome = store.sign(signature(1))

    assert lost.calls == 2
    assert outcome.added is True  # the retry's token matched the write that went through
    assert outcome.tally.count == 1
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

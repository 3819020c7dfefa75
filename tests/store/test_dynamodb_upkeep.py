"""Forget, recount and repair on DynamoDB beyond the contract: index lag, races, faults."""

from __future__ import annotations

from typing import Any

import pytest

from generator.errors import StoreError
from generator.store.dynamodb import DynamoStore
from tests.store.faults import Fault, counting, failing
from tests.store.helpers import FAST, signature, skew

SLUG = "save-the-park"


def fresh(endpoint: str | None = None, table: str = "petitions") -> DynamoStore:
    """An initialised store on moto (or the given endpoint) that retries quickly."""
    store = DynamoStore(table, region="us-east-1", endpoint_url=endpoint, backoff=FAST, settle=0)
    store.init()
    return store


def test_a_drift_that_is_only_index_lag_is_left_alone(moto: None) -> None:
    store = fresh()
    for n in range(3):
        store.sign(signature(n))
    lagging = {"queries": 1}

    def hide_one(parsed: dict[str, Any], **_: Any) -> None:
        if lagging["queries"] and parsed.get("Count"):  # the first look misses one signature
            parsed["Count"] -= 1
            lagging["queries"] -= 1

    store.client.meta.events.register("after-call.dynamodb.Query", hide_one)
    with counting(store.client) as calls:
        assert store.repair(SLUG) == (3, 3)

    assert lagging["queries"] == 0  # the lag was seen, then confirmed away
    assert "TransactWriteItems" not in calls
    assert store.tally(SLUG).count == 3


@pytest.mark.parametrize(
    ("meanwhile", "expected"),
    [("sign", (8, 4)), ("repair", (3, 3))],
    ids=["a signature lands", "another repair runs"],
)
def test_a_shard_moving_before_the_fix_makes_the_repair_measure_again(
    moto: None, meanwhile: str, expected: tuple[int, int]
) -> None:
    store = fresh()
    other = fresh()  # another process on the same table
    for n in range(3):
        store.sign(signature(n))
    skew(store, SLUG, 4)
    done: list[object] = []

    def interfere(**_: Any) -> None:
        if not done:
            done.append(other.sign(signature(9)) if meanwhile == "sign" else other.repair(SLUG))

    store.client.meta.events.register("before-call.dynamodb.TransactWriteItems", interfere)
    with counting(store.client) as calls:
        outcome = store.repair(SLUG)

    assert calls["TransactWriteItems"] == (2 if meanwhile == "sign" else 1)
    assert outcome == expected  # never the same drift fixed twice
    assert store.tally(SLUG).count == store.recount(SLUG) == (4 if meanwhile == "sign" else 3)


def test_a_throttled_forget_is_retried_and_counts_down_once(moto: None) -> None:
    store = fresh()
    store.sign(signature(1))
    store.sign(signature(2))
    throttled = Fault("TransactionCanceledException", 2, ("None", "ThrottlingError"))

    with failing(store.client, "TransactWriteItems", throttled):
        removed = store.forget(signature(1).email_key, [SLUG])

    assert throttled.calls == 3
    assert removed == [SLUG]
    assert store.tally(SLUG).count == 1


def test_upkeep_on_an_unreachable_endpoint_is_a_store_error_naming_no_signer() -> None:
    from tests.support.dynamodb_local import free_port

    store = DynamoStore(
        "petitions", region="us-east-1", endpoint_url=f"http://127.0.0.1:{free_port()}",
        backoff=FAST, sdk_attempts=1, connect_timeout=0.2,
    )  # fmt: skip
    for call in (
        lambda: store.forget(signature(1).email_key, [SLUG]),
        lambda: store.recount(SLUG),
        lambda: store.repair(SLUG),
    ):
        with pytest.raises(StoreError) as err:
            call()
        assert "petitions" in str(err.value)
        assert signature(1).email_key not in str(err.value)

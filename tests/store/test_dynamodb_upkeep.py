"""Forget, recount and repair on DynamoDB beyond the contract: index lag, races, faults."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from generator.errors import StoreError
from generator.model import Tally
from generator.store.dynamodb import DynamoStore
from tests.store.faults import Fault, counting, failing, throttled_on_the_wire
from tests.store.helpers import FAST, counted, second_client, signature, skew

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
    counted(store)
    lagging = {"queries": 1}

    def hide_one(parsed: dict[str, Any], **_: Any) -> None:
        if lagging["queries"] and parsed.get("Count"):  # the first look misses one signature
            parsed["Count"] -= 1
            lagging["queries"] -= 1

    store.client.meta.events.register("after-call.dynamodb.Query", hide_one)
    with counting(store.client) as calls:
        assert store.repair(SLUG) == (3, 3)

    assert lagging["queries"] == 0  # the lag was seen, then confirmed away
    assert "UpdateItem" not in calls  # the count item was left alone
    assert store.tally(SLUG).count == 3


@pytest.mark.parametrize(
    ("meanwhile", "expected"),
    [("count", (8, 4)), ("repair", (3, 3))],
    ids=["a signature is counted", "another repair runs"],
)
def test_a_count_moving_before_the_fix_makes_the_repair_measure_again(
    moto: None, meanwhile: str, expected: tuple[int, int]
) -> None:
    store = fresh()
    other = second_client(store)  # another process on the same table
    for n in range(3):
        store.sign(signature(n))
    counted(store)
    skew(store, SLUG, 4)
    done: list[object] = []

    def interfere(**_: Any) -> None:
        if done:
            return
        if meanwhile == "count":
            done.append(other.sign(signature(9)))
            counted(store)  # the stream's counter (one reader per stream)
        else:
            done.append(other.repair(SLUG))

    store.client.meta.events.register("before-call.dynamodb.UpdateItem", interfere)
    with counting(store.client) as calls:
        outcome = store.repair(SLUG)

    assert calls["UpdateItem"] == (2 if meanwhile == "count" else 1)
    assert outcome == expected  # never the same drift fixed twice
    assert store.tally(SLUG).count == store.recount(SLUG) == (4 if meanwhile == "count" else 3)
    assert counted(store).tally(SLUG).count == store.recount(SLUG)


@pytest.mark.dynamodb_local
def test_a_throttled_forget_is_retried_and_counts_down_once(local_table: tuple[str, str]) -> None:
    store = fresh(*local_table)
    store.sign(signature(1))
    store.sign(signature(2))
    counted(store)

    with throttled_on_the_wire(store.client, "DeleteItem", 2) as throttled:
        removed = store.forget(signature(1).email_key, [SLUG])

    assert throttled == ["DeleteItem"] * 2  # the SDK tried again
    assert removed == [SLUG]
    assert counted(store).tally(SLUG) == Tally(count=1)
    store.close()


def test_a_forget_throttled_past_the_retries_is_an_error_and_may_be_run_again(
    moto: None,
) -> None:
    store = fresh()
    store.sign(signature(1))
    store.sign(signature(2))
    counted(store)

    throttled = Fault("ThrottlingException", 1)
    with failing(store.client, "DeleteItem", throttled), pytest.raises(StoreError, match="Thrott"):
        store.forget(signature(1).email_key, [SLUG])
    assert counted(store).tally(SLUG) == Tally(count=2)  # nothing was deleted

    assert store.forget(signature(1).email_key, [SLUG]) == [SLUG]
    assert counted(store).tally(SLUG) == Tally(count=1)


def test_a_rekey_whose_new_key_was_taken_meanwhile_leaves_the_signature_counted(
    moto: None,
) -> None:
    store = fresh()
    store.sign(signature(1, email="Ada@Example.org"))
    counted(store)
    new_key = f"{'ada@example.org':>064}"

    def sign_under_the_new_key(**_: Any) -> None:  # before the move's transaction
        if not list(store.signatures("elsewhere")):
            store.sign(signature(2, slug="elsewhere"))  # only once
            store.sign(replace(signature(3), email_key=new_key))

    store.client.meta.events.register(
        "before-call.dynamodb.TransactWriteItems", sign_under_the_new_key
    )
    done = store.rekey(SLUG, lambda email: f"{email.lower():>064}")
    store.client.meta.events.unregister(
        "before-call.dynamodb.TransactWriteItems", sign_under_the_new_key
    )

    assert (done.changed, done.merged) == (0, 0)
    assert counted(store).tally(SLUG).count == 2
    store.forget(signature(1).email_key, [SLUG])  # the signature left where it was ...
    assert counted(store).tally(SLUG).count == 1  # ... still counts when it goes


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

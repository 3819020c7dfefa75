"""Forgetting a signer, recounting a petition and repairing its counter, on the DynamoDB table.

Recounts read the export index, which DynamoDB keeps *eventually* consistent (usually well
under a second behind the table). So a repair measures twice, `settle` seconds apart, and
acts only when the count shards stood still over both measurements: every signature they
count was then written long enough ago to be in the index. The fix is one transaction that
checks every shard still holds what was read and ADDs the difference to shard 0; if signing
moved any shard meanwhile (or a second repair ran), it measures again.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from generator.store import dynamodb_items as items
from generator.store.base import CONFIRMED, STATES
from generator.store.dynamodb_client import Table
from generator.store.dynamodb_errors import CHECK_FAILED
from generator.store.retry import Retry, retrying

if TYPE_CHECKING:  # the boto3 stubs, for type checking only: nothing more is imported to run
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        ConditionCheckTypeDef,
        DeleteTypeDef,
        TransactWriteItemTypeDef,
    )

Shards = tuple[int | None, ...]  # each count shard's n, None where the item does not exist


def forget(table: Table, shards: int, email_key: str, slugs: Iterable[str]) -> list[str]:
    """Delete the signer's signature on each petition, each with its counter lowered."""
    return [
        slug
        for slug in dict.fromkeys(slugs)
        if delete_signature(table, shards, slug, email_key, set(STATES))
    ]


def delete_signature(
    table: Table, shards: int, slug: str, email_key: str, states: set[str]
) -> bool:
    """Delete one signature if it is in one of `states`, lowering the counter its state
    adds to, in one transaction checked against the state read; True if it was deleted."""
    what = f"delete a signature of {slug!r}"
    key = items.signature_key(slug, email_key)
    shard = random.randrange(shards)

    def attempt() -> bool:
        found = table.get_items([key], what)
        if not found:
            return False
        state = found[0].get("state", {"S": CONFIRMED})["S"]
        if state not in states:
            return False
        counted, pending = items.deltas(state)
        delete: DeleteTypeDef = {
            "TableName": table.name,
            "Key": key,
            "ExpressionAttributeNames": {"#s": "state"},
            # a signature stored before confirmation existed has no state (it counted)
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(#s)",
        }
        if "state" in found[0]:
            delete["ConditionExpression"] = "#s = :was"
            delete["ExpressionAttributeValues"] = {":was": {"S": state}}
        parts: list[TransactWriteItemTypeDef] = [{"Delete": delete}]
        if counted or pending:
            parts.append(
                {
                    "Update": {
                        "TableName": table.name,
                        "Key": items.shard_key(slug, shard),
                        "UpdateExpression": items.counter_update(slug, -counted, -pending),
                        "ExpressionAttributeValues": items.counter_values(slug, -counted, -pending),
                    }
                }
            )
        if not _transact(table, parts, uuid.uuid4().hex, what):
            raise Retry("changed meanwhile")  # read again
        return True

    return retrying(attempt, table.backoff, f"DynamoDB table {table.name!r}: {what}")


def _transact(
    table: Table, transaction: list[TransactWriteItemTypeDef], token: str, what: str
) -> bool:
    """True when the transaction committed, False when its first condition failed."""

    def cancelled(reasons: list[str], exc: ClientError) -> bool:
        if reasons[:1] == [CHECK_FAILED]:
            return False
        if CHECK_FAILED in reasons:
            raise Retry("count moved") from exc
        raise table.cancelled(reasons, what) from exc

    return table.transact(transaction, token, what, cancelled)


def recount(table: Table, slug: str) -> int:
    """The number of the petition's signatures in the export index (every partition)."""
    total = 0
    try:
        paginator = table.client.get_paginator("query")
        for shard in range(items.GSI_SHARDS):
            for page in paginator.paginate(
                TableName=table.name,
                IndexName=items.GSI,
                KeyConditionExpression="gsi1pk = :p",
                FilterExpression="attribute_not_exists(#s) OR #s = :counted",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={
                    ":p": {"S": items.export_partition(slug, shard)},
                    ":counted": {"S": CONFIRMED},
                },
                Select="COUNT",
            ):
                total += int(page["Count"])
    except (ClientError, BotoCoreError) as exc:
        raise table.failure(f"recount {slug!r}", exc) from exc
    return total


def _shards(table: Table, shards: int, slug: str) -> Shards:
    keys = [items.shard_key(slug, i) for i in range(shards)]
    found = {item["pk"]["S"]: item for item in table.get_items(keys, f"read the count of {slug!r}")}
    values: list[int | None] = []
    for key in keys:
        item = found.get(key["pk"]["S"])
        values.append(None if item is None else int(item.get("n", {"N": "0"})["N"]))
    return tuple(values)


def _measure(table: Table, shards: int, slug: str) -> tuple[Shards, int]:
    """The shards and a recount taken while they stood still (Retry if signing moved them)."""
    before = _shards(table, shards, slug)
    counted = recount(table, slug)
    if _shards(table, shards, slug) != before:
        raise Retry("signing during the recount")
    return before, counted


def _fix(table: Table, slug: str, shards: Shards, delta: int) -> list[TransactWriteItemTypeDef]:
    """One transaction: each shard still holds what was read, and shard 0 gains `delta`."""
    parts: list[TransactWriteItemTypeDef] = []
    for i, value in enumerate(shards):
        key = items.shard_key(slug, i)
        condition = "attribute_not_exists(pk)" if value is None else "n = :was"
        values: dict[str, AttributeValueTypeDef] = {}
        if value is not None:
            values[":was"] = {"N": str(value)}
        if i == 0:
            values.update({":d": {"N": str(delta)}, ":slug": {"S": slug}})
            parts.append(
                {
                    "Update": {
                        "TableName": table.name,
                        "Key": key,
                        "ConditionExpression": condition,
                        "UpdateExpression": "ADD n :d SET slug = :slug",
                        "ExpressionAttributeValues": values,
                    }
                }
            )
            continue
        check: ConditionCheckTypeDef = {
            "TableName": table.name,
            "Key": key,
            "ConditionExpression": condition,
        }
        if values:
            check["ExpressionAttributeValues"] = values
        parts.append({"ConditionCheck": check})
    return parts


def repair(table: Table, count_shards: int, slug: str, settle: float) -> tuple[int, int]:
    """Make the petition's count shards add up to its recount; returns (before, after)."""
    what = f"repair the count of {slug!r}"

    def attempt() -> tuple[int, int]:
        shards, counted = _measure(table, count_shards, slug)
        stored = sum(v or 0 for v in shards)
        if counted == stored:
            return stored, counted
        time.sleep(settle)  # let the index catch up before believing the drift
        again, counted = _measure(table, count_shards, slug)
        if again != shards:
            raise Retry("signing while confirming")
        if counted != stored:
            transaction = _fix(table, slug, shards, counted - stored)
            if not _transact(table, transaction, uuid.uuid4().hex, what):
                raise Retry("count moved")
        return stored, counted

    return retrying(attempt, table.backoff, f"DynamoDB table {table.name!r}: {what}")

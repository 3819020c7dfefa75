"""Deleting signatures, recounting a petition and repairing its count item, on the DynamoDB
table; and the audit's scan of every count item.

A deletion is one DeleteItem: the stream's REMOVE record brings it to the counter. Recounts
read the export index, which DynamoDB keeps *eventually* consistent, and the counter works
from the stream, which lags the table by up to a few seconds. So a repair measures twice,
`settle` seconds apart, and acts only when the count item stood still and the recount held
over both: every change was then counted and indexed. The fix is one conditional update
that checks the item still holds what was read (with, when the petition's public log no
longer adds up to the new count, a base leaf appended in the same transaction); if counting
moved it meanwhile (or a second repair ran), it measures again.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from generator.errors import StoreError
from generator.log.leaves import base_leaf, encode
from generator.model import Tally
from generator.store import dynamodb_items as items
from generator.store.base import CONFIRMED
from generator.store.dynamodb_client import Table
from generator.store.dynamodb_errors import code_of
from generator.store.retry import Retry, retrying
from generator.store.times import to_iso, utc_now

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

SCAN_SEGMENTS = 8  # the audit's scan runs in parallel segments


def delete(table: Table, slug: str, email_key: str, states: set[str] | None) -> bool:
    """Delete one signature (only in one of `states`, unless None); True if it was there."""
    arguments: dict[str, object] = {
        "TableName": table.name,
        "Key": items.signature_key(slug, email_key),
        "ReturnValues": "ALL_OLD",
    }
    if states is not None:
        names = [f":s{i}" for i in range(len(states))]
        arguments["ConditionExpression"] = f"#s IN ({', '.join(names)})"
        arguments["ExpressionAttributeNames"] = {"#s": "state"}
        arguments["ExpressionAttributeValues"] = {
            name: {"S": state} for name, state in zip(names, sorted(states), strict=True)
        }
    try:
        answer = table.client.delete_item(**arguments)  # type: ignore[arg-type]
    except ClientError as exc:
        if code_of(exc) == "ConditionalCheckFailedException":
            return False
        raise table.failure(f"delete a signature of {slug!r}", exc) from exc
    except BotoCoreError as exc:
        raise table.failure(f"delete a signature of {slug!r}", exc) from exc
    return bool(answer.get("Attributes"))


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


def _count_item(table: Table, slug: str) -> Tally:
    found = table.get_items([items.count_key(slug)], f"read the count of {slug!r}")
    return items.tally_of(found[0] if found else None)


def _measure(table: Table, slug: str) -> tuple[Tally, int]:
    """The count item and a recount taken while it stood still (Retry if it moved)."""
    before = _count_item(table, slug)
    counted = recount(table, slug)
    if _count_item(table, slug) != before:
        raise Retry("counting during the recount")
    return before, counted


def repair(table: Table, slug: str, settle: float) -> tuple[int, int]:
    """Make the petition's count item equal its recount; returns (before, after)."""
    what = f"repair the count of {slug!r}"

    def attempt() -> tuple[int, int]:
        stored, counted = _measure(table, slug)
        if counted == stored.count:
            return stored.count, counted
        time.sleep(settle)  # let the stream and the index catch up before believing the drift
        again, recounted = _measure(table, slug)
        if again != stored or recounted != counted:
            raise Retry("signing while confirming the drift")
        # an item at zero holds n = 0; one never counted (or lost) has no n, nor p, which
        # the counter's condition needs
        condition = "n = :was" if stored.count else "attribute_not_exists(n) OR n = :was"
        now = utc_now()
        values: dict[str, AttributeValueTypeDef] = {
            ":to": {"N": str(counted)},
            ":was": {"N": str(stored.count)},
            ":zero": {"N": "0"},
            ":slug": {"S": slug},
            ":now": {"S": to_iso(now)},
        }
        update = "SET n = :to, p = if_not_exists(p, :zero), slug = :slug, updated = :now"
        parts: list[TransactWriteItemTypeDef] = []
        base = counted - stored.log_net  # what the count holds beyond the log's leaves
        if stored.log_size and base != stored.log_base:  # the log says so: a base leaf
            if base < 0:
                raise StoreError(
                    f"DynamoDB table {table.name!r}: the log of {slug!r} adds up to"
                    f" {stored.log_net} signatures, more than the {counted} stored: not repaired"
                )
            values |= {":base": {"N": str(base)}, ":one": {"N": "1"},
                       ":was_z": {"N": str(stored.log_size)}}  # fmt: skip
            update += f", {items.LOG_BASE} = :base ADD {items.LOG_SIZE} :one"
            condition = f"({condition}) AND {items.LOG_SIZE} = :was_z"
            leaf = encode(base_leaf(base, now))
            parts.append(items.leaves_put(table.name, slug, stored.log_size, (leaf,)))
        change = {
            "TableName": table.name, "Key": items.count_key(slug), "UpdateExpression": update,
            "ConditionExpression": condition, "ExpressionAttributeValues": values,
        }  # fmt: skip
        try:
            if parts:
                table.client.transact_write_items(TransactItems=[{"Update": change}, *parts])  # type: ignore[typeddict-item]
            else:
                table.client.update_item(**change)  # type: ignore[arg-type]
        except ClientError as exc:
            if code_of(exc) in ("ConditionalCheckFailedException", "TransactionCanceledException"):
                raise Retry("count moved") from exc
            raise table.failure(what, exc) from exc
        except BotoCoreError as exc:
            raise table.failure(what, exc) from exc
        return stored.count, counted

    return retrying(attempt, table.backoff, f"DynamoDB table {table.name!r}: {what}")


def scan_counts(table: Table) -> dict[str, Tally]:
    """Every petition's count item, by slug: a Scan in parallel segments (the audit only)."""

    def segment(number: int) -> list[items.Item]:
        found: list[items.Item] = []
        pages = table.client.get_paginator("scan").paginate(
            TableName=table.name,
            Segment=number,
            TotalSegments=SCAN_SEGMENTS,
            FilterExpression="sk = :count AND attribute_exists(n)",  # not claims only
            ExpressionAttributeValues={":count": {"S": items.COUNT_SK}},
        )
        for page in pages:
            found += page.get("Items", [])
        return found

    try:
        with ThreadPoolExecutor(SCAN_SEGMENTS) as pool:
            parts = list(pool.map(segment, range(SCAN_SEGMENTS)))
    except (ClientError, BotoCoreError) as exc:
        raise table.failure("scan the count items", exc) from exc
    found = {
        item["slug"]["S"]: items.tally_of(item)
        for part in parts
        for item in part
        if item["pk"] == items.count_key(item["slug"]["S"])["pk"]  # not an old count shard
    }
    return dict(sorted(found.items()))

"""Mail to supporters on the DynamoDB table: who consented to hear more, each signer's notice
of each update (the sent-log), the mailings of updates, and withdrawing consent.

A signer's notice of an update is an attribute of their signature item, `notice#<update>`,
moved by one conditional UpdateItem each time: forgetting the signature takes its notices
with it, and the stream's counter skips them (no state changes). Supporters are read from
the petition's export index partitions (a Query each, filtered to counted signatures with
consent), never by a Scan. Each update's mailing is its own small item:

| item | pk | sk | attributes |
|---|---|---|---|
| mailing | `mailing#<slug>#<update>` | `mailing` | `slug`, `update`, `started`, `finished` |
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from generator.store import dynamodb_items as items
from generator.store.base import CONFIRMED, Mailing, Recipient
from generator.store.dynamodb_client import Table
from generator.store.dynamodb_errors import code_of
from generator.store.times import from_iso, to_iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

MAILING_SK = "mailing"
NOTICE_PREFIX = "notice#"  # a signature item's notice of one update
# A counted signature (items from before confirmation have no state) whose signer consents.
CONSENTING = "#c = :yes AND (#s = :counted OR attribute_not_exists(#s))"
CONSENTING_NAMES = {"#c": "consent", "#s": "state"}


def mailing_key(slug: str, update: str) -> items.Item:
    """Where the mailing of one update of a petition is recorded."""
    return items.key(f"mailing#{slug}#{update}", MAILING_SK)


def notice_attribute(update: str) -> str:
    """The signature item's attribute holding its notice of `update`."""
    return NOTICE_PREFIX + update


def recipients(table: Table, slug: str, update: str) -> Iterator[Recipient]:
    """The consenting counted signatures of a petition with their notices of `update`, oldest
    first: the export index's partitions queried (and filtered) and merged by time."""
    partitions = [
        _partition(table, items.export_partition(slug, shard), update)
        for shard in range(items.GSI_SHARDS)
    ]
    for _, recipient in heapq.merge(*partitions, key=lambda pair: pair[0]):
        yield recipient


def _partition(table: Table, partition: str, update: str) -> Iterator[tuple[str, Recipient]]:
    attribute = notice_attribute(update)
    try:
        pages = table.client.get_paginator("query").paginate(
            TableName=table.name,
            IndexName=items.GSI,
            KeyConditionExpression="gsi1pk = :p",
            FilterExpression=CONSENTING,
            ExpressionAttributeNames=CONSENTING_NAMES,
            ExpressionAttributeValues={
                ":p": {"S": partition},
                ":yes": {"BOOL": True},
                ":counted": {"S": CONFIRMED},
            },
        )
        for page in pages:
            for item in page.get("Items", []):
                notice = item.get(attribute, {}).get("S")
                yield item["gsi1sk"]["S"], Recipient(items.signature_of(item), notice)
    except (ClientError, BotoCoreError) as exc:
        raise table.failure("read the supporters of a petition", exc) from exc


def mark_notice(
    table: Table, slug: str, update: str, email_key: str, was: str | None, now: str | None
) -> bool:
    """Move one signer's notice from `was` to `now` (None: none) if it is still `was`; a new
    one only while the signature counts and its signer consents. One conditional write."""
    names = {"#n": notice_attribute(update)}
    values: dict[str, AttributeValueTypeDef] = {}
    if was is None:
        if now is None:
            return False
        condition = f"attribute_not_exists(#n) AND {CONSENTING}"
        names.update(CONSENTING_NAMES)
        values.update({":yes": {"BOOL": True}, ":counted": {"S": CONFIRMED}})
    else:
        condition = "#n = :was"
        values[":was"] = {"S": was}
    if now is None:
        expression = "REMOVE #n"
    else:
        expression = "SET #n = :now"
        values[":now"] = {"S": now}
    return _update(
        table, items.signature_key(slug, email_key), expression, condition, names, values,
        f"note a letter of {slug!r}",
    )  # fmt: skip


def withdraw_consent(table: Table, slug: str, email_key: str, sid: str) -> bool:
    """Turn off the consent of the signature with this key and id; True when it exists."""
    condition = "attribute_exists(pk) AND sid = :sid"
    if not sid:  # a signature from before ids (or with confirmation off) may have none
        condition = "attribute_exists(pk) AND (sid = :sid OR attribute_not_exists(sid))"
    return _update(
        table, items.signature_key(slug, email_key), "SET #c = :no", condition, {"#c": "consent"},
        {":no": {"BOOL": False}, ":sid": {"S": sid}}, f"withdraw a consent on {slug!r}",
    )  # fmt: skip


def mailings(table: Table, slug: str, updates: Iterable[str]) -> dict[str, Mailing]:
    """The started mailings of these updates, read by key (100 to a request)."""
    wanted = list(dict.fromkeys(updates))
    found: dict[str, Mailing] = {}
    for start in range(0, len(wanted), 100):
        keys = [mailing_key(slug, update) for update in wanted[start : start + 100]]
        for item in table.get_items(keys, f"read the mailings of {slug!r}"):
            finished = item.get("finished", {}).get("S")
            mailing = Mailing(
                slug,
                item["update"]["S"],
                from_iso(item["started"]["S"]),
                None if finished is None else from_iso(finished),
            )
            found[mailing.update] = mailing
    return found


def start_mailing(table: Table, slug: str, update: str, at: datetime) -> Mailing:
    """The update's mailing, started at `at` unless it had started (then read back)."""
    _update(
        table, mailing_key(slug, update), "SET slug = :slug, #u = :update, started = :at",
        "attribute_not_exists(pk)", {"#u": "update"},
        {":slug": {"S": slug}, ":update": {"S": update}, ":at": {"S": to_iso(at)}},
        f"start a mailing of {slug!r}",
    )  # fmt: skip
    return mailings(table, slug, [update])[update]


def finish_mailing(table: Table, slug: str, update: str, at: datetime) -> None:
    """Record that the update's mailing is done (the first time only)."""
    _update(
        table, mailing_key(slug, update), "SET finished = :at",
        "attribute_exists(pk) AND attribute_not_exists(finished)", {},
        {":at": {"S": to_iso(at)}}, f"finish a mailing of {slug!r}",
    )  # fmt: skip


def _update(
    table: Table,
    key: items.Item,
    expression: str,
    condition: str,
    names: dict[str, str],
    values: dict[str, AttributeValueTypeDef],
    what: str,
) -> bool:
    """One conditional UpdateItem (the SDK retries throttling): whether it was made."""
    arguments: dict[str, object] = {
        "TableName": table.name,
        "Key": key,
        "UpdateExpression": expression,
        "ConditionExpression": condition,
        "ExpressionAttributeValues": values,
    }
    if names:
        arguments["ExpressionAttributeNames"] = names
    try:
        table.client.update_item(**arguments)  # type: ignore[arg-type]
    except ClientError as exc:
        if code_of(exc) == "ConditionalCheckFailedException":
            return False
        raise table.failure(what, exc) from exc
    except BotoCoreError as exc:
        raise table.failure(what, exc) from exc
    return True

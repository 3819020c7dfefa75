"""Rekeying and anonymising a petition's signatures on the DynamoDB table, and finding its
newest one. Run when the petition is quiet (the export index they read is eventually
consistent); each change is its own small transaction, so a run that stops half way is
finished by running it again.

A rekey cannot be one transaction per petition here (a transaction holds at most 100
items): duplicates are deleted first (the stream lowers the count), then each signature
whose key changed is moved (put under the new key, deleted under the old, together; the
stream sees one leave and one arrive, which count nothing: the old item is first marked
`moved_to` and the new one carries `moved_from`, so the stream's counter skips both; were
they counted as -1 and +1, the +1 at the signature's old time would sort first in a batch
and could reach, and record, a milestone the count never reached).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from generator.store import dynamodb_items as items
from generator.store.base import CONFIRMED, PENDING, Rekeyed, Signature
from generator.store.dynamodb_client import Table
from generator.store.dynamodb_errors import CHECK_FAILED
from generator.store.dynamodb_upkeep import delete
from generator.store.retry import retrying
from generator.store.times import from_iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

PERSONAL = ("name", "email", "postcode", "comment")
# Which of a mailbox's signatures a rekey keeps: a counted one first, then the oldest.
_KEEP_FIRST = {CONFIRMED: 0, PENDING: 1}


def _commit(table: Table, parts: list[TransactWriteItemTypeDef], what: str) -> bool:
    """One transaction, retried while transient; False when its first condition failed."""
    token = uuid.uuid4().hex

    def cancelled(reasons: list[str], exc: ClientError) -> bool:
        if reasons[:1] == [CHECK_FAILED]:
            return False
        raise table.cancelled(reasons, what) from exc

    def attempt() -> bool:
        return table.transact(parts, token, what, cancelled)

    return retrying(attempt, table.backoff, f"DynamoDB table {table.name!r}: {what}")


def rekey(
    table: Table,
    slug: str,
    signatures: Iterable[Signature],
    key_of: Callable[[str], str],
) -> Rekeyed:
    """New keys from the stored emails (`signatures` oldest first); duplicates merged, keeping
    a counted signature first, then the oldest."""
    groups: dict[str, list[Signature]] = {}
    for signature in signatures:
        groups.setdefault(key_of(signature.email), []).append(signature)
    kept: dict[str, Signature] = {}
    dropped: list[Signature] = []
    for new_key, members in groups.items():
        best = min(members, key=lambda s: _KEEP_FIRST.get(s.state, len(_KEEP_FIRST)))
        kept[new_key] = best
        dropped += [s for s in members if s is not best]
    what = f"rekey the signatures of {slug!r}"
    for signature in dropped:  # False: already deleted by an earlier run
        delete(table, slug, signature.email_key, None)
    moved = 0
    for new_key, signature in kept.items():
        if new_key == signature.email_key:
            continue
        renamed = dataclasses.replace(signature, email_key=new_key)
        old = items.signature_key(slug, signature.email_key)
        if not _mark_moving(table, old, new_key, what):
            continue  # deleted meanwhile
        move: list[TransactWriteItemTypeDef] = [
            {
                "Put": {
                    "TableName": table.name,
                    "Item": {
                        **items.signature_item(renamed),
                        items.MOVED_FROM: {"S": signature.email_key},
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Delete": {
                    "TableName": table.name,
                    "Key": old,
                    "ConditionExpression": "#to = :to",
                    "ExpressionAttributeNames": {"#to": items.MOVED_TO},
                    "ExpressionAttributeValues": {":to": {"S": new_key}},
                }
            },
        ]
        if _commit(table, move, what):
            moved += 1
        else:  # the new key is taken (a signature under it landed meanwhile): left unmoved
            _mark_moving(table, old, None, what)
    return Rekeyed(changed=moved, merged=len(dropped))


def _mark_moving(table: Table, key: items.Item, new_key: str | None, what: str) -> bool:
    """Mark a signature as moving to `new_key` (None: no longer), a change of no state that
    the stream counts as nothing, so that its deletion by the move counts nothing either;
    False if it is gone."""
    arguments: dict[str, Any] = {
        "TableName": table.name,
        "Key": key,
        "UpdateExpression": "REMOVE #to" if new_key is None else "SET #to = :to",
        "ConditionExpression": "attribute_exists(pk)",
        "ExpressionAttributeNames": {"#to": items.MOVED_TO},
    }
    if new_key is not None:
        arguments["ExpressionAttributeValues"] = {":to": {"S": new_key}}
    try:
        table.client.update_item(**arguments)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise table.failure(what, exc) from exc
    except BotoCoreError as exc:
        raise table.failure(what, exc) from exc
    return True


def anonymise(table: Table, slug: str, signatures: Iterable[Signature]) -> int:
    """Blank the personal fields of every signature that still has any; returns how many."""
    scrubbed = 0
    for signature in signatures:
        if not any(getattr(signature, name) for name in PERSONAL):
            continue
        try:
            table.client.update_item(
                TableName=table.name,
                Key=items.signature_key(slug, signature.email_key),
                UpdateExpression="SET #n = :e, email = :e, postcode = :e, #c = :e",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#n": "name", "#c": "comment"},
                ExpressionAttributeValues={":e": {"S": ""}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                continue  # forgotten meanwhile
            raise table.failure(f"anonymise the signatures of {slug!r}", exc) from exc
        except BotoCoreError as exc:
            raise table.failure(f"anonymise the signatures of {slug!r}", exc) from exc
        scrubbed += 1
    return scrubbed


def latest_signature(table: Table, slug: str) -> datetime | None:
    """The newest signature's time: the last entry of each export partition, the latest."""
    newest: list[datetime] = []
    try:
        for shard in range(items.GSI_SHARDS):
            answer = table.client.query(
                TableName=table.name,
                IndexName=items.GSI,
                KeyConditionExpression="gsi1pk = :p",
                ExpressionAttributeValues={":p": {"S": items.export_partition(slug, shard)}},
                ScanIndexForward=False,
                Limit=1,
            )
            for item in answer.get("Items", []):
                newest.append(from_iso(item["signed_at"]["S"]))
    except (ClientError, BotoCoreError) as exc:
        raise table.failure(f"read the newest signature of {slug!r}", exc) from exc
    return max(newest, default=None)

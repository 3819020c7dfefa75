"""The DynamoDB table's items: their keys, the transaction parts of a signature, and parsing.

One table, keys `pk` and `sk` (strings). Nothing on the signing path shares a partition
between signers: signature items are keyed by petition and signer, each petition's count
is split over `shards` items, and rate counters are keyed by client and minute.

| item | pk | sk | attributes |
|---|---|---|---|
| signature | `sig#<slug>#<email_key>` | `sig` | its fields, `gsi1pk`, `gsi1sk`, `expires` |
| count shard | `count#<slug>#<i>` | `count` | `slug`, `n` (confirmed), `p` (pending) |
| milestones | `ms#<slug>` | `ms` | `slug`, `m<count>` = reached_at |
| rate counter | `rate#<key>#<YYYYMMDDHHMM>` | `rate` | `hits`, `expires` (TTL, epoch s) |

A pending signature's `expires` (epoch s) lets DynamoDB's TTL delete it once expired.
The export index `gsi1` has `gsi1pk` = `<slug>#<0-15>` and `gsi1sk` = `<signed_at>#<email_key>`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, TypeAlias

from generator.model import Milestone, Tally
from generator.store.base import CONFIRMED, PENDING, RateLimit, Signature
from generator.store.times import from_iso, minute_key, to_iso

if TYPE_CHECKING:  # the boto3 stubs, for type checking only: nothing more is imported to run
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

Item: TypeAlias = "dict[str, AttributeValueTypeDef]"  # an item (or key) as the client API has it

MAX_SHARDS = 99  # one BatchGetItem reads every count shard plus the milestones item (100 keys)
GSI = "gsi1"
GSI_SHARDS = 16  # export partitions per petition: no single hot index partition either
RATE_TTL_SECONDS = 120
SIGNATURE_SK, COUNT_SK, MILESTONE_SK, RATE_SK = "sig", "count", "ms", "rate"


def key(pk: str, sk: str) -> Item:
    """The primary key of one item."""
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def signature_key(slug: str, email_key: str) -> Item:
    """Where one signer's signature of one petition lives."""
    return key(f"sig#{slug}#{email_key}", SIGNATURE_SK)


def shard_key(slug: str, shard: int) -> Item:
    """One of a petition's count shards."""
    return key(f"count#{slug}#{shard}", COUNT_SK)


def milestones_key(slug: str) -> Item:
    """The item holding every recorded milestone of a petition."""
    return key(f"ms#{slug}", MILESTONE_SK)


def export_partition(slug: str, shard: int) -> str:
    """The index partition holding one sixteenth of a petition's signatures."""
    return f"{slug}#{shard}"


def export_shard(email_key: str) -> int:
    """Which export partition a signer's signature goes to (stable, evenly spread)."""
    return int(hashlib.sha256(email_key.encode()).hexdigest()[:4], 16) % GSI_SHARDS


def signature_item(signature: Signature) -> Item:
    """The item a signature is stored as."""
    signed_at = to_iso(signature.signed_at)
    item: Item = {
        **signature_key(signature.slug, signature.email_key),
        "gsi1pk": {"S": export_partition(signature.slug, export_shard(signature.email_key))},
        "gsi1sk": {"S": f"{signed_at}#{signature.email_key}"},
        "slug": {"S": signature.slug},
        "email_key": {"S": signature.email_key},
        "name": {"S": signature.name},
        "email": {"S": signature.email},
        "signed_at": {"S": signed_at},
        "postcode": {"S": signature.postcode},
        "country": {"S": signature.country},
        "consent": {"BOOL": signature.consent},
        "comment": {"S": signature.comment},
        "sid": {"S": signature.id},
        "state": {"S": signature.state},
        "mails": {"N": str(signature.mails)},
    }
    for name, moment in (
        ("confirmed_at", signature.confirmed_at),
        ("expires_at", signature.expires_at),
        ("mailed_at", signature.mailed_at),
    ):
        if moment is not None:
            item[name] = {"S": to_iso(moment)}
    if signature.state == PENDING and signature.expires_at is not None:
        item["expires"] = {"N": str(int(signature.expires_at.timestamp()))}  # DynamoDB's TTL
    return item


def counter_update(slug: str, counted: int, pending: int) -> str:
    """The UpdateExpression moving a count shard by (counted, pending)."""
    parts = [f"{name} :{name}" for name, delta in (("n", counted), ("p", pending)) if delta]
    return "ADD " + ", ".join(parts) + " SET slug = :slug"


def counter_values(slug: str, counted: int, pending: int) -> dict[str, AttributeValueTypeDef]:
    """The ExpressionAttributeValues of counter_update."""
    values: dict[str, AttributeValueTypeDef] = {":slug": {"S": slug}}
    for name, delta in (("n", counted), ("p", pending)):
        if delta:
            values[f":{name}"] = {"N": str(delta)}
    return values


def sign_transaction(
    table: str, signature: Signature, shard: int, rate: RateLimit | None, now: datetime
) -> list[TransactWriteItemTypeDef]:
    """TransactItems for one signature: put it if new, add 1 to a count shard, count the hit."""
    items: list[TransactWriteItemTypeDef] = [
        {
            "Put": {
                "TableName": table,
                "Item": signature_item(signature),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
        {
            "Update": {
                "TableName": table,
                "Key": shard_key(signature.slug, shard),
                "UpdateExpression": counter_update(signature.slug, *deltas(signature.state)),
                "ExpressionAttributeValues": counter_values(
                    signature.slug, *deltas(signature.state)
                ),
            }
        },
    ]
    if rate is not None:
        expires = int(now.timestamp()) + RATE_TTL_SECONDS
        items.append(
            {
                "Update": {
                    "TableName": table,
                    "Key": key(f"rate#{rate.key}#{minute_key(now)}", RATE_SK),
                    "UpdateExpression": "ADD hits :one SET expires = :expires",
                    "ConditionExpression": "attribute_not_exists(hits) OR hits < :limit",
                    "ExpressionAttributeValues": {
                        ":one": {"N": "1"},
                        ":limit": {"N": str(rate.limit)},
                        ":expires": {"N": str(expires)},
                    },
                }
            }
        )
    return items


def milestone_attribute(count: int) -> str:
    """The attribute of the milestones item that records `count`."""
    return f"m{count}"


def milestones_of(item: Item) -> list[Milestone]:
    """The milestones recorded in a milestones item."""
    found = [
        Milestone(int(name[1:]), from_iso(value["S"]))
        for name, value in item.items()
        if name[:1] == "m" and name[1:].isdigit() and "S" in value
    ]
    return sorted(found, key=lambda m: (m.reached_at, m.count))


def tally_of(items: list[Item]) -> Tally:
    """The tally that a petition's count shards and milestones item add up to."""
    count = pending = 0
    milestones: list[Milestone] = []
    for item in items:
        sk = item["sk"]["S"]
        if sk == COUNT_SK:
            count += int(item.get("n", {"N": "0"})["N"])
            pending += int(item.get("p", {"N": "0"})["N"])
        elif sk == MILESTONE_SK:
            milestones = milestones_of(item)
    return Tally(count=count, milestones=tuple(milestones), pending=pending)


def deltas(state: str | None) -> tuple[int, int]:
    """What a signature in `state` adds to a petition's (counted, pending) counters."""
    return (1 if state == CONFIRMED else 0, 1 if state == PENDING else 0)


def signature_of(item: Item) -> Signature:
    """The Signature a stored item holds."""

    def text(name: str) -> str:
        return item.get(name, {"S": ""})["S"]

    return Signature(
        slug=text("slug"),
        email_key=text("email_key"),
        name=text("name"),
        email=text("email"),
        signed_at=from_iso(text("signed_at")),
        postcode=text("postcode"),
        country=text("country"),
        consent=bool(item.get("consent", {"BOOL": False})["BOOL"]),
        comment=text("comment"),
        id=text("sid"),
        state=text("state") or CONFIRMED,  # items from before confirmation were all counted
        confirmed_at=_moment(item, "confirmed_at")
        or (None if text("state") not in ("", CONFIRMED) else from_iso(text("signed_at"))),
        expires_at=_moment(item, "expires_at"),
        mails=int(item.get("mails", {"N": "0"})["N"]),
        mailed_at=_moment(item, "mailed_at"),
    )


def _moment(item: Item, name: str) -> datetime | None:
    value = item.get(name)
    return None if value is None or "S" not in value else from_iso(value["S"])

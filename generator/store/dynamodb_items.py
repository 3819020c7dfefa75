"""The DynamoDB table's items: their keys, how they are written and read, and the stream's
records of them.

One table, keys `pk` and `sk` (strings). The signing path writes only signature items,
each keyed by petition and signer, so no two signers share an item; nothing on it reads.
Each petition's counts and milestones are one count item, written only by the counter (a
few times a second at most, from the table's stream), and read by key.

| item | pk | sk | attributes |
|---|---|---|---|
| signature | `sig#<slug>#<email_key>` | `sig` | its fields, `gsi1pk`, `gsi1sk`, `expires` |
| count | `count#<slug>` | `count` | `slug`, `n`, `p` (pending), `m<count>` = reached_at, |
|  |  |  | `country#<cc>`, `region#<code>` (counted signatures by place), |
|  |  | `version#<v>` (by text version signed), `seen#<v>` (when its first counted), |
|  |  | `log_size` (leaves in its public log), `msize#<count>` (log size at milestone), |
|  |  | `log_base` (counted signatures the log does not list: from before it began), |
|  |  | `log_net` (what the log's leaves add up to) |
| log leaves | `log#<slug>#<0-7>` | `<first index, 12 digits>` | `leaves` (list of binary): |
|  |  | one batch's leaves of the petition's public log, written with its count |
| batch marker | `batch#<id>` | `batch` | `expires` (TTL): the counter applied that batch |
| rate counter | `rate#<key>#<YYYYMMDDHHMM>` | `rate` | `hits`, `expires` (TTL, epoch s) |

A pending signature's `expires` (epoch s) lets DynamoDB's TTL delete it once expired.
A rekey moves a signature to its new key by marking it `moved_to` and then, together,
putting it under the new key with `moved_from` and deleting the marked one: the stream's
counter counts neither half of a move.
The export index `gsi1` has `gsi1pk` = `<slug>#<0-47>` and `gsi1sk` = `<signed_at>#<email_key>`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, TypeAlias

from generator.model import Milestone, Tally
from generator.store.base import CONFIRMED, PENDING, CountUpdate, RateLimit, Signature
from generator.store.times import from_iso, minute_key, to_iso

if TYPE_CHECKING:  # the boto3 stubs, for type checking only: nothing more is imported to run
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

Item: TypeAlias = "dict[str, AttributeValueTypeDef]"  # an item (or key) as the client API has it

GSI = "gsi1"
# Export partitions per petition: at 10,000 signatures/s, each confirming (two index writes
# per signer), 48 keep each index key under 420 write units/s, below half of a partition's
# 1,000 (benchmarks/capacity.py). Raise it, never lower it: items keep the partition they
# were written to, and reads cover 0..GSI_SHARDS-1 (tables from before used 0-15).
GSI_SHARDS = 48
RATE_TTL_SECONDS = 120
SIGNATURE_SK, COUNT_SK, BATCH_SK, RATE_SK = "sig", "count", "batch", "rate"
MOVED_FROM, MOVED_TO = "moved_from", "moved_to"  # a signature moved to a new key by a rekey
BATCH_TTL_SECONDS = 7 * 24 * 3600  # a stream keeps records 24 hours: markers outlive them
COUNTRY_PREFIX, REGION_PREFIX = "country#", "region#"  # a count item's totals by place
VERSION_PREFIX, SEEN_PREFIX = "version#", "seen#"  # its totals by text version, first counted
LOG_SIZE, MILESTONE_SIZE_PREFIX = "log_size", "msize#"  # its public log's size, at milestones
LOG_BASE = "log_base"  # signatures in its count that its public log does not list
LOG_NET = "log_net"  # what its public log's leaves add up to (additions - withdrawals)
INDEX_DIGITS = 12  # a log leaves item's sort key: its first leaf's index, zero-padded
# Partitions per petition's log leaves, chosen by a hash of each item's first index: at
# 10,000 signatures/s a petition's leaves are ~550 KB/s, 1,100 transactional write units
# (over one partition's 1,000); spread over 8, each partition takes under 15 %. Raise it,
# never lower it: readers look in partitions 0..LOG_SHARDS-1.
LOG_SHARDS = 8
MAX_ITEM_LEAVES = 1000  # a batch's leaves of one petition (a stream batch is 1,000 records)


def key(pk: str, sk: str) -> Item:
    """The primary key of one item."""
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def signature_key(slug: str, email_key: str) -> Item:
    """Where one signer's signature of one petition lives."""
    return key(f"sig#{slug}#{email_key}", SIGNATURE_SK)


def count_key(slug: str) -> Item:
    """A petition's count item."""
    return key(f"count#{slug}", COUNT_SK)


def log_key(slug: str, first: int) -> Item:
    """The item holding a petition's log leaves from index `first` (one batch's)."""
    return key(log_partition(slug, log_shard(first)), log_sort_key(first))


def log_partition(slug: str, shard: int) -> str:
    """One of the partitions a petition's log leaves are spread over."""
    return f"log#{slug}#{shard}"


def log_shard(first: int) -> int:
    """The partition of the leaves item starting at `first` (stable, evenly spread)."""
    return int(hashlib.sha256(str(first).encode()).hexdigest()[:4], 16) % LOG_SHARDS


def log_sort_key(first: int) -> str:
    """A leaves item's sort key: its first index, zero-padded (sorted as numbers)."""
    return str(first).zfill(INDEX_DIGITS)


def log_put(table: str, update: CountUpdate) -> TransactWriteItemTypeDef:
    """The transaction part appending an update's leaves to its petition's log (refused if
    leaves were appended from that index before)."""
    return leaves_put(table, update.slug, update.before.log_size, update.leaves)


def leaves_put(
    table: str, slug: str, first: int, leaves: tuple[bytes, ...]
) -> TransactWriteItemTypeDef:
    """The transaction part putting leaves into a petition's log from index `first` (refused
    if leaves were put from that index before)."""
    if len(leaves) > MAX_ITEM_LEAVES:
        raise ValueError(f"at most {MAX_ITEM_LEAVES} leaves to an item, not {len(leaves)}")
    return {
        "Put": {
            "TableName": table,
            "Item": {**log_key(slug, first), "leaves": {"L": [{"B": leaf} for leaf in leaves]}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def batch_key(batch: str) -> Item:
    """The marker saying the counter applied one batch (or one part of one)."""
    return key(f"batch#{batch}", BATCH_SK)


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
        "region": {"S": signature.region},
        "version": {"S": signature.version},
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


def rate_update(table: str, rate: RateLimit, now: datetime) -> TransactWriteItemTypeDef:
    """The transaction part counting one hit on a client's rate counter, within its limit."""
    return {
        "Update": {
            "TableName": table,
            "Key": key(f"rate#{rate.key}#{minute_key(now)}", RATE_SK),
            "UpdateExpression": "ADD hits :one SET expires = :expires",
            "ConditionExpression": "attribute_not_exists(hits) OR hits < :limit",
            "ExpressionAttributeValues": {
                ":one": {"N": "1"},
                ":limit": {"N": str(rate.limit)},
                ":expires": {"N": str(int(now.timestamp()) + RATE_TTL_SECONDS)},
            },
        }
    }


def count_update(table: str, update: CountUpdate, now: datetime) -> TransactWriteItemTypeDef:
    """The transaction part applying one petition's update to its count item, on condition
    the item still holds the counts the update was worked out from."""
    names: dict[str, str] = {}
    values: dict[str, AttributeValueTypeDef] = {
        ":slug": {"S": update.slug},
        ":now": {"S": to_iso(now)},
        ":n": {"N": str(update.counted)},
        ":p": {"N": str(update.pending)},
        ":was_n": {"N": str(update.before.count)},
        ":was_p": {"N": str(update.before.pending)},
    }
    sets = ["slug = :slug", "updated = :now"]
    for i, milestone in enumerate(update.reached):
        names[f"#m{i}"] = milestone_attribute(milestone.count)
        values[f":m{i}"] = {"S": to_iso(milestone.reached_at)}
        sets.append(f"#m{i} = :m{i}")
        if milestone.size is not None:
            names[f"#z{i}"] = MILESTONE_SIZE_PREFIX + str(milestone.count)
            values[f":z{i}"] = {"N": str(milestone.size)}
            sets.append(f"#z{i} = :z{i}")
    adds = ["n :n", "p :p"]  # ADD works on top-level attributes only: one per place
    values[":was_z"] = {"N": str(update.before.log_size)}
    if update.leaves:
        values[":z"] = {"N": str(len(update.leaves))}
        values[":net"] = {"N": str(update.counted)}
        adds += [f"{LOG_SIZE} :z", f"{LOG_NET} :net"]
    if update.starts_log:
        values[":base"] = {"N": str(update.log_base)}
        sets.append(f"{LOG_BASE} = :base")
    for version, first in update.seen.items():  # the first counted time is kept
        i = len(sets)
        names[f"#s{i}"] = SEEN_PREFIX + version
        values[f":s{i}"] = {"S": to_iso(first)}
        sets.append(f"#s{i} = if_not_exists(#s{i}, :s{i})")
    by_kind = (
        (COUNTRY_PREFIX, update.countries),
        (REGION_PREFIX, update.regions),
        (VERSION_PREFIX, update.versions),
    )
    for prefix, moves in by_kind:
        for code, delta in moves.items():
            i = len(adds)
            names[f"#a{i}"] = prefix + code
            values[f":a{i}"] = {"N": str(delta)}
            adds.append(f"#a{i} :a{i}")
    condition = "n = :was_n AND p = :was_p"
    if not update.before.count and not update.before.pending:
        condition = f"attribute_not_exists(n) OR ({condition})"
    logged = f"{LOG_SIZE} = :was_z"
    if not update.before.log_size:
        logged = f"attribute_not_exists({LOG_SIZE}) OR {logged}"
    condition = f"({condition}) AND ({logged})"
    part: TransactWriteItemTypeDef = {
        "Update": {
            "TableName": table,
            "Key": count_key(update.slug),
            "UpdateExpression": f"ADD {', '.join(adds)} SET {', '.join(sets)}",
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
    }
    if names:
        part["Update"]["ExpressionAttributeNames"] = names
    return part


def batch_marker(table: str, batch: str, now: datetime) -> TransactWriteItemTypeDef:
    """The transaction part recording that a batch was applied (refused if it was before)."""
    expires = int(now.timestamp()) + BATCH_TTL_SECONDS
    return {
        "Put": {
            "TableName": table,
            "Item": {**batch_key(batch), "expires": {"N": str(expires)}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def milestone_attribute(count: int) -> str:
    """The attribute of the milestones item that records `count`."""
    return f"m{count}"


def milestones_of(item: Item) -> list[Milestone]:
    """The milestones recorded in a milestones item."""
    found = [
        Milestone(int(name[1:]), from_iso(value["S"]), _size(item, name[1:]))
        for name, value in item.items()
        if name[:1] == "m" and name[1:].isdigit() and "S" in value
    ]
    return sorted(found, key=lambda m: (m.reached_at, m.count))


def tally_of(item: Item | None) -> Tally:
    """The tally a petition's count item holds (None: no item yet)."""
    if item is None:
        return Tally()
    return Tally(
        count=int(item.get("n", {"N": "0"})["N"]),
        milestones=tuple(milestones_of(item)),
        pending=int(item.get("p", {"N": "0"})["N"]),
        updated=_moment(item, "updated"),
        log_size=int(item.get(LOG_SIZE, {"N": "0"})["N"]),
        log_base=int(item.get(LOG_BASE, {"N": "0"})["N"]),
        log_net=int(item.get(LOG_NET, {"N": "0"})["N"]),
        by_country=places_of(item, COUNTRY_PREFIX),
        by_region=places_of(item, REGION_PREFIX),
        by_version=places_of(item, VERSION_PREFIX),
        version_seen={
            name.removeprefix(SEEN_PREFIX): from_iso(value["S"])
            for name, value in sorted(item.items())
            if name.startswith(SEEN_PREFIX) and "S" in value
        },
    )


def places_of(item: Item, prefix: str) -> dict[str, int]:
    """A count item's totals by place of one kind (`country#` or `region#` attributes)."""
    found = {
        name.removeprefix(prefix): int(value["N"])
        for name, value in item.items()
        if name.startswith(prefix) and "N" in value
    }
    return {code: n for code, n in sorted(found.items()) if n}


def _size(item: Item, count: str) -> int | None:
    """The log size recorded with the milestone of `count` (None: from before the log)."""
    found = item.get(MILESTONE_SIZE_PREFIX + count, {}).get("N")
    return None if found is None else int(found)


def state_of(item: Item | None) -> str | None:
    """A signature item's state (one from before confirmation has none: it counted)."""
    if item is None:
        return None
    return item["state"]["S"] if "state" in item else CONFIRMED


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
        region=text("region"),
        version=text("version"),
    )


def _moment(item: Item, name: str) -> datetime | None:
    value = item.get(name)
    return None if value is None or "S" not in value else from_iso(value["S"])

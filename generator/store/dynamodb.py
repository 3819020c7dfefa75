"""The production store: one DynamoDB table through the boto3 client API.

A new signature costs exactly one write request (a TransactWriteItems of the signature,
one count shard and the client's rate counter) and one read (a consistent BatchGetItem
of the count shards and the milestones item, which is the tally returned). The calls go
through one Table (dynamodb_client.py); upkeep (forget, recount, repair) uses the same.
"""

from __future__ import annotations

import heapq
import random
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from generator.errors import ConfigError, RateLimited
from generator.model import Tally
from generator.store import dynamodb_items as items
from generator.store import dynamodb_privacy as privacy
from generator.store import dynamodb_upkeep as upkeep
from generator.store.base import (
    BOUNCED,
    CONFIRMED,
    PENDING,
    REJECTED,
    Change,
    RateLimit,
    Rekeyed,
    Signature,
    SignOutcome,
)
from generator.store.dynamodb_client import Table
from generator.store.dynamodb_errors import CHECK_FAILED, code_of
from generator.store.dynamodb_table import ensure_table
from generator.store.retry import Backoff, Retry, retrying
from generator.store.times import seconds_to_next_minute, to_iso, utc_now

if TYPE_CHECKING:  # the boto3 stubs, for type checking only: nothing more is imported to run
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef


class DynamoStore:
    """Signatures, sharded counts, milestones and rate counters in one DynamoDB table."""

    def __init__(
        self,
        table: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        shards: int = 10,
        clock: Callable[[], datetime] = utc_now,
        backoff: Backoff | None = None,
        sdk_attempts: int = 3,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        settle: float = 1.0,
    ) -> None:
        if not 1 <= shards <= items.MAX_SHARDS:
            raise ConfigError(
                f"DynamoDB store {table!r}: shards must be 1..{items.MAX_SHARDS}, got {shards}"
            )
        self.table = table  # its name
        self._clock = clock
        self.shards = shards
        self.settle = settle  # seconds a repair waits for the export index before believing it
        self.api = Table(
            table,
            region=region,
            endpoint_url=endpoint_url,
            backoff=backoff,
            sdk_attempts=sdk_attempts,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )

    def __repr__(self) -> str:
        return f"DynamoStore({self.table!r}, endpoint_url={self.api.endpoint_url!r})"

    @property
    def client(self) -> DynamoDBClient:
        """The boto3 DynamoDB client, built on first use."""
        return self.api.client

    @property
    def region(self) -> str | None:
        """The region asked for (None: the environment's)."""
        return self.api.region

    @property
    def endpoint_url(self) -> str | None:
        """The endpoint asked for (None: AWS's own)."""
        return self.api.endpoint_url

    @property
    def backoff(self) -> Backoff:
        """How hard calls are retried."""
        return self.api.backoff

    # -- the Store protocol ---------------------------------------------------------

    def init(self) -> None:
        """Create the table, its export index and TTL if missing, and wait until ACTIVE."""
        ensure_table(self.client, self.table)

    def sign(self, signature: Signature, rate: RateLimit | None = None) -> SignOutcome:
        """Add a signature and its count change together, unless the email_key already signed."""
        what = f"store a signature for {signature.slug!r}"
        shard = random.randrange(self.shards)  # chosen once: every retry repeats the same write
        transaction = items.sign_transaction(self.table, signature, shard, rate, self._clock())
        # One token per call, repeated by every retry of it: a retry after a lost answer is
        # told "done" instead of "duplicate". Not derived from the signer: an identical
        # second call would then be told "done" too, and a different one (another time or
        # shard) would fail with IdempotentParameterMismatch instead of being a duplicate.
        token = uuid.uuid4().hex

        def cancelled(reasons: list[str], exc: ClientError) -> bool:
            if rate is not None and len(reasons) > 2 and reasons[2] == CHECK_FAILED:
                raise RateLimited(retry_after=seconds_to_next_minute(self._clock())) from exc
            if reasons[:1] == [CHECK_FAILED]:
                return False  # a duplicate
            raise self.api.cancelled(reasons, what) from exc

        def attempt() -> bool:
            return self.api.transact(transaction, token, what, cancelled)

        added = retrying(attempt, self.backoff, f"DynamoDB table {self.table!r}: {what}")
        existing = None if added else self._stored(signature.slug, signature.email_key)
        return SignOutcome(added=added, tally=self.tally(signature.slug), existing=existing)

    def _stored(self, slug: str, email_key: str) -> Signature | None:
        """The signature stored for this key, read strongly consistently."""
        found = self.api.get_items(
            [items.signature_key(slug, email_key)], f"read a signature of {slug!r}"
        )
        return items.signature_of(found[0]) if found else None

    def note_mail(self, slug: str, email_key: str, last: datetime | None, at: datetime) -> bool:
        """One more mail for this signature, if its last mail is still `last`."""
        values: dict[str, AttributeValueTypeDef] = {":one": {"N": "1"}, ":at": {"S": to_iso(at)}}
        if last is None:
            condition = "attribute_exists(pk) AND attribute_not_exists(mailed_at)"
        else:
            condition = "mailed_at = :last"
            values[":last"] = {"S": to_iso(last)}
        try:
            self.client.update_item(
                TableName=self.table,
                Key=items.signature_key(slug, email_key),
                UpdateExpression="ADD mails :one SET mailed_at = :at",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if code_of(exc) == "ConditionalCheckFailedException":
                return False
            raise self.api.failure(f"note a mail for {slug!r}", exc) from exc
        except BotoCoreError as exc:
            raise self.api.failure(f"note a mail for {slug!r}", exc) from exc
        return True

    def _move(
        self, what: str, slug: str, email_key: str, sid: str | None, to: str, allowed: set[str],
        confirmed_at: datetime | None = None,
    ) -> Change:  # fmt: skip
        """Move one signature between states with its counters, in one checked transaction
        (read first for its state; moved only if that state still holds)."""
        key = items.signature_key(slug, email_key)
        doing = f"{what} a signature of {slug!r}"
        shard = random.randrange(self.shards)

        def attempt() -> str | None:
            found = self._stored(slug, email_key)
            if found is None or (sid is not None and found.id != sid):
                return None
            if found.state not in allowed:
                return found.state
            counted = items.deltas(to)[0] - items.deltas(found.state)[0]
            pending = items.deltas(to)[1] - items.deltas(found.state)[1]
            sets = "#s = :to"
            values: dict[str, AttributeValueTypeDef] = {
                ":to": {"S": to},
                ":was": {"S": found.state},
            }
            if confirmed_at is not None:
                sets += ", confirmed_at = :at"
                values[":at"] = {"S": to_iso(confirmed_at)}
            parts: list[TransactWriteItemTypeDef] = [
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": key,
                        "UpdateExpression": f"SET {sets} REMOVE expires, expires_at",
                        # a signature stored before confirmation existed has no state: counted
                        "ConditionExpression": "#s = :was"
                        if found.state != CONFIRMED
                        else "#s = :was OR attribute_not_exists(#s)",
                        "ExpressionAttributeNames": {"#s": "state"},
                        "ExpressionAttributeValues": values,
                    }
                }
            ]
            if counted or pending:
                parts.append(
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": items.shard_key(slug, shard),
                            "UpdateExpression": items.counter_update(slug, counted, pending),
                            "ExpressionAttributeValues": items.counter_values(
                                slug, counted, pending
                            ),
                        }
                    }
                )

            def cancelled(reasons: list[str], exc: ClientError) -> bool:
                if reasons[:1] == [CHECK_FAILED]:
                    raise Retry("moved meanwhile") from exc  # read again and decide again
                raise self.api.cancelled(reasons, doing) from exc

            self.api.transact(parts, uuid.uuid4().hex, doing, cancelled)
            return found.state

        before = retrying(attempt, self.backoff, f"DynamoDB table {self.table!r}: {doing}")
        return Change(before, self.tally(slug))

    def confirm(self, slug: str, email_key: str, sid: str, at: datetime) -> Change:
        """pending → confirmed (counted from `at`); anything else is left as it is."""
        return self._move("confirm", slug, email_key, sid, CONFIRMED, {PENDING}, at)

    def reject(self, slug: str, email_key: str, sid: str, at: datetime) -> Change:
        """pending or confirmed → rejected (uncounted)."""
        return self._move("reject", slug, email_key, sid, REJECTED, {PENDING, CONFIRMED})

    def bounce(self, slug: str, email_key: str) -> Change:
        """pending → bounced."""
        return self._move("mark bounced", slug, email_key, None, BOUNCED, {PENDING})

    def purge_expired(self, now: datetime) -> int:
        """Delete expired pending signatures with their pending counts (a Scan: the daily
        upkeep; DynamoDB's TTL deletes them too, within about two days)."""
        found: list[Signature] = []
        try:
            pages = self.client.get_paginator("scan").paginate(
                TableName=self.table,
                FilterExpression="sk = :sig AND #s = :pending AND expires_at <= :now",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={
                    ":sig": {"S": items.SIGNATURE_SK},
                    ":pending": {"S": PENDING},
                    ":now": {"S": to_iso(now)},
                },
            )
            for page in pages:
                found += [items.signature_of(item) for item in page.get("Items", [])]
        except (ClientError, BotoCoreError) as exc:
            raise self.api.failure("find expired pending signatures", exc) from exc
        return sum(
            upkeep.delete_signature(self.api, self.shards, s.slug, s.email_key, {PENDING})
            for s in found
        )

    def record_milestone(self, slug: str, count: int, reached_at: datetime) -> bool:
        """Record that `slug` reached `count` at `reached_at`; True only for the first caller."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=items.milestones_key(slug),
                UpdateExpression="SET #m = :at, slug = :slug",
                ConditionExpression="attribute_not_exists(#m)",
                ExpressionAttributeNames={"#m": items.milestone_attribute(count)},
                ExpressionAttributeValues={":at": {"S": to_iso(reached_at)}, ":slug": {"S": slug}},
            )
        except ClientError as exc:
            if code_of(exc) == "ConditionalCheckFailedException":
                return False
            raise self.api.failure(f"record milestone {count} of {slug!r}", exc) from exc
        except BotoCoreError as exc:
            raise self.api.failure(f"record milestone {count} of {slug!r}", exc) from exc
        return True

    def tally(self, slug: str) -> Tally:
        """The stored count and recorded milestones of one petition (imported ones excluded)."""
        keys = [items.shard_key(slug, i) for i in range(self.shards)]
        keys.append(items.milestones_key(slug))
        return items.tally_of(self.api.get_items(keys, f"read the tally of {slug!r}"))

    def tallies(self) -> dict[str, Tally]:
        """Stored tallies of every petition that has any (a Scan: meant for builds, not signing)."""
        by_slug: dict[str, list[items.Item]] = {}
        try:
            pages = self.client.get_paginator("scan").paginate(
                TableName=self.table,
                ConsistentRead=True,
                FilterExpression="sk IN (:count, :ms)",
                ExpressionAttributeValues={
                    ":count": {"S": items.COUNT_SK},
                    ":ms": {"S": items.MILESTONE_SK},
                },
            )
            for page in pages:
                for item in page.get("Items", []):
                    by_slug.setdefault(item["slug"]["S"], []).append(item)
        except (ClientError, BotoCoreError) as exc:
            raise self.api.failure("scan for tallies", exc) from exc
        return {slug: items.tally_of(found) for slug, found in sorted(by_slug.items())}

    def signatures(self, slug: str, states: Iterable[str] | None = None) -> Iterator[Signature]:
        """The petition's signatures in these states (None: all), oldest first."""
        wanted = None if states is None else set(states)
        partitions = [
            self._export_partition(items.export_partition(slug, i)) for i in range(items.GSI_SHARDS)
        ]
        for _, item in heapq.merge(*partitions, key=lambda pair: pair[0]):
            signature = items.signature_of(item)
            if wanted is None or signature.state in wanted:
                yield signature

    def _export_partition(self, partition: str) -> Iterator[tuple[str, items.Item]]:
        try:
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                IndexName=items.GSI,
                KeyConditionExpression="gsi1pk = :p",
                ExpressionAttributeValues={":p": {"S": partition}},
            )
            for page in pages:
                for item in page.get("Items", []):
                    yield item["gsi1sk"]["S"], item
        except (ClientError, BotoCoreError) as exc:
            raise self.api.failure("read signatures for export", exc) from exc

    def forget(self, email_key: str, slugs: Iterable[str]) -> list[str]:
        """Delete this signer's signature on each of `slugs`, each with -1 on a count shard."""
        return upkeep.forget(self.api, self.shards, email_key, slugs)

    def recount(self, slug: str) -> int:
        """How many signatures of one petition the export index holds."""
        return upkeep.recount(self.api, slug)

    def repair(self, slug: str) -> tuple[int, int]:
        """Make the count shards add up to the recount, in one checked transaction."""
        return upkeep.repair(self.api, self.shards, slug, self.settle)

    def rekey(self, slug: str, key_of: Callable[[str], str]) -> Rekeyed:
        """New keys from the stored emails, duplicates merged (see dynamodb_privacy)."""
        return privacy.rekey(self.api, self.shards, slug, list(self.signatures(slug)), key_of)

    def anonymise(self, slug: str) -> int:
        """Blank the personal fields of the petition's signatures, one item at a time."""
        return privacy.anonymise(self.api, slug, list(self.signatures(slug)))

    def latest_signature(self, slug: str) -> datetime | None:
        """The time of the petition's newest signature, from the export index."""
        return privacy.latest_signature(self.api, slug)

    def close(self) -> None:
        """Release the client's connections; a later call builds a new client."""
        self.api.close()

"""The production store: one DynamoDB table through the boto3 client API.

A new signature costs exactly one write request (a TransactWriteItems of the signature,
one count shard and the client's rate counter) and one read (a consistent BatchGetItem
of the count shards and the milestones item, which is the tally returned). The client is
built on first use, never at import, so a Lambda cold start pays for it only when needed.
"""

from __future__ import annotations

import heapq
import random
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoRegionError

from generator.errors import ConfigError, RateLimited, StoreError
from generator.model import Tally
from generator.store import dynamodb_items as items
from generator.store import dynamodb_upkeep as upkeep
from generator.store.base import RateLimit, Signature, SignOutcome
from generator.store.dynamodb_errors import CHECK_FAILED, RETRYABLE, code_of, reasons_of
from generator.store.dynamodb_table import ensure_table
from generator.store.retry import Backoff, Retry, retrying
from generator.store.times import seconds_to_next_minute, to_iso, utc_now


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
        self.table = table
        self.region = region
        self.endpoint_url = endpoint_url
        self.shards = shards
        self._clock = clock
        self.backoff = backoff or Backoff()
        self.settle = settle  # seconds a repair waits for the export index before believing it
        self._config = {
            "retries": {"mode": "standard", "max_attempts": sdk_attempts},
            "connect_timeout": connect_timeout,
            "read_timeout": read_timeout,
            "max_pool_connections": 32,
        }
        self._client: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DynamoStore({self.table!r}, endpoint_url={self.endpoint_url!r})"

    @property
    def client(self) -> Any:
        """The boto3 DynamoDB client, built on first use (thread-safe)."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._new_client()
        return self._client

    def _new_client(self) -> Any:
        import boto3  # only a DynamoDB store pays for importing boto3
        from botocore.config import Config

        try:
            return boto3.session.Session().client(
                "dynamodb",
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                config=Config(**self._config),
            )
        except NoRegionError as exc:
            raise ConfigError(
                f"DynamoDB store {self.table!r}: no region; add ?region=… to the store URL"
                " or set AWS_REGION"
            ) from exc

    def failure(self, what: str, exc: ClientError | BotoCoreError) -> StoreError:
        """The StoreError saying this table could not do `what`, and DynamoDB's reason."""
        reason = code_of(exc) if isinstance(exc, ClientError) else str(exc)
        if reason == "ResourceNotFoundException":
            reason += " (no such table: create it with `python build.py init-store`)"
        return StoreError(f"DynamoDB table {self.table!r}: could not {what}: {reason}")

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

        def attempt() -> bool:
            try:
                self.client.transact_write_items(
                    TransactItems=transaction, ClientRequestToken=token
                )
            except ClientError as exc:
                return self._classify(exc, rate, what)
            except BotoCoreError as exc:  # unreachable, timed out: botocore already retried
                raise self.failure(what, exc) from exc
            return True

        added = retrying(attempt, self.backoff, f"DynamoDB table {self.table!r}: {what}")
        return SignOutcome(added=added, tally=self.tally(signature.slug))

    def _classify(self, exc: ClientError, rate: RateLimit | None, what: str) -> bool:
        """False for a duplicate; otherwise raises RateLimited, Retry or StoreError."""
        code = code_of(exc)
        if code != "TransactionCanceledException":
            if code in RETRYABLE:
                raise Retry(code) from exc
            raise self.failure(what, exc) from exc
        reasons = reasons_of(exc)
        if rate is not None and len(reasons) > 2 and reasons[2] == CHECK_FAILED:
            raise RateLimited(retry_after=seconds_to_next_minute(self._clock())) from exc
        if reasons[:1] == [CHECK_FAILED]:
            return False
        retryable = sorted(set(reasons) & RETRYABLE)
        if retryable:
            raise Retry("/".join(retryable)) from exc
        raise StoreError(
            f"DynamoDB table {self.table!r}: could not {what}: transaction cancelled"
            f" ({', '.join(reasons) or 'no reason given'})"
        ) from exc

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
            raise self.failure(f"record milestone {count} of {slug!r}", exc) from exc
        except BotoCoreError as exc:
            raise self.failure(f"record milestone {count} of {slug!r}", exc) from exc
        return True

    def tally(self, slug: str) -> Tally:
        """The stored count and recorded milestones of one petition (imported ones excluded)."""
        keys = [items.shard_key(slug, i) for i in range(self.shards)]
        keys.append(items.milestones_key(slug))
        return items.tally_of(self.get_items(keys, f"read the tally of {slug!r}"))

    def get_items(self, keys: list[items.Item], what: str) -> list[items.Item]:
        """The items (at most 100) with these keys that exist, read strongly consistently."""
        found: list[items.Item] = []

        def attempt() -> None:
            nonlocal keys
            try:
                answer = self.client.batch_get_item(
                    RequestItems={self.table: {"Keys": keys, "ConsistentRead": True}}
                )
            except ClientError as exc:
                if code_of(exc) in RETRYABLE:
                    raise Retry(code_of(exc)) from exc
                raise self.failure(what, exc) from exc
            except BotoCoreError as exc:
                raise self.failure(what, exc) from exc
            found.extend(answer.get("Responses", {}).get(self.table, []))
            keys = answer.get("UnprocessedKeys", {}).get(self.table, {}).get("Keys", [])
            if keys:  # throttled part of the batch: ask again for just those keys
                raise Retry("UnprocessedKeys")

        retrying(attempt, self.backoff, f"DynamoDB table {self.table!r}: {what}")
        return found

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
            raise self.failure("scan for tallies", exc) from exc
        return {slug: items.tally_of(found) for slug, found in sorted(by_slug.items())}

    def signatures(self, slug: str) -> Iterator[Signature]:
        """Every stored signature of one petition, oldest first (for export)."""
        partitions = [
            self._export_partition(items.export_partition(slug, i)) for i in range(items.GSI_SHARDS)
        ]
        for _, item in heapq.merge(*partitions, key=lambda pair: pair[0]):
            yield items.signature_of(item)

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
            raise self.failure("read signatures for export", exc) from exc

    def forget(self, email_key: str, slugs: Iterable[str]) -> list[str]:
        """Delete this signer's signature on each of `slugs`, each with -1 on a count shard."""
        return upkeep.forget(self, email_key, slugs)

    def recount(self, slug: str) -> int:
        """How many signatures of one petition the export index holds."""
        return upkeep.recount(self, slug)

    def repair(self, slug: str) -> tuple[int, int]:
        """Make the count shards add up to the recount, in one checked transaction."""
        return upkeep.repair(self, slug, self.settle)

    def close(self) -> None:
        """Release the client's connections; a later call builds a new client."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

"""The production store: one DynamoDB table through the boto3 client API.

The signing path writes and never reads: a new signature is one conditional PutItem (with
the local rate limit on, a TransactWriteItems of that put and the client's rate counter);
a duplicate learns what is stored from the refused write itself; confirming, rejecting
and bouncing are one conditional UpdateItem each. Counts move downstream: the table's
stream feeds the counter, which applies each batch to the petitions' count items
(`apply_counts`), once. Builds and write-backs read count items by key. The calls go
through one Table (dynamodb_client.py); upkeep (forget, recount, repair) uses the same.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from generator.errors import RateLimited
from generator.model import Tally
from generator.store import dynamodb_items as items
from generator.store import dynamodb_mailings as mailing
from generator.store import dynamodb_privacy as privacy
from generator.store import dynamodb_upkeep as upkeep
from generator.store.base import (
    BOUNCED,
    CONFIRMED,
    PENDING,
    REJECTED,
    CountsMoved,
    CountUpdate,
    Mailing,
    RateLimit,
    Recipient,
    Rekeyed,
    Signature,
    SignOutcome,
    Transition,
)
from generator.store.dynamodb_client import Table
from generator.store.dynamodb_errors import CHECK_FAILED, code_of
from generator.store.dynamodb_table import ensure_table
from generator.store.retry import Backoff, retrying
from generator.store.times import seconds_to_next_minute, to_iso, utc_now

if TYPE_CHECKING:  # the boto3 stubs, for type checking only: nothing more is imported to run
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

BATCH_PARTS = 49  # petitions per transaction, each its count item and its log leaves, and a
# marker: DynamoDB takes 100 parts


class DynamoStore:
    """Signatures, count items, batch markers and rate counters in one DynamoDB table."""

    def __init__(
        self,
        table: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        clock: Callable[[], datetime] = utc_now,
        backoff: Backoff | None = None,
        sdk_attempts: int = 3,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        settle: float = 10.0,
    ) -> None:
        self.table = table  # its name
        self._clock = clock
        # seconds a repair waits for the index and the stream's counter to catch up: more
        # than the aggregator's batching window (3 s) and a batch's work
        self.settle = settle
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
        """Create the table (stream, export index, TTL) if missing, and wait until ACTIVE."""
        ensure_table(self.client, self.table)

    def sign(self, signature: Signature, rate: RateLimit | None = None) -> SignOutcome:
        """One conditional write of the signature; a duplicate is told what is stored."""
        what = f"store a signature for {signature.slug!r}"
        item = items.signature_item(signature)
        if rate is None:
            return self._put(item, what)
        parts: list[TransactWriteItemTypeDef] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            items.rate_update(self.table, rate, self._clock()),
        ]
        # One token per call, repeated by its retries: a retry after a lost answer is told
        # "done" instead of "duplicate".
        token = uuid.uuid4().hex
        existing: list[Signature] = []

        def cancelled(reasons: list[str], exc: ClientError) -> bool:
            if len(reasons) > 1 and reasons[1] == CHECK_FAILED:
                raise RateLimited(retry_after=seconds_to_next_minute(self._clock())) from exc
            if reasons[:1] == [CHECK_FAILED]:
                old = _refused_item(exc, 0)
                if old:
                    existing.append(items.signature_of(old))
                return False
            raise self.api.cancelled(reasons, what) from exc

        def attempt() -> bool:
            return self.api.transact(parts, token, what, cancelled)

        if retrying(attempt, self.backoff, f"DynamoDB table {self.table!r}: {what}"):
            return SignOutcome(True)
        found = existing[0] if existing else self._stored(signature.slug, signature.email_key)
        return SignOutcome(False, found)

    def _put(self, item: items.Item, what: str) -> SignOutcome:
        try:
            self.client.put_item(
                TableName=self.table,
                Item=item,
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if code_of(exc) != "ConditionalCheckFailedException":
                raise self.api.failure(what, exc) from exc
            old = _refused_item(exc)
            return SignOutcome(False, items.signature_of(old) if old else None)
        except BotoCoreError as exc:
            raise self.api.failure(what, exc) from exc
        return SignOutcome(True)

    def _stored(self, slug: str, email_key: str) -> Signature | None:
        """The signature stored for this key, read strongly consistently."""
        key = items.signature_key(slug, email_key)
        found = self.api.get_items([key], f"read a signature of {slug!r}")
        return items.signature_of(found[0]) if found else None

    def note_mail(self, slug: str, email_key: str, last: datetime | None, at: datetime) -> bool:
        """One more mail for this signature, if its last mail is still `last`."""
        values: dict[str, AttributeValueTypeDef] = {":one": {"N": "1"}, ":at": {"S": to_iso(at)}}
        if last is None:
            condition = "attribute_exists(pk) AND attribute_not_exists(mailed_at)"
        else:
            condition = "mailed_at = :last"
            values[":last"] = {"S": to_iso(last)}
        made, _ = self._update(
            items.signature_key(slug, email_key), "ADD mails :one SET mailed_at = :at",
            condition, values, {}, f"note a mail for {slug!r}",
        )  # fmt: skip
        return made

    def _update(
        self,
        key: items.Item,
        expression: str,
        condition: str,
        values: dict[str, AttributeValueTypeDef],
        names: dict[str, str],
        what: str,
    ) -> tuple[bool, items.Item | None]:
        """One conditional UpdateItem: whether it was made, and the item as it was before
        (from the answer, or from the refusal when the condition failed; never a read)."""
        arguments: dict[str, object] = {
            "TableName": self.table,
            "Key": key,
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ReturnValues": "ALL_OLD",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if names:
            arguments["ExpressionAttributeNames"] = names
        try:
            answer = self.client.update_item(**arguments)  # type: ignore[arg-type]
        except ClientError as exc:
            if code_of(exc) == "ConditionalCheckFailedException":
                return False, _refused_item(exc)
            raise self.api.failure(what, exc) from exc
        except BotoCoreError as exc:
            raise self.api.failure(what, exc) from exc
        return True, answer.get("Attributes")

    def _move(
        self, what: str, slug: str, email_key: str, sid: str | None, to: str, allowed: set[str],
        confirmed_at: datetime | None = None,
    ) -> Transition:  # fmt: skip
        """One conditional UpdateItem moving the signature (with this id, unless None) from
        an allowed state to `to`; what it was is read from the answer, never before."""
        names = {"#s": "state"}
        values: dict[str, AttributeValueTypeDef] = {":to": {"S": to}}
        allowed_values = []
        for i, state in enumerate(sorted(allowed)):
            values[f":a{i}"] = {"S": state}
            allowed_values.append(f":a{i}")
        condition = f"#s IN ({', '.join(allowed_values)})"
        if CONFIRMED in allowed:  # a signature from before confirmation has no state
            condition = f"(attribute_exists(pk) AND attribute_not_exists(#s)) OR {condition}"
        if sid is not None:
            values[":sid"] = {"S": sid}
            condition = f"sid = :sid AND ({condition})"
        sets = "#s = :to"
        if confirmed_at is not None:
            sets += ", confirmed_at = :at"
            values[":at"] = {"S": to_iso(confirmed_at)}
        _, old = self._update(
            items.signature_key(slug, email_key), f"SET {sets} REMOVE expires, expires_at",
            condition, values, names, f"{what} a signature of {slug!r}",
        )  # fmt: skip
        if old is None or (sid is not None and old.get("sid", {}).get("S") != sid):
            return Transition(None)  # no such signature (or another one under this key)
        return Transition(items.state_of(old))

    def confirm(self, slug: str, email_key: str, sid: str, at: datetime) -> Transition:
        """pending → confirmed (counted from `at`); anything else is left as it is."""
        return self._move("confirm", slug, email_key, sid, CONFIRMED, {PENDING}, at)

    def reject(self, slug: str, email_key: str, sid: str, at: datetime) -> Transition:
        """pending or confirmed → rejected."""
        return self._move("reject", slug, email_key, sid, REJECTED, {PENDING, CONFIRMED})

    def bounce(self, slug: str, email_key: str) -> Transition:
        """pending → bounced."""
        return self._move("mark bounced", slug, email_key, None, BOUNCED, {PENDING})

    def purge_expired(self, now: datetime) -> int:
        """Delete expired pending signatures (a Scan: the daily upkeep; DynamoDB's TTL
        deletes them too, within about two days, and the stream counts either)."""
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
        return sum(upkeep.delete(self.api, s.slug, s.email_key, {PENDING}) for s in found)

    def apply_counts(self, batch: str, updates: Sequence[CountUpdate]) -> bool:
        """Apply a batch to the count items, each part one transaction with its marker."""
        now = self._clock()
        applied = False
        ordered = sorted(updates, key=lambda u: u.slug)
        for start in range(0, len(ordered), BATCH_PARTS):
            part = ordered[start : start + BATCH_PARTS]
            marker = batch if len(ordered) <= BATCH_PARTS else f"{batch}#{start // BATCH_PARTS}"
            applied |= self._apply_part(marker, part, now)
        return applied

    def _apply_part(self, marker: str, part: Sequence[CountUpdate], now: datetime) -> bool:
        what = f"count the changes {marker}"
        parts = [items.batch_marker(self.table, marker, now)]
        for update in part:
            parts.append(items.count_update(self.table, update, now))
            if update.leaves:
                parts.append(items.log_put(self.table, update))
        token = uuid.uuid4().hex

        def cancelled(reasons: list[str], exc: ClientError) -> bool:
            if reasons[:1] == [CHECK_FAILED]:
                return False  # the marker is there: applied before
            if CHECK_FAILED in reasons:
                raise CountsMoved(f"DynamoDB table {self.table!r}: counts moved") from exc
            raise self.api.cancelled(reasons, what) from exc

        def attempt() -> bool:
            return self.api.transact(parts, token, what, cancelled)

        return retrying(attempt, self.backoff, f"DynamoDB table {self.table!r}: {what}")

    def log_entries(self, slug: str, start: int, end: int) -> list[bytes]:
        """The petition's log leaves from `start` to `end` (excluded): from each of the log's
        partitions, the items that may hold them (one query each, by key)."""
        if end <= start:
            return []
        low = items.log_sort_key(max(0, start - items.MAX_ITEM_LEAVES + 1))
        high = items.log_sort_key(end - 1)
        found: dict[int, bytes] = {}
        try:
            for shard in range(items.LOG_SHARDS):
                pages = self.client.get_paginator("query").paginate(
                    TableName=self.table, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                    ExpressionAttributeValues={
                        ":p": {"S": items.log_partition(slug, shard)},
                        ":a": {"S": low}, ":b": {"S": high},
                    },
                    ConsistentRead=True,
                )  # fmt: skip
                for page in pages:
                    for item in page.get("Items", []):
                        first = int(item["sk"]["S"])
                        for offset, leaf in enumerate(item["leaves"]["L"]):
                            if start <= first + offset < end:
                                found[first + offset] = bytes(leaf["B"])
        except (ClientError, BotoCoreError) as exc:
            raise self.api.failure(f"read the log of {slug!r}", exc) from exc
        leaves = []
        for index in range(start, end):  # in order, up to the first gap (a shorter log)
            if index not in found:
                break
            leaves.append(found[index])
        return leaves

    def claim(self, slug: str, what: str, now: datetime, every: timedelta) -> bool:
        """The first caller in each `every` claims `what` (an attribute of the count item)."""
        made, _ = self._update(
            items.count_key(slug),
            "SET #c = :now, slug = :slug",
            "attribute_not_exists(#c) OR #c <= :since",
            {":now": {"S": to_iso(now)}, ":since": {"S": to_iso(now - every)},
             ":slug": {"S": slug}},
            {"#c": f"claim_{what}"},
            f"claim {what} of {slug!r}",
        )  # fmt: skip
        return made

    def stale(self, slugs: Iterable[str], what: str) -> list[str]:
        """The petitions whose count item moved after its claim of `what` (read by key)."""
        wanted = list(dict.fromkeys(slugs))
        moved: set[str] = set()
        for start in range(0, len(wanted), 100):
            keys = [items.count_key(slug) for slug in wanted[start : start + 100]]
            for item in self.api.get_items(keys, f"find petitions whose {what} is stale"):
                updated = item.get("updated", {}).get("S", "")
                if updated and updated > item.get(f"claim_{what}", {}).get("S", ""):
                    moved.add(item["slug"]["S"])
        return [slug for slug in wanted if slug in moved]

    def tally(self, slug: str) -> Tally:
        """One petition's count item (one eventually consistent read)."""
        try:
            answer = self.client.get_item(TableName=self.table, Key=items.count_key(slug))
        except (ClientError, BotoCoreError) as exc:
            raise self.api.failure(f"read the tally of {slug!r}", exc) from exc
        return items.tally_of(answer.get("Item"))

    def counts(self, slugs: Iterable[str]) -> dict[str, Tally]:
        """These petitions' count items, read by key (100 to a request, strongly consistent)."""
        wanted = list(dict.fromkeys(slugs))
        found: dict[str, Tally] = {slug: Tally() for slug in wanted}
        for start in range(0, len(wanted), 100):
            keys = [items.count_key(slug) for slug in wanted[start : start + 100]]
            for item in self.api.get_items(keys, "read counts"):
                found[item["slug"]["S"]] = items.tally_of(item)
        return found

    def tallies(self) -> dict[str, Tally]:
        """Every count item (a Scan, in parallel segments: for the daily audit only)."""
        return upkeep.scan_counts(self.api)

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
        """Delete this signer's signature on each of `slugs` (the stream lowers the counts)."""
        return [
            slug for slug in dict.fromkeys(slugs) if upkeep.delete(self.api, slug, email_key, None)
        ]

    def recount(self, slug: str) -> int:
        """How many counted signatures of one petition the export index holds."""
        return upkeep.recount(self.api, slug)

    def repair(self, slug: str) -> tuple[int, int]:
        """Make the count item equal the recount, once the stream and the index are quiet."""
        return upkeep.repair(self.api, slug, self.settle)

    def rekey(self, slug: str, key_of: Callable[[str], str]) -> Rekeyed:
        """New keys from the stored emails, duplicates merged (see dynamodb_privacy)."""
        return privacy.rekey(self.api, slug, list(self.signatures(slug)), key_of)

    def anonymise(self, slug: str) -> int:
        """Blank the personal fields of the petition's signatures, one item at a time."""
        return privacy.anonymise(self.api, slug, list(self.signatures(slug)))

    def latest_signature(self, slug: str) -> datetime | None:
        """The time of the petition's newest signature, from the export index."""
        return privacy.latest_signature(self.api, slug)

    # -- mail to supporters (dynamodb_mailings) -------------------------------------

    def withdraw_consent(self, slug: str, email_key: str, sid: str) -> bool:
        """Turn off the consent to hear more of the signature with this key and id."""
        return mailing.withdraw_consent(self.api, slug, email_key, sid)

    def recipients(self, slug: str, update: str) -> Iterator[Recipient]:
        """The petition's consenting counted signatures with their notices (export index)."""
        return mailing.recipients(self.api, slug, update)

    def mark_notice(
        self, slug: str, update: str, email_key: str, was: str | None, now: str | None
    ) -> bool:
        """Move one signer's notice of `update` from `was` to `now`, if it is still `was`."""
        return mailing.mark_notice(self.api, slug, update, email_key, was, now)

    def mailings(self, slug: str, updates: Iterable[str]) -> dict[str, Mailing]:
        """The started mailings of these updates of a petition, read by key."""
        return mailing.mailings(self.api, slug, updates)

    def start_mailing(self, slug: str, update: str, at: datetime) -> Mailing:
        """The update's mailing, started at `at` unless it had started."""
        return mailing.start_mailing(self.api, slug, update, at)

    def finish_mailing(self, slug: str, update: str, at: datetime) -> None:
        """Record that the update's mailing is done."""
        mailing.finish_mailing(self.api, slug, update, at)

    def close(self) -> None:
        """Release the client's connections; a later call builds a new client."""
        self.api.close()


def _refused_item(exc: ClientError, part: int | None = None) -> items.Item | None:
    """The item as it was when a conditional write was refused (with ALL_OLD asked for):
    in the error of a single write, or in a transaction's reason for its `part`."""
    response: dict[str, Any] = dict(exc.response)
    if part is None:
        found = response.get("Item")
    else:
        reasons = response.get("CancellationReasons") or [{}]
        found = reasons[part].get("Item") if part < len(reasons) else None
    return found if isinstance(found, dict) else None

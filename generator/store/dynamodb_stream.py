"""The table's stream as the counter's change feed: each record of a signature item that
changed state is a Change; the rest (count items, markers, rate counters, mail notes,
anonymising) change no count and are left out.

Lambda hands the aggregator function its records (`changes_of`); locally `StreamSource`
reads DynamoDB Local's stream itself, shard by shard, as the Lambda service would.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from generator.errors import StoreError
from generator.store import dynamodb_items as items
from generator.store.base import CONFIRMED, Change, Feed
from generator.store.times import from_iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient

    from generator.store.dynamodb import DynamoStore


def _when(record: Mapping[str, Any]) -> datetime:
    """When the stream saw the change (its approximate creation time)."""
    when = record["dynamodb"].get("ApproximateCreationDateTime")
    if isinstance(when, datetime):
        return when.astimezone(UTC)
    if isinstance(when, int | float):
        return datetime.fromtimestamp(when, UTC)
    return datetime.now(UTC)


def change_of(record: Mapping[str, Any]) -> Change | None:
    """The change a stream record reports, or None when no count moves with it."""
    body = record["dynamodb"]
    if body.get("Keys", {}).get("sk", {}).get("S") != items.SIGNATURE_SK:
        return None
    new, old = body.get("NewImage"), body.get("OldImage")
    event = record.get("eventName")
    if (event == "INSERT" and items.MOVED_FROM in (new or {})) or (
        event == "REMOVE" and items.MOVED_TO in (old or {})
    ):
        return None  # one half of a rekey's move: the signature stays, counted as it was
    before = items.state_of(old) if event != "INSERT" else None
    after = items.state_of(new) if event != "REMOVE" else None
    if before == after:
        return None
    image = new or old or {}
    if after == CONFIRMED and new is not None:
        at = from_iso((new.get("confirmed_at") or new["signed_at"])["S"])
    elif before is None and new is not None:
        at = from_iso(new["signed_at"]["S"])
    else:
        at = _when(record)
    kept = {
        name: image.get(name, {}).get("S", "") for name in ("country", "region", "version", "sid")
    }
    return Change(
        image["slug"]["S"], before, after, at, kept["country"], kept["region"], kept["version"],
        kept["sid"],
    )  # fmt: skip


def changes_of(records: Iterable[Mapping[str, Any]]) -> tuple[Change, ...]:
    """The changes in a batch of stream records, in their order."""
    return tuple(c for c in (change_of(r) for r in records) if c is not None)


def batch_id(records: Iterable[Mapping[str, Any]]) -> str:
    """A batch's id: the same records, the same id (however often they are delivered)."""
    ids = ",".join(str(r.get("eventID") or r["dynamodb"]["SequenceNumber"]) for r in records)
    return hashlib.sha256(ids.encode()).hexdigest()[:32]


class StreamSource:
    """Reads a table's stream shard by shard, as the Lambda service does for the aggregator
    function: a batch is read again, the same records exactly, until it is acknowledged
    (`done`), so a counter that stopped mid-batch and started again meets the same batch
    (whose marker says whether it was applied). Where each shard was read up to, and the
    batch in flight, are kept in `checkpoint` (a JSON file) when given, else in memory."""

    def __init__(self, store: DynamoStore, checkpoint: Path | None = None) -> None:
        self.store = store
        self.checkpoint = checkpoint
        self._client: DynamoDBStreamsClient | None = None
        self._arn: str | None = None
        self._iterators: dict[str, str | None] = {}  # shard -> next iterator (None: closed)
        self._parents: dict[str, str] = {}  # shard -> its parent shard
        state = _load(checkpoint)
        self._done: dict[str, str] = state.get("done", {})  # shard -> last sequence applied
        flight = state.get("flight")  # the batch read and not yet acknowledged
        self._flight: tuple[str, str, str] | None = (
            (str(flight[0]), str(flight[1]), str(flight[2])) if flight else None
        )
        self._held: Feed | None = None

    def _streams(self) -> DynamoDBStreamsClient:
        if self._client is None:
            self._client = self.store.api.streams()
        return self._client

    def _iterator(self, shard: str, kind: str, sequence: str | None = None) -> str:
        arguments: dict[str, str] = {"StreamArn": self._arn or "", "ShardId": shard}
        arguments["ShardIteratorType"] = kind
        if sequence is not None:
            arguments["SequenceNumber"] = sequence
        return self._streams().get_shard_iterator(**arguments)["ShardIterator"]  # type: ignore[arg-type]

    def _refresh(self) -> None:
        """Learn of the stream, and of shards opened since the last look."""
        if self._arn is None:
            table = self.store.client.describe_table(TableName=self.store.table)["Table"]
            self._arn = table.get("LatestStreamArn")
            if not self._arn:
                return
        shards = self._streams().describe_stream(StreamArn=self._arn)["StreamDescription"]
        for shard in shards["Shards"]:
            shard_id = shard["ShardId"]
            if shard_id in self._iterators:
                continue
            if "ParentShardId" in shard:
                self._parents[shard_id] = shard["ParentShardId"]
            done = self._done.get(shard_id)
            self._iterators[shard_id] = (
                self._iterator(shard_id, "AFTER_SEQUENCE_NUMBER", done)
                if done
                else self._iterator(shard_id, "TRIM_HORIZON")
            )

    def _ready(self, shard: str) -> bool:
        """A child shard is read once its parent has been read to its end."""
        parent = self._parents.get(shard)
        return parent is None or parent not in self._iterators or self._iterators[parent] is None

    def read(self, limit: int = 1000) -> Feed | None:
        """The batch in flight again if it was not acknowledged, else the next batch of
        records of any shard, as changes; None when none are waiting."""
        if self._held is not None:
            return self._held
        try:
            self._refresh()
            if self._flight is not None and self._flight[0] not in self._iterators:
                self._flight = None  # a new stream (the table was made again): start over
            if self._flight is not None:
                self._held = self._replay(*self._flight)
                return self._held
            for shard, iterator in list(self._iterators.items()):
                if iterator is None or not self._ready(shard):
                    continue
                answer = self._streams().get_records(ShardIterator=iterator, Limit=limit)
                records = answer.get("Records", [])
                if not records:
                    self._iterators[shard] = answer.get("NextShardIterator")
                    continue
                first = records[0]["dynamodb"]["SequenceNumber"]
                last = records[-1]["dynamodb"]["SequenceNumber"]
                self._flight = (shard, first, last)
                self._save()
                self._held = Feed(f"{shard}:{batch_id(records)}", changes_of(records))
                return self._held
        except (ClientError, BotoCoreError) as exc:
            raise self.store.api.failure("read the table's stream", exc) from exc
        return None

    def _replay(self, shard: str, first: str, last: str) -> Feed:
        """The records from `first` to `last` of a shard again: the batch in flight."""
        records: list[Mapping[str, Any]] = []
        iterator: str | None = self._iterator(shard, "AT_SEQUENCE_NUMBER", first)
        while iterator is not None:
            answer = self._streams().get_records(ShardIterator=iterator, Limit=1000)
            for record in answer.get("Records", []):
                records.append(record)
                if record["dynamodb"]["SequenceNumber"] == last:
                    return Feed(f"{shard}:{batch_id(records)}", changes_of(records))
            iterator = answer.get("NextShardIterator")
        raise StoreError(
            f"DynamoDB table {self.store.table!r}: the stream no longer holds the batch"
            f" {first}..{last} of {shard} (records are kept 24 hours)"
        )

    def done(self, feed: Feed) -> None:
        """The batch was applied: read on after it from now on."""
        if self._flight is None or self._held is None or feed.batch != self._held.batch:
            return
        shard, _, last = self._flight
        self._done[shard] = last
        self._flight, self._held = None, None
        self._save()
        try:
            self._iterators[shard] = self._iterator(shard, "AFTER_SEQUENCE_NUMBER", last)
        except (ClientError, BotoCoreError) as exc:
            raise self.store.api.failure("read the table's stream", exc) from exc

    def _save(self) -> None:
        if self.checkpoint is None:
            return
        state = {"done": self._done, "flight": list(self._flight) if self._flight else None}
        temporary = self.checkpoint.with_suffix(".tmp")
        temporary.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(state, indent=1))
        os.replace(temporary, self.checkpoint)


def _load(checkpoint: Path | None) -> dict[str, Any]:
    if checkpoint is None or not checkpoint.exists():
        return {}
    loaded = json.loads(checkpoint.read_text())
    return loaded if isinstance(loaded, dict) else {}

"""DynamoDB Local's stream as Lambda hands it to the aggregator function: records read from
the table's stream, filtered by the event source's pattern in infra/stack.json, in the
shape of a Lambda DynamoDB event (`{"Records": [...]}`, times in epoch seconds)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.store.dynamodb import DynamoStore

STACK = Path(__file__).resolve().parents[2] / "functions" / "infra" / "stack.json"
REGION = "us-east-1"


def event_filter() -> dict[str, Any]:
    """The aggregator's event source filter pattern, as the stack declares it."""
    stack = json.loads(STACK.read_text(encoding="utf-8"))
    events = stack["Resources"]["Aggregator"]["Properties"]["Events"]
    (source,) = events.values()
    (only,) = source["Properties"]["FilterCriteria"]["Filters"]
    pattern: dict[str, Any] = json.loads(only["Pattern"])
    return pattern


def matches(value: Any, pattern: Any) -> bool:
    """Whether a record matches an event filter pattern (objects nest, lists list the
    values allowed): the part of Lambda's filter syntax the stack uses."""
    if isinstance(pattern, list):
        return value in pattern
    if isinstance(pattern, Mapping):
        return isinstance(value, Mapping) and all(
            key in value and matches(value[key], sub) for key, sub in pattern.items()
        )
    return bool(value == pattern)


def lambda_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """One record as the Lambda event carries it (boto3 parses the creation time; Lambda
    sends epoch seconds)."""
    body = dict(record["dynamodb"])
    when = body.get("ApproximateCreationDateTime")
    if isinstance(when, datetime):
        body["ApproximateCreationDateTime"] = when.timestamp()
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": body,
        "eventSourceARN": stream_arn,
    }


class Stream:
    """Reads a table's stream onward from where it last stopped, every shard, oldest first."""

    def __init__(self, table: DynamoStore) -> None:
        self.table = table
        self.client = table.api.streams()
        described = table.client.describe_table(TableName=table.table)["Table"]
        self.arn = described["LatestStreamArn"]
        self.pattern = event_filter()
        self._iterators: dict[str, str | None] = {}

    def _shards(self) -> None:
        shards = self.client.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        for shard in shards:
            if shard["ShardId"] not in self._iterators:
                self._iterators[shard["ShardId"]] = self.client.get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]

    def records(self) -> list[dict[str, Any]]:
        """Every record written since the last call that the event source passes on."""
        self._shards()
        found: list[dict[str, Any]] = []
        for shard, iterator in list(self._iterators.items()):
            while iterator is not None:
                answer = self.client.get_records(ShardIterator=iterator, Limit=1000)
                found += [lambda_record(r, self.arn) for r in answer.get("Records", [])]
                iterator = answer.get("NextShardIterator")
                self._iterators[shard] = iterator
                if not answer.get("Records"):
                    break
        return [r for r in found if matches(r, self.pattern)]


def event(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A Lambda DynamoDB stream event carrying these records."""
    return {"Records": records}

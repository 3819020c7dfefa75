"""Creating the DynamoDB table: keys, export index, on-demand billing, encryption and TTL."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from generator.errors import ConfigError, StoreError
from generator.store.dynamodb_errors import code_of
from generator.store.dynamodb_items import GSI

if TYPE_CHECKING:  # the boto3 stubs, for type checking only: nothing more is imported to run
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        CreateTableInputTypeDef,
        StreamSpecificationTypeDef,
        TableDescriptionTypeDef,
    )

TTL_ATTRIBUTE = "expires"
# The counter's feed: every change of a signature, with its images before and after.
STREAM: StreamSpecificationTypeDef = {
    "StreamEnabled": True,
    "StreamViewType": "NEW_AND_OLD_IMAGES",
}


def table_definition(table: str) -> CreateTableInputTypeDef:
    """CreateTable arguments: pk/sk strings, the export index, pay per request, SSE on."""
    strings = ("pk", "sk", "gsi1pk", "gsi1sk")
    return {
        "TableName": table,
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in strings],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": GSI,
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"Enabled": True},
        "StreamSpecification": STREAM,
    }


def ensure_table(client: DynamoDBClient, table: str, timeout: float = 60.0) -> bool:
    """Create the table (and its TTL) unless it exists, and wait until it is ACTIVE.

    True when this call created it. Raises ConfigError when a table of that name exists
    with another shape, StoreError when DynamoDB fails or the table stays unready.
    """
    where = f"DynamoDB table {table!r}"
    try:
        created = False
        description = _describe(client, table)
        if description is None:
            try:
                client.create_table(**table_definition(table))
                created = True
            except ClientError as exc:
                if code_of(exc) != "ResourceInUseException":  # someone else is creating it
                    raise
        description = _wait_active(client, table, timeout)
        _check_shape(description, where)
        if not description.get("StreamSpecification", {}).get("StreamEnabled"):
            client.update_table(TableName=table, StreamSpecification=STREAM)  # an older table
            description = _wait_active(client, table, timeout)
        _enable_ttl(client, table, where)
    except (ClientError, BotoCoreError) as exc:
        raise StoreError(f"{where}: could not create or check it: {_reason(exc)}") from exc
    return created


def _describe(client: DynamoDBClient, table: str) -> TableDescriptionTypeDef | None:
    try:
        return client.describe_table(TableName=table)["Table"]
    except ClientError as exc:
        if code_of(exc) == "ResourceNotFoundException":
            return None
        raise


def _wait_active(client: DynamoDBClient, table: str, timeout: float) -> TableDescriptionTypeDef:
    # boto3's waiter polls every 20 s; a new table is usually ready in well under a second.
    deadline = time.monotonic() + timeout
    pause = 0.05
    while True:
        description = _describe(client, table)
        if description is not None and _active(description):
            return description
        if time.monotonic() > deadline:
            status = description["TableStatus"] if description else "missing"
            raise StoreError(
                f"DynamoDB table {table!r}: not ACTIVE after {timeout:.0f} s ({status})"
            )
        time.sleep(pause)
        pause = min(pause * 2, 2.0)


def _active(description: TableDescriptionTypeDef) -> bool:
    indexes = description.get("GlobalSecondaryIndexes", [])
    return description["TableStatus"] == "ACTIVE" and all(
        i.get("IndexStatus", "ACTIVE") == "ACTIVE" for i in indexes
    )


def _check_shape(description: TableDescriptionTypeDef, where: str) -> None:
    keys = {k["AttributeName"]: k["KeyType"] for k in description["KeySchema"]}
    indexes = {i["IndexName"] for i in description.get("GlobalSecondaryIndexes", [])}
    if keys != {"pk": "HASH", "sk": "RANGE"} or GSI not in indexes:
        raise ConfigError(
            f"{where} exists with another shape (keys {keys}, indexes {sorted(indexes)});"
            f" expected keys pk (HASH) and sk (RANGE) and the index {GSI!r}"
        )


def _enable_ttl(client: DynamoDBClient, table: str, where: str) -> None:
    ttl = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    status = ttl.get("TimeToLiveStatus", "DISABLED")
    if status in ("ENABLED", "ENABLING"):
        if ttl.get("AttributeName") != TTL_ATTRIBUTE:
            raise ConfigError(
                f"{where}: TTL is on attribute {ttl.get('AttributeName')!r};"
                f" expected {TTL_ATTRIBUTE!r}"
            )
        return
    client.update_time_to_live(
        TableName=table,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )


def _reason(exc: ClientError | BotoCoreError) -> str:
    return code_of(exc) if isinstance(exc, ClientError) else str(exc)

"""Fixtures for counting: a fresh table on the session's DynamoDB Local (its stream on)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from generator.store.dynamodb import DynamoStore
from generator.store.retry import Backoff

PATIENT = Backoff(attempts=30, base=0.005, cap=0.2, budget=20.0)  # 50 clients at once


@pytest.fixture
def table(dynamodb_local: str) -> Iterator[DynamoStore]:
    """An empty table on DynamoDB Local with its stream, deleted after the test."""
    store = DynamoStore(
        f"petitions-{uuid.uuid4().hex[:12]}", region="us-east-1", endpoint_url=dynamodb_local,
        backoff=PATIENT, settle=0.01,
    )  # fmt: skip
    store.init()
    yield store
    store.client.delete_table(TableName=store.table)
    store.close()

"""Fixtures for the store contract suite: the same tests against every implementation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from generator.store.base import Store
from generator.store.dynamodb import DynamoStore
from generator.store.retry import Backoff
from generator.store.sqlite import SqliteStore
from tests.store.helpers import FAST, PATIENT, Clock

LOCAL = pytest.param("dynamodb_local", marks=pytest.mark.dynamodb_local)
SETTLE = 0.01  # both local servers update the export index at once; no need to wait a second


def sqlite_store(tmp_path: Path, clock: Clock) -> SqliteStore:
    """A fresh SQLite store in tmp_path."""
    return SqliteStore(tmp_path / "data" / "signatures.db", clock=clock)


@pytest.fixture
def clock() -> Clock:
    """The clock the store under test reads."""
    return Clock()


@pytest.fixture
def local_table(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A fresh table name on the session's DynamoDB Local, deleted after the test."""
    endpoint: str = request.getfixturevalue("dynamodb_local")
    name = f"petitions-{uuid.uuid4().hex[:12]}"
    yield endpoint, name
    cleanup = DynamoStore(name, region="us-east-1", endpoint_url=endpoint)
    cleanup.client.delete_table(TableName=name)
    cleanup.close()


def _open(kind: str, request: pytest.FixtureRequest, clock: Clock, backoff: Backoff) -> Store:
    if kind == "sqlite":
        return sqlite_store(request.getfixturevalue("tmp_path"), clock)
    if kind == "moto":
        request.getfixturevalue("moto")
        return DynamoStore(
            "petitions", region="us-east-1", clock=clock, backoff=backoff, settle=SETTLE
        )
    endpoint, name = request.getfixturevalue("local_table")
    return DynamoStore(
        name, region="us-east-1", endpoint_url=endpoint, clock=clock, backoff=backoff, settle=SETTLE
    )


@pytest.fixture
def moto() -> Iterator[None]:
    """boto3 answered in-process by moto (single-threaded tests only)."""
    with mock_aws():
        yield


@pytest.fixture(params=["sqlite", "moto", LOCAL])
def store(request: pytest.FixtureRequest, clock: Clock) -> Iterator[Store]:
    """Each store implementation, initialised and empty."""
    opened = _open(request.param, request, clock, FAST)
    opened.init()
    yield opened
    opened.close()


@pytest.fixture(params=["sqlite", LOCAL])
def concurrent_store(request: pytest.FixtureRequest, clock: Clock) -> Iterator[Store]:
    """The implementations that are safe to drive from many threads (moto is not)."""
    opened = _open(request.param, request, clock, PATIENT)
    opened.init()
    yield opened
    opened.close()


@pytest.fixture(params=["moto", LOCAL])
def dynamo_store(request: pytest.FixtureRequest, clock: Clock) -> Iterator[DynamoStore]:
    """The DynamoDB store on moto and on DynamoDB Local, initialised and empty."""
    opened = _open(request.param, request, clock, FAST)
    assert isinstance(opened, DynamoStore)
    opened.init()
    yield opened
    opened.close()

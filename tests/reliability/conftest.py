"""Fixtures of the reliability tests: a copy of the site with a load-test petition, and stores.

Everything is written under the test's temporary folder; DynamoDB tables live on the
session's DynamoDB Local (tests/conftest.py) and are deleted afterwards.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.store.dynamodb import DynamoStore
from generator.store.sqlite import SqliteStore

# Hypothesis keeps its example database in the system's temp folder, not in the checkout.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "petition-sites-hypothesis")
)

from .harness import make_site


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A copy of the fixture content and the templates plus the load-test petition."""
    return make_site(tmp_path / "site")


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    """An empty SQLite store in the test's folder."""
    store = SqliteStore(tmp_path / "data" / "signatures.db")
    store.init()
    yield store
    store.close()


@pytest.fixture
def dynamo_store(dynamodb_local: str) -> Iterator[DynamoStore]:
    """An empty table on the session's DynamoDB Local, deleted after the test."""
    store = DynamoStore(
        f"reliability-{uuid.uuid4().hex[:12]}", region="us-east-1", endpoint_url=dynamodb_local
    )
    store.init()
    yield store
    store.client.delete_table(TableName=store.table)
    store.close()

"""Fixtures for mail to supporters: the fixture content with updates, a store of each kind
(SQLite, DynamoDB Local) holding signers, a settable clock and a mailer that remembers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.content.loading import load_content
from generator.model import Content, Update
from generator.signing.letters import Letter
from generator.signing.mail import MailError
from generator.store.base import Store
from generator.store.dynamodb import DynamoStore
from generator.store.sqlite import SqliteStore
from tests.support.fixture_site import BARE, CONTENT

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SECRET = b"notify-test-secret-not-for-production"


def update(name: str, day: datetime, kind: str = "update") -> Update:
    """An update of the BARE petition dated `day`."""
    return Update(
        name=name,
        path=f"content/petitions/{BARE}/updates/{name}.md",
        title=f"News: {name}",
        date=day,
        kind=kind,
        body="The council met.\n\nIt will **decide** in May.",
    )


FIRST = update("2025-03-02-council-replies", NOW - timedelta(days=1), "response")
SECOND = update("2025-03-10-council-decides", NOW + timedelta(days=7))


def with_updates(content: Content, *updates: Update) -> Content:
    """The content with these updates (oldest first) on the BARE petition."""
    petitions = tuple(
        replace(p, updates=updates) if p.slug == BARE else p for p in content.petitions
    )
    return Content(content.site, petitions)


@pytest.fixture
def content() -> Content:
    """The fixture content with one update (dated a day before NOW) on BARE."""
    return with_updates(load_content(CONTENT), FIRST)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


class Recorder:
    """A mailer that keeps what it is sent; `fail_at` (1-based) makes one letter fail with
    `error` (MailError: refused, nothing handed on; anything else: the run dies there)."""

    def __init__(self, fail_at: int | None = None, error: type[BaseException] = MailError):
        self.sent: list[Letter] = []
        self.tries = 0
        self.fail_at, self.error = fail_at, error

    def send(self, letter: Letter) -> None:
        self.tries += 1
        if self.tries == self.fail_at:
            raise self.error("the mail server went away")
        self.sent.append(letter)

    def recipients(self) -> list[str]:
        return [letter.to for letter in self.sent]


@pytest.fixture(params=["sqlite", pytest.param("dynamodb_local", marks=pytest.mark.dynamodb_local)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each kind: SQLite in tmp_path, a fresh table on DynamoDB Local."""
    if request.param == "sqlite":
        opened: Store = SqliteStore(tmp_path / "signatures.db")
        opened.init()
        yield opened
        opened.close()
        return
    endpoint: str = request.getfixturevalue("dynamodb_local")
    name = f"notify-{uuid.uuid4().hex[:12]}"
    dynamo = DynamoStore(name, region="us-east-1", endpoint_url=endpoint)
    dynamo.init()
    yield dynamo
    dynamo.client.delete_table(TableName=name)
    dynamo.close()

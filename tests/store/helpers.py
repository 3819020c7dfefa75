"""Helpers the store tests share: a hand-moved clock, made-up signatures and petitions,
counting, made-up drift."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from generator.model import Content, Petition
from generator.store import dynamodb_items as items
from generator.store.base import Signature, Store
from generator.store.dynamodb import DynamoStore
from generator.store.retry import Backoff
from generator.store.sqlite import SqliteStore
from tests.support.counting import NO_CONTENT, count_now

START = datetime(2026, 3, 1, 12, 0, 10, tzinfo=UTC)  # 50 s before the next minute
SLUG = "save-the-park"


class Clock:
    """A clock the test moves by hand (the stores read it for rate-limit minutes)."""

    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(seconds=seconds)


def signature(
    number: int, slug: str = SLUG, at: datetime | None = None, **fields: object
) -> Signature:
    """A distinct signer's signature; `number` picks the signer (fake hex email_key)."""
    values: dict[str, object] = {
        "name": f"Signer {number}",
        "email": f"signer{number}@example.org",
        "signed_at": at or START + timedelta(seconds=number),
        **fields,
    }
    return Signature(slug=slug, email_key=f"{number:064x}", **values)  # type: ignore[arg-type]


def ladder(*milestones: int, slugs: tuple[str, ...] = (SLUG,)) -> Content:
    """A content folder whose petitions (`slugs`) have this milestone ladder."""
    petitions = tuple(
        Petition(
            slug=slug,
            path=f"content/petitions/{slug}.md",
            title=f"Petition {slug}",
            target="The Council",
            ask="Do the thing.",
            body="Because.",
            created=START - timedelta(days=30),
            milestones=milestones,
        )
        for slug in slugs
    )
    return Content(NO_CONTENT.site, petitions)


def counted(store: Store, content: Content = NO_CONTENT) -> Store:
    """The store once the counter has applied every change waiting on its feed (the same
    reader each time for the same store object, as one aggregator reads a stream)."""
    count_now(store, content)
    return store


FAST = Backoff(attempts=4, base=0.001, cap=0.01, budget=2.0)
PATIENT = Backoff(attempts=30, base=0.005, cap=0.2, budget=20.0)  # 20 threads on one item


def skew(store: Store, slug: str, delta: int) -> None:
    """Move a petition's stored count by `delta` behind the store's back (drift, as a bug
    would): the SQLite counts row, or DynamoDB's count item."""
    if isinstance(store, SqliteStore):
        with sqlite3.connect(store.path) as conn:
            conn.execute(
                "INSERT INTO counts (slug, n) VALUES (?, ?)"
                " ON CONFLICT (slug) DO UPDATE SET n = n + excluded.n",
                (slug, delta),
            )
        conn.close()
        return
    assert isinstance(store, DynamoStore), store
    store.client.update_item(
        TableName=store.table,
        Key=items.count_key(slug),
        UpdateExpression="ADD n :d SET slug = :slug",
        ExpressionAttributeValues={":d": {"N": str(delta)}, ":slug": {"S": slug}},
    )


def second_client(store: Store) -> Store:
    """Another store object on the same data, as another process (say, the reconcile) opens it.

    It gives up quickly (FAST backoff) where the original may be patient.
    """
    if isinstance(store, SqliteStore):
        return SqliteStore(store.path)
    assert isinstance(store, DynamoStore), store
    return DynamoStore(
        store.table,
        region=store.region,
        endpoint_url=store.endpoint_url,
        backoff=FAST,
        settle=store.settle,
    )


def drop_count(store: Store, slug: str) -> None:
    """Lose a petition's stored count behind the store's back (its milestones too)."""
    if isinstance(store, SqliteStore):
        with sqlite3.connect(store.path) as conn:
            conn.execute("DELETE FROM counts WHERE slug = ?", (slug,))
            conn.execute("DELETE FROM milestones WHERE slug = ?", (slug,))
        conn.close()
        return
    assert isinstance(store, DynamoStore), store
    store.client.delete_item(TableName=store.table, Key=items.count_key(slug))

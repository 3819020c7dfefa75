"""Where a store's change feed is read from when the counter runs beside it (serve, tests):
the SQLite store's own feed table, or the DynamoDB table's stream."""

from __future__ import annotations

from pathlib import Path

from generator.counting.counter import ChangeFeed
from generator.errors import ConfigError
from generator.store.base import Feed, Store


class SqliteFeed:
    """The SQLite store's feed: the changes its writes put beside them."""

    def __init__(self, store: Store) -> None:
        from generator.store.sqlite import SqliteStore

        assert isinstance(store, SqliteStore)
        self.store = store

    def read(self, limit: int = 1000) -> Feed | None:
        """The oldest changes not yet counted."""
        return self.store.feed(limit)

    def done(self, feed: Feed) -> None:
        """Nothing to do: applying a batch took its changes off the feed."""


def feed_of(store: Store, state: Path | None = None) -> ChangeFeed:
    """The change feed of a store this process can read itself (a stream reader keeps where
    it got to in a file in the folder `state`, when given)."""
    from generator.store.dynamodb import DynamoStore
    from generator.store.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        return SqliteFeed(store)
    if isinstance(store, DynamoStore):
        from generator.store.dynamodb_stream import StreamSource

        checkpoint = None if state is None else state / f"stream-{store.table}.json"
        return StreamSource(store, checkpoint)
    raise ConfigError(f"{store!r}: no change feed this process can read")

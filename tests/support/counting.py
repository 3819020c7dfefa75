"""Counting in tests: drain a store's change feed now, as the counter does in production
(from the table's stream) and in `serve` (on a thread), so a test can read counts."""

from __future__ import annotations

import threading
from collections.abc import Callable

from generator.counting.counter import ChangeFeed, Counter, MilestoneHook
from generator.counting.sources import feed_of
from generator.model import Content, Site
from generator.store.base import Store

_SOURCES: dict[int, tuple[Store, ChangeFeed]] = {}  # one reader per store: streams resume
NO_CONTENT = Content(
    Site("Test", "https://petitions.example.org", "UTC", "en", (10,), "Test", "/privacy"), ()
)


def source_of(store: Store) -> ChangeFeed:
    """The store's change feed, the same reader each time for the same store."""
    kept = _SOURCES.get(id(store))
    if kept is None or kept[0] is not store:
        kept = (store, feed_of(store))
        _SOURCES[id(store)] = kept
    return kept[1]


def counter_for(
    store: Store, content: Content = NO_CONTENT, hooks: list[MilestoneHook] | None = None
) -> Callable[[], int]:
    """A function that counts every change waiting on the store's feed (how many it read)."""
    counter = Counter(content, store, hooks or [])
    return lambda: counter.drain(source_of(store))


def counting_inline(
    store: Store, content: Content = NO_CONTENT, hooks: list[MilestoneHook] | None = None
) -> Callable[[], None]:
    """An `after_write` hook for the signing service that counts at once, in the request's
    thread (one counter at a time), so an answer's count already includes its signature."""
    count = counter_for(store, content, hooks)
    lock = threading.Lock()

    def hook() -> None:
        with lock:
            count()

    return hook


def count_now(store: Store, content: Content = NO_CONTENT) -> int:
    """Count every change waiting on the store's feed now; how many were read."""
    return counter_for(store, content)()

"""Counts for answers, at most a second old: the request path never reads shared items.

Each process keeps the last tally it read of each petition for `ttl` seconds; a burst of
signatures on one petition costs one read a second per process, not one per signature.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from generator.model import Tally
from generator.store.base import Store

TTL = 1.0  # seconds a tally read is reused


class TallyCache:
    """The store's tallies, each read at most once per `ttl` seconds."""

    def __init__(
        self, store: Store, ttl: float = TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store, self.ttl, self._clock = store, ttl, clock
        self._kept: dict[str, tuple[float, Tally]] = {}
        self._lock = threading.Lock()

    def tally(self, slug: str) -> Tally:
        """The petition's stored tally, as read at most `ttl` seconds ago."""
        now = self._clock()
        with self._lock:
            kept = self._kept.get(slug)
        if kept is not None and now - kept[0] < self.ttl:
            return kept[1]
        fresh = self.store.tally(slug)
        with self._lock:
            self._kept[slug] = (now, fresh)
        return fresh

    def forget(self) -> None:
        """Read afresh next time (after counting that this process did itself)."""
        with self._lock:
            self._kept.clear()

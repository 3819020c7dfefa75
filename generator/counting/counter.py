"""The counter: applies batches of a store's change feed to its counts, each batch once, and
tells its hooks what moved (milestones reached, counts changed).

The same code counts in every setting: in Lambda from the table's stream (the aggregator
function), locally from the SQLite store's feed or DynamoDB Local's stream (generator.counting
.worker), and in tests inline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from generator.counting.aggregate import aggregate
from generator.model import Content, Milestone, Petition
from generator.store.base import CountsMoved, CountUpdate, Feed, Store
from generator.store.retry import Backoff, Retry, retrying

log = logging.getLogger(__name__)

MilestoneHook = Callable[[Petition, tuple[Milestone, ...]], None]
CountHook = Callable[[Sequence[CountUpdate]], None]
PATIENT = Backoff(attempts=20, base=0.01, cap=0.5, budget=30.0)  # batches racing on a petition


class ChangeFeed(Protocol):
    """Where batches of changes come from: the SQLite store's feed, a DynamoDB stream."""

    def read(self, limit: int = 1000) -> Feed | None:
        """The next batch not yet applied (at most `limit` changes), or None for now; the
        same batch again until it is acknowledged."""

    def done(self, feed: Feed) -> None:
        """Acknowledge a batch: it was applied (or found applied before)."""


class Counter:
    """Counts one store's changes for one content folder's petitions (and, given the log's
    id key, appends each count's move to the petition's public log in the same write)."""

    def __init__(
        self,
        content: Content,
        store: Store,
        on_milestone: Iterable[MilestoneHook] = (),
        on_counted: Iterable[CountHook] = (),
        backoff: Backoff = PATIENT,
        id_key: bytes | None = None,
    ) -> None:
        self.content = content
        self.id_key = id_key  # the log's id key: with it, counting appends to the logs
        self.store = store
        self.on_milestone = list(on_milestone)
        self.on_counted = list(on_counted)
        self.backoff = backoff
        self._petitions = {p.slug: p for p in content.petitions}

    def apply(self, feed: Feed) -> list[CountUpdate]:
        """Apply one batch (nothing if it was applied before); the updates it made."""
        started = time.perf_counter()
        slugs = sorted({c.slug for c in feed.changes})

        def attempt() -> list[CountUpdate]:
            before = self.store.counts(slugs)
            updates = aggregate(feed.changes, before, self._petitions, self.id_key)
            try:
                applied = self.store.apply_counts(feed.batch, updates)
            except CountsMoved as exc:  # another batch moved these counts: read again
                raise Retry(str(exc)) from exc
            return updates if applied else []

        updates = retrying(attempt, self.backoff, f"count the changes {feed.batch}")
        if updates:
            log.info(
                "counted batch=%s changes=%d petitions=%d ms=%.1f", feed.batch, len(feed.changes),
                len(updates), (time.perf_counter() - started) * 1000,
            )  # fmt: skip
        self._tell(updates)
        return updates

    def drain(self, source: ChangeFeed, limit: int = 1000) -> int:
        """Apply every batch the feed has now; how many changes were read."""
        read = 0
        while (feed := source.read(limit)) is not None:
            self.apply(feed)
            source.done(feed)
            read += len(feed.changes)
        return read

    def _tell(self, updates: Sequence[CountUpdate]) -> None:
        for update in updates:
            petition = self._petitions.get(update.slug)
            if petition is None or not update.reached:
                continue
            for milestone in update.reached:
                log.info(
                    "milestone reached slug=%s count=%d", update.slug, milestone.count,
                    extra={"event": "milestone", "slug": update.slug, "count": milestone.count},
                )  # fmt: skip
            for hook in list(self.on_milestone):
                _call(hook, update.slug, petition, update.reached)
        if updates:
            slugs = ",".join(u.slug for u in updates)
            for counted in list(self.on_counted):
                _call(counted, slugs, updates)


def _call(hook: Callable[..., None], slugs: str, *args: object) -> None:
    try:
        hook(*args)
    except Exception:  # a hook must never undo a count; log and go on
        log.exception("counter hook failed slugs=%s hook=%r", slugs, hook)

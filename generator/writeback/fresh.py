"""Keeping what visitors see close behind the counts without a request per visitor: each
petition's count file (`count.json`, polled by the page's script from the CDN) is rewritten
at most once a second, and its pages (for visitors without JavaScript) at most once a
minute, while its count moves. Neither invalidates the CDN: count files are cached a few
seconds and pages a minute.

Two edges, so a burst is neither missed nor rendered per signature: `counted` (the counter's
hook) writes on the leading edge, when the claim for this second (or minute) is free; `sweep`
(run every few seconds by `serve`, every minute by the refresh function in AWS) writes what
moved since its last claim: the trailing edge of a burst. Claims live in the store, so any
number of processes share them. A milestone still re-renders at once (the write-back hook).
With the log's keys, each petition's public log is published with its count file (first:
a count file never names a log size whose checkpoint is not out yet).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from generator.milestones import combine
from generator.model import Content
from generator.render.countfile import count_file, count_path
from generator.store.base import CountUpdate, Store
from generator.store.times import utc_now
from generator.writeback.logs import LogPublisher
from generator.writeback.publish import Publisher

log = logging.getLogger(__name__)

FILE, PAGES = "file", "pages"  # what is claimed
FILE_EVERY = timedelta(seconds=1)
PAGES_EVERY = timedelta(minutes=1)

PageRefresh = Callable[[list[str]], None]  # re-render these petitions' pages (not invalidated)


class Freshness:
    """Count files and pages of one content folder's petitions, kept fresh from one store."""

    def __init__(
        self,
        content: Content,
        store: Store,
        files: Publisher,
        pages: PageRefresh | None = None,
        clock: Callable[[], datetime] = utc_now,
        file_every: timedelta = FILE_EVERY,
        pages_every: timedelta = PAGES_EVERY,
        logs: LogPublisher | None = None,
    ) -> None:
        self.content, self.store, self.files, self.pages = content, store, files, pages
        self.logs = logs
        self.clock = clock
        self.file_every, self.pages_every = file_every, pages_every
        self._petitions = {p.slug: p for p in content.petitions}
        self._taken: dict[tuple[str, str], datetime] = {}  # (slug, what) -> not before

    def counted(self, updates: Sequence[CountUpdate]) -> None:
        """The counter's hook: the leading edge of each petition's second and minute."""
        self._refresh([u.slug for u in updates if u.slug in self._petitions])

    def sweep(self) -> None:
        """The trailing edge: whatever moved since it was last written is written now."""
        slugs = list(self._petitions)
        self._write_files(self._claimed(self.store.stale(slugs, FILE), FILE, self.file_every))
        if self.pages is not None:
            stale = self.store.stale(slugs, PAGES)
            self._render_pages(self._claimed(stale, PAGES, self.pages_every))

    def publish_logs(self) -> None:
        """Publish every petition's log as far as the store holds it (after a build put a
        new output folder in place)."""
        if self.logs is not None:
            self.logs.publish_key()
            self.logs.publish(self.store.counts(list(self._petitions)))

    def _refresh(self, slugs: list[str]) -> None:
        self._write_files(self._claimed(slugs, FILE, self.file_every))
        if self.pages is not None:
            self._render_pages(self._claimed(slugs, PAGES, self.pages_every))

    def _claimed(self, slugs: Iterable[str], what: str, every: timedelta) -> list[str]:
        """The slugs whose claim this caller won. A claim this process won, or was refused,
        is not asked for again until it may be free: half the claim writes, most refused."""
        now = self.clock()
        won = []
        for slug in slugs:
            if now < self._taken.get((slug, what), now):
                continue
            if self.store.claim(slug, what, now, every):
                won.append(slug)
                self._taken[(slug, what)] = now + every
            else:  # someone claimed it less than `every` ago: free within `every`
                self._taken[(slug, what)] = now + every / 2
        return won

    def _write_files(self, slugs: list[str]) -> None:
        """Write these petitions' count files from their count items (read by key)."""
        if not slugs:
            return
        site = self.content.site
        stored = self.store.counts(slugs)
        if self.logs is not None:
            self.logs.publish(stored)
        files = {}
        for slug in slugs:
            petition = self._petitions[slug]
            files[count_path(slug)] = count_file(
                petition, combine(petition.imported, stored[slug]), site
            )
        self.files.publish(files, invalidate=False)

    def _render_pages(self, slugs: list[str]) -> None:
        if slugs and self.pages is not None:
            self.pages(slugs)

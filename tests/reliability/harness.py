"""The whole signing path in this process: a built site, a store, the Chalice app, SiteServer.

`serving(work, store)` does what `build.py serve` does (build with the store's counts, mount
the app at /api, count from the store's change feed with the app's counter, re-render on a
milestone through the background write-back) but with the store the test hands in (SQLite,
DynamoDB Local, or a wrapper that fails on purpose), and it records every milestone the
counter reached, so a test can check each was reached once, at the right signature's time.

How counting runs is the test's choice (`counting=`):
- INLINE: each write is counted at once in its request's thread, so an answer's count
  includes its own signature; a counting failure is logged and left on the feed for the next
  write, as serve's counter leaves it for its next round;
- LATER: nothing is counted until the test calls `site.count()` (concurrent signers, then
  one drain: milestone N is reached at the time of the N-th signature in time order);
- BACKGROUND: a FeedWorker thread, poked after each write, as `serve` counts.
Whatever is left on the feed is counted when the block ends (as serve does when it stops).
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.build.counts import StoreCounts
from generator.build.engine import BuildOptions, build
from generator.content.loading import load_content
from generator.counting.counter import ChangeFeed, MilestoneHook
from generator.counting.sources import SqliteFeed
from generator.counting.worker import FeedWorker
from generator.errors import PetitionSiteError
from generator.local.server import SiteServer
from generator.local.site import load_app
from generator.model import Content, Milestone, Petition
from generator.signing.mail import Mailer, NoMailer
from generator.signing.settings import Settings
from generator.store.base import CONFIRMED, Store
from generator.writeback.worker import BackgroundWriteBack, local_writeback
from tests.support.counting import source_of
from tests.support.fixture_site import copy_site

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SECRET = "reliability-tests-secret-0123456789"  # the app wants at least 16 characters
LOAD_SLUG = "load-test"
_COUNT = re.compile(r'<strong id="count">([^<]*)</strong>')
INLINE, LATER, BACKGROUND = "inline", "later", "background"  # how `serving` counts

PETITION = """\
---
title: Count every signature once
target: The Test Council
ask: Count every signature exactly once, however many arrive at the same time.
created: 2024-01-01T09:00:00+13:00
milestones: [{ladder}]
---
People trust a count only when it is exact.
"""


def make_site(work: Path, ladder: Iterable[int] = (10, 100, 500, 1000, 2000)) -> Path:
    """Copies of the fixture content and the templates in `work`, plus the load-test petition.

    Returns `work`; the content is in `work/content`, the templates in `work/templates`.
    """
    copy_site(work)
    text = PETITION.format(ladder=", ".join(str(n) for n in ladder))
    (work / "content" / "petitions" / f"{LOAD_SLUG}.md").write_text(text, encoding="utf-8")
    return work


def page_count(page: Path) -> int:
    """The count a built petition page shows in its #count element."""
    found = _COUNT.search(page.read_text(encoding="utf-8"))
    assert found is not None, f"{page} has no #count element"
    return int(re.sub(r"\D", "", found.group(1)))


def build_site(work: Path, store: Store, out: Path) -> Content:
    """Build `work`'s content into `out` with counts from `store`; returns the content."""
    options = BuildOptions(
        content_dir=work / "content",
        templates_dir=work / "templates",
        out_dir=out,
        cache_dir=None,
        full=True,
        counts=StoreCounts(store),
        workers=1,
    )
    build(options)
    return load_content(work / "content")


@dataclass
class LocalApp:
    """What `serving` started: the server's URL, its store, site and write-back, the
    milestones the counter reached, and `count` (count what waits on the feed now)."""

    url: str
    store: Store
    content: Content
    out: Path
    writeback: BackgroundWriteBack
    count: Callable[[], int]  # count every change waiting on the feed now; how many (0
    # with BACKGROUND counting: it waits for the worker's next round)
    won: Counter[tuple[str, int]] = field(default_factory=Counter)  # (slug, count) -> times

    @property
    def port(self) -> int:
        """The server's port on 127.0.0.1."""
        return int(self.url.rsplit(":", 1)[1])

    def page(self, slug: str = LOAD_SLUG) -> Path:
        """The petition's page in the served folder."""
        return self.out / "petitions" / slug / "index.html"

    def public_count(self, slug: str = LOAD_SLUG) -> int:
        """Imported plus stored count: what the page should show."""
        petition = self.content.petition(slug)
        assert petition is not None
        return petition.imported.count + self.store.tally(slug).count


def assert_reached_in_time_order(
    store: Store, slug: str, ladder: Iterable[int], in_flight: int = 0
) -> None:
    """Each milestone of `ladder` is recorded once, at the time a counted signature came to
    count; for milestone N that is the N-th in time order when everything was counted in
    one batch after the signers were done (or their times follow the order of the writes).

    Counted in batches while `in_flight` requests at most were under way at once, a batch
    may be read before a signature that took its time earlier was written: the milestone's
    signature is then at most `in_flight` places later in time order (never more: each
    signature before it in time but counted after it was in flight when it was written)."""
    times = sorted(s.confirmed_at for s in store.signatures(slug, [CONFIRMED]) if s.confirmed_at)
    recorded = store.tally(slug).milestones
    assert [m.count for m in recorded] == list(ladder)
    for milestone in recorded:
        assert milestone.reached_at in times, milestone
        if in_flight == 0:
            assert milestone.reached_at == times[milestone.count - 1], milestone
        else:
            rank = bisect.bisect_right(times, milestone.reached_at)
            assert rank <= milestone.count + in_flight, (milestone, rank)


@contextmanager
def serving(
    work: Path,
    store: Store,
    *,
    rate_limit: int = 0,
    environ: dict[str, str] | None = None,
    hooks: Iterable[MilestoneHook] = (),
    out: Path | None = None,
    timeout: int = 30,
    mailer: Mailer | None = None,
    counting: str = INLINE,
    source: ChangeFeed | None = None,
) -> Iterator[LocalApp]:
    """The site in `work` built and served with signing on `store`, until the block ends.

    `environ` adds app settings (e.g. PETITION_ORIGIN_SECRET); `hooks` run after the
    write-back's on each milestone reached; `out` publishes the write-back somewhere else;
    `timeout` is how many seconds the server waits for a silent client; `counting` is
    INLINE, LATER or BACKGROUND (see above); `source` is the change feed to count from
    (the store's own unless given: a wrapper of a store names its inner store's).
    """
    site_out = work / "out"
    content = build_site(work, store, site_out)
    writeback = local_writeback(content, work / "templates", store, out or site_out)
    app, configure = load_app()
    from chalicelib.runtime import runtime  # on the path once load_app() has run

    feed = source if source is not None else source_of(store)
    # one batch for all that waits, where the feed allows it (a stream read gives <= 1000)
    limit = 100_000 if isinstance(feed, SqliteFeed) else 1000
    won: Counter[tuple[str, int]] = Counter()
    lock = threading.Lock()
    counting_lock = threading.Lock()
    workers: list[FeedWorker] = []

    def record(petition: Petition, reached: tuple[Milestone, ...]) -> None:
        with lock:
            won.update((petition.slug, m.count) for m in reached)

    def count() -> int:
        if workers:  # the worker's next round counts all there is now (one reader at a time)
            assert workers[0].wait(60), "the counter's round did not finish"
            return 0
        with counting_lock:  # one counter at a time reads the feed
            return runtime.counter().drain(feed, limit)

    def count_inline() -> None:
        try:
            count()
        except PetitionSiteError as exc:  # left on the feed: the next count takes it
            log.warning("counting failed, left for the next count: %s", exc)

    settings = Settings.from_environ(
        {
            "PETITION_SECRET": SECRET,
            "PETITION_RATE_LIMIT": str(rate_limit),
            "PETITION_CONFIRMATION": "off",  # counted at once: these runs test counting
            "PETITION_TEMPLATES": str(work / "templates"),  # the API's pages
            **(environ or {}),
        }
    )
    after_write = {
        INLINE: count_inline,
        LATER: None,
        BACKGROUND: lambda: workers[0].poke(),
    }[counting]
    configure(
        content=content,
        store=store,
        settings=settings,
        on_milestone=[record, writeback.hook, *hooks],
        on_counted=[],  # no count files here: these runs check counts and milestones
        after_write=after_write,
        mailer=mailer or NoMailer(),
    )
    if counting == BACKGROUND:
        workers.append(FeedWorker(feed, runtime.counter(), interval=0.2))
    server = SiteServer(("127.0.0.1", 0), site_out, app, timeout=timeout)
    server.start()
    try:
        yield LocalApp(server.url, store, content, site_out, writeback, count, won)
    finally:
        server.close()
        try:
            for worker in workers:
                worker.close()
            workers.clear()
            count()  # what is left, as serve counts when it stops
        finally:
            writeback.close(10)
            runtime.reset()

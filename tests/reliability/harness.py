"""The whole signing path in this process: a built site, a store, the Chalice app, SiteServer.

`serving(work, store)` does what `build.py serve` does (build with the store's counts, mount
the app at /api, re-render on a milestone through the background write-back) but with the
store the test hands in (SQLite, DynamoDB Local, or a wrapper that fails on purpose), and it
records every milestone the signing service won, so a test can check each was won once.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.build.counts import StoreCounts
from generator.build.engine import BuildOptions, build
from generator.content.loading import load_content
from generator.local.server import SiteServer
from generator.local.site import load_app
from generator.model import Content, Milestone, Petition
from generator.signing.mail import Mailer, NoMailer
from generator.signing.service import MilestoneHook
from generator.signing.settings import Settings
from generator.store.base import Store
from generator.writeback.worker import BackgroundWriteBack, local_writeback
from tests.support.fixture_site import copy_site

ROOT = Path(__file__).resolve().parents[2]
SECRET = "reliability-tests-secret-0123456789"  # the app wants at least 16 characters
LOAD_SLUG = "load-test"
_COUNT = re.compile(r'<strong id="count">([^<]*)</strong>')

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
    """What `serving` started: the server's URL, its store, site and write-back."""

    url: str
    store: Store
    content: Content
    out: Path
    writeback: BackgroundWriteBack
    won: Counter[tuple[str, int]] = field(default_factory=Counter)  # (slug, count) -> wins

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
) -> Iterator[LocalApp]:
    """The site in `work` built and served with signing on `store`, until the block ends.

    `environ` adds app settings (e.g. PETITION_ORIGIN_SECRET); `hooks` run after the
    write-back's on each milestone won; `out` publishes the write-back somewhere else;
    `timeout` is how many seconds the server waits for a silent client.
    """
    site_out = work / "out"
    content = build_site(work, store, site_out)
    writeback = local_writeback(content, work / "templates", store, out or site_out)
    app, configure = load_app()
    from chalicelib.runtime import runtime  # on the path once load_app() has run

    won: Counter[tuple[str, int]] = Counter()
    lock = threading.Lock()

    def record(petition: Petition, reached: tuple[Milestone, ...]) -> None:
        with lock:
            won.update((petition.slug, m.count) for m in reached)

    settings = Settings.from_environ(
        {
            "PETITION_SECRET": SECRET,
            "PETITION_RATE_LIMIT": str(rate_limit),
            "PETITION_CONFIRMATION": "off",  # counted at once: these runs test counting
            "PETITION_TEMPLATES": str(work / "templates"),  # the API's pages
            **(environ or {}),
        }
    )
    configure(
        content=content,
        store=store,
        settings=settings,
        on_milestone=[record, writeback.hook, *hooks],
        mailer=mailer or NoMailer(),
    )
    server = SiteServer(("127.0.0.1", 0), site_out, app, timeout=timeout)
    server.start()
    try:
        yield LocalApp(server.url, store, content, site_out, writeback, won)
    finally:
        server.close()
        writeback.close(10)
        runtime.reset()

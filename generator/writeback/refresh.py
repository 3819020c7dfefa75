"""Write-back: after a milestone, re-render a petition's page and the count pages, publish them.

`WriteBack.refresh(slug)` renders with the build's own renderer and templates, taking
fresh tallies from the store, and hands the petition's pages plus the site pages that
show counts (index, status and tag pages, feed, sitemap) to a Publisher, which writes only
what changed.
It never runs on the signing request itself: locally `BackgroundWriteBack` (in
generator.writeback.worker) does it on one worker thread that coalesces repeated requests;
in Lambda `lambda_hook` invokes the write-back function asynchronously and that function
calls `handle_writeback_event` (so does the minute's re-render of pages whose counts moved,
asked for by the aggregator and refresh functions, without invalidating them). A failed
publish is logged (slug and where, never a signer) and the next build catches up."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import PetitionSiteError
from generator.model import Content, Petition
from generator.signing.service import UnknownPetition
from generator.store.base import Store

if TYPE_CHECKING:  # rendering and publishing code is imported when first used, so the
    # signing Lambda, which only needs `lambda_hook`, does not pay for it at a cold start
    from generator.build.markdown_cache import MarkdownCache
    from generator.content.versions import TextVersion
    from generator.render.pages import Renderer
    from generator.writeback.publish import Published, Publisher

log = logging.getLogger(__name__)

# Every list page shows counts: the index, the status and tag pages, and their later pages.
# So does the open data's petitions.json (each petition's daily.csv is among its own pages).
_COUNT_PAGES = re.compile(r"(?:.+/)?index\.html|feed\.xml|sitemap\.xml|data/petitions\.json")


def is_count_page(rel: str) -> bool:
    """Whether a site-wide output file shows counts and so is refreshed on a milestone."""
    return _COUNT_PAGES.fullmatch(rel) is not None


class WriteBack:
    """Re-renders petitions' pages and the count pages from fresh tallies, and publishes them."""

    def __init__(
        self,
        content: Content,
        templates_dir: Path,
        store: Store,
        publisher: Publisher,
        cache_dir: Path | None = None,
        git: bool = False,
    ) -> None:
        """`git`: read the re-rendered petitions' text history from git, as a build does
        (without it, or without git, their history pages are left as the build wrote them)."""
        self.content = content
        self.git = git
        self.templates_dir = Path(templates_dir)
        self.store = store
        self.publisher = publisher
        self.cache_dir = cache_dir  # the build's Markdown cache, if there is one
        self._renderer: Renderer | None = None
        self._html: dict[str, str] = {}  # Markdown text -> HTML, for the life of the process
        self._lock = threading.Lock()  # one render-and-publish at a time: newest always last

    def render(self, slugs: Iterable[str]) -> dict[str, bytes]:
        """The pages of these petitions plus the count pages, with tallies read now."""
        from generator.build.counts import StoreCounts
        from generator.build.pool import new_cache, new_renderer
        from generator.render.history import history_path
        from generator.render.listing import Entry

        wanted = []
        for slug in dict.fromkeys(slugs):
            petition = self.content.petition(slug)
            if petition is None:
                raise UnknownPetition(slug)
            wanted.append(petition)
        tallies = StoreCounts(self.store).tallies(self.content)
        if self._renderer is None:
            self._renderer = new_renderer(self.content.site, self.templates_dir)
        cache = new_cache(self.cache_dir)  # opened here: its connection stays in this thread
        try:
            entries = {
                p.slug: Entry(p, tallies[p.slug], self._markdown(cache, p.ask))
                for p in self.content.petitions
            }
            files: dict[str, bytes] = {}
            histories = self._histories(wanted)
            for petition in wanted:
                body = self._markdown(cache, petition.body)
                history = histories.get(petition.slug)
                pages = self._renderer.petition_pages(entries[petition.slug], body, history)
                if history is None:  # the build's page may show git's history: keep it
                    del pages[history_path(petition.slug)]
                files.update(pages)
            site = self._renderer.site_pages(list(entries.values()))
        finally:
            cache.close()
        files.update((rel, data) for rel, data in site.items() if is_count_page(rel))
        return files

    def _histories(self, petitions: list[Petition]) -> dict[str, tuple[TextVersion, ...]]:
        """These petitions' text versions from git, where git has their files (one `git log`
        and one `git cat-file` per folder); none without `git`."""
        if not self.git:
            return {}
        from generator.build.git import GitHistory

        found: dict[str, tuple[TextVersion, ...]] = {}
        folders: dict[Path, list[Petition]] = {}
        for petition in petitions:
            folders.setdefault(Path(petition.path).parent, []).append(petition)
        for folder, group in folders.items():
            names = [Path(p.path).name for p in group]
            found.update(GitHistory(folder, names).histories(group))
        return found

    def _markdown(self, cache: MarkdownCache, text: str) -> str:
        html = self._html.get(text)
        if html is None:
            html = self._html[text] = cache.render(text)
        return html

    def refresh(self, slug: str) -> Published:
        """Re-render one petition's pages and the count pages; publish those that changed."""
        return self.refresh_many([slug])

    def refresh_many(self, slugs: Iterable[str], invalidate: bool = True) -> Published:
        """`refresh` for several petitions at once (the count pages are rendered once);
        `invalidate=False` leaves the CDN's copies to expire (the minute's re-render)."""
        slugs = list(dict.fromkeys(slugs))
        with self._lock:
            started = time.perf_counter()
            published = self.publisher.publish(self.render(slugs), invalidate=invalidate)
        ms = (time.perf_counter() - started) * 1000
        log.info(
            "write-back slugs=%s published=%d invalidation=%s ms=%.1f", ",".join(slugs),
            len(published.paths), published.invalidation_id, ms,
            extra={"event": "write-back", "slugs": slugs, "files": len(published.paths), "ms": ms},
        )  # fmt: skip
        return published


def handle_writeback_event(event: Mapping[str, Any], writeback: WriteBack) -> dict[str, Any]:
    """Do the refresh an async invocation asks for; raise (so Lambda retries) when it fails.

    `{"slug": s}` comes from a milestone: the pages are re-rendered and invalidated in the
    CDN. `{"slugs": [...], "invalidate": false}` is the minute's re-render of petitions whose
    counts moved (the aggregator's and the refresh function's): cached copies just expire."""
    slugs, invalidate, asked = _writeback_request(event)
    try:
        published = writeback.refresh_many(slugs, invalidate=invalidate)
    except PetitionSiteError as exc:
        log.warning("write-back failed slugs=%s: %s", ",".join(slugs), exc)
        raise
    return {
        **asked,
        "published": list(published.paths),
        "invalidation_id": published.invalidation_id,
    }


_EXPECTED = (
    'write-back event: expected {"slug": "<petition slug>"} or'
    ' {"slugs": ["<petition slug>", ...], "invalidate": false}'
)


def _writeback_request(event: Mapping[str, Any]) -> tuple[list[str], bool, dict[str, Any]]:
    """The slugs an event names, whether to invalidate them, and the request as asked."""
    if not isinstance(event, Mapping):
        raise PetitionSiteError(_EXPECTED)
    invalidate = event.get("invalidate", True)
    if not isinstance(invalidate, bool):
        raise PetitionSiteError(f"{_EXPECTED}; invalidate must be true or false")
    slug, slugs = event.get("slug"), event.get("slugs")
    if slug is not None and slugs is None and isinstance(slug, str) and slug:
        return [slug], invalidate, {"slug": slug}
    if (
        slug is None
        and isinstance(slugs, list)
        and slugs
        and all(isinstance(s, str) and s for s in slugs)
    ):
        return list(slugs), invalidate, {"slugs": list(slugs)}
    raise PetitionSiteError(_EXPECTED)

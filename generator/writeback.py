"""Write-back: after a milestone, re-render a petition's page and the count pages, publish them.

`WriteBack.refresh(slug)` renders with the build's own renderer and templates, taking
fresh tallies from the store, and hands the petition's pages plus the site pages that
show counts (index pages, feed, sitemap) to a Publisher, which writes only what changed.
It never runs on the signing request itself: locally `BackgroundWriteBack` (in
generator.writeback_worker) does it on one worker thread that coalesces repeated requests;
in Lambda `lambda_hook` invokes the write-back function asynchronously and that function
calls `handle_writeback_event`. A failed publish is logged (slug and where, never a
signer) and the next build catches up."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import ConfigError, PetitionSiteError
from generator.model import Content, Milestone, Petition
from generator.settings import (
    DISTRIBUTION,
    FUNCTION,
    SITE_BUCKET,
    TEMPLATES,
    Setting,
)
from generator.signing import MilestoneHook, UnknownPetition
from generator.store.base import Store

if TYPE_CHECKING:  # rendering and publishing code is imported when first used, so the
    # signing Lambda, which only needs `lambda_hook`, does not pay for it at a cold start
    from generator.publish import Published, Publisher

log = logging.getLogger(__name__)

_COUNT_PAGES = re.compile(r"index\.html|page/\d+/index\.html|feed\.xml|sitemap\.xml")


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
    ) -> None:
        self.content = content
        self.templates_dir = Path(templates_dir)
        self.store = store
        self.publisher = publisher
        self.cache_dir = cache_dir  # the build's Markdown cache, if there is one
        self._renderer: Any = None
        self._html: dict[str, str] = {}  # Markdown text -> HTML, for the life of the process
        self._lock = threading.Lock()  # one render-and-publish at a time: newest always last

    def render(self, slugs: Iterable[str]) -> dict[str, bytes]:
        """The pages of these petitions plus the count pages, with tallies read now."""
        from generator.counts import StoreCounts
        from generator.render import Entry  # jinja2 only when rendering
        from generator.renderpool import new_cache, new_renderer

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
            for petition in wanted:
                body = self._markdown(cache, petition.body)
                files.update(self._renderer.petition_pages(entries[petition.slug], body))
            site = self._renderer.site_pages(list(entries.values()))
        finally:
            cache.close()
        files.update((rel, data) for rel, data in site.items() if is_count_page(rel))
        return files

    def _markdown(self, cache: Any, text: str) -> str:
        html = self._html.get(text)
        if html is None:
            html = self._html[text] = cache.render(text)
        return html

    def refresh(self, slug: str) -> Published:
        """Re-render one petition's pages and the count pages; publish those that changed."""
        return self.refresh_many([slug])

    def refresh_many(self, slugs: Iterable[str]) -> Published:
        """`refresh` for several petitions at once (the count pages are rendered once)."""
        slugs = list(dict.fromkeys(slugs))
        with self._lock:
            started = time.perf_counter()
            published = self.publisher.publish(self.render(slugs))
        log.info(
            "write-back slugs=%s published=%d invalidation=%s ms=%.1f", ",".join(slugs),
            len(published.paths), published.invalidation_id, (time.perf_counter() - started) * 1000,
        )  # fmt: skip
        return published


def lambda_hook(
    function_name: str, *, region: str | None = None, endpoint_url: str | None = None
) -> MilestoneHook:
    """A milestone hook that invokes the write-back Lambda asynchronously with {"slug": ...}.

    The client is created on the first milestone. A failed invocation is logged, never raised.
    """
    clients: list[Any] = []

    def client() -> Any:
        if not clients:
            import boto3  # only a milestone pays for the Lambda client
            from botocore.config import Config

            config = Config(connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 2})
            clients.append(
                boto3.client("lambda", region_name=region, endpoint_url=endpoint_url, config=config)
            )
        return clients[0]

    def hook(petition: Petition, reached: tuple[Milestone, ...]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        payload = json.dumps({"slug": petition.slug}).encode()
        try:
            client().invoke(FunctionName=function_name, InvocationType="Event", Payload=payload)
        except (ClientError, BotoCoreError) as exc:
            log.warning(
                "write-back not requested slug=%s function=%s: %s; the next build catches up",
                petition.slug,
                function_name,
                exc,
            )

    return hook


def handle_writeback_event(event: Mapping[str, Any], writeback: WriteBack) -> dict[str, Any]:
    """Do the refresh an async invocation asks for; raise (so Lambda retries) when it fails."""
    slug = event.get("slug") if isinstance(event, Mapping) else None
    if not isinstance(slug, str) or not slug:
        raise PetitionSiteError('write-back event: expected {"slug": "<petition slug>"}')
    try:
        published = writeback.refresh(slug)
    except PetitionSiteError as exc:
        log.warning("write-back failed slug=%s: %s", slug, exc)
        raise
    return {
        "slug": slug,
        "published": list(published.paths),
        "invalidation_id": published.invalidation_id,
    }


class LambdaWriteBack:
    """Write-back in a Lambda process: settings from the environment, one WriteBack reused."""

    def __init__(self, environ: Mapping[str, str] | None = None, app_dir: Path | None = None):
        self._environ = environ
        self._app_dir = app_dir
        self._writeback: WriteBack | None = None

    def _get(self, setting: Setting) -> str:
        environ = os.environ if self._environ is None else self._environ
        return environ.get(setting.name, "").strip()

    def hooks(self) -> list[MilestoneHook]:
        """The milestone hook invoking PETITION_WRITEBACK_FUNCTION, or none when it is unset."""
        name = self._get(FUNCTION)
        return [lambda_hook(name)] if name else []

    def writeback(self, content: Content, store: Store) -> WriteBack:
        """The WriteBack publishing to PETITION_SITE_BUCKET (built once, then reused)."""
        current = self._writeback
        if current is not None and current.content is content and current.store is store:
            return current
        bucket = self._get(SITE_BUCKET)
        if not bucket:
            raise ConfigError(f"{SITE_BUCKET.name} is not set: {SITE_BUCKET.help}")
        templates = self._get(TEMPLATES)
        if not templates and self._app_dir is None:
            raise ConfigError(f"{TEMPLATES.name} is not set and no app folder is known")
        from generator.publish import S3Publisher

        publisher = S3Publisher(bucket, self._get(DISTRIBUTION) or None)
        folder = Path(templates) if templates else self._app_dir / "templates"
        self._writeback = WriteBack(content, folder, store, publisher)
        return self._writeback

    def handle(self, event: Mapping[str, Any], content: Content, store: Store) -> dict[str, Any]:
        """Handle one write-back invocation with this process's WriteBack."""
        return handle_writeback_event(event, self.writeback(content, store))

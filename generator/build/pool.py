"""Rendering petitions' pages into a folder, in this process or over a pool of processes.

Small batches stay in this process (starting workers costs more than it saves). Larger ones
are cut into chunks for a `ProcessPoolExecutor` (fork where the platform has it); each
worker builds its own Renderer and Markdown cache once and writes its pages itself.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from generator.build.markdown_cache import MarkdownCache, markdown_dir
from generator.build.output import TreeWriter
from generator.build.progress import SILENT, Progress
from generator.errors import PetitionSiteError
from generator.model import Petition, Site, Tally

if TYPE_CHECKING:  # the templating code is imported when a Renderer is first made
    from generator.content.versions import Revision
    from generator.render.pages import Renderer

MIN_PARALLEL = 50  # fewer items than this are done in this process
T = TypeVar("T")
R = TypeVar("R")


class SourceChanged(PetitionSiteError):
    """A petition file changed while the build was running."""


@dataclass(frozen=True)
class Job:
    """One petition to render: its tally, build key, ask HTML and where its body HTML is.

    `body_key` names the body's HTML in the Markdown cache; "" means the body is in
    `petition.body`. `revisions`: its file's copies in git, oldest first, whose text the
    history page shows (None: git has none; the page shows the versions the store has seen).
    """

    petition: Petition
    tally: Tally
    key: str
    ask_html: str
    body_key: str = ""
    revisions: tuple[Revision, ...] | None = None


@dataclass(frozen=True)
class Done:
    """What rendering one petition produced: the files written."""

    slug: str
    key: str
    files: tuple[str, ...]


class PageMaker:
    """Renders petitions' pages and writes them under one folder."""

    def __init__(
        self, renderer: Renderer, cache: MarkdownCache, folder: Path, flat: bool = False
    ) -> None:
        from generator.render.listing import Entry

        self._entry = Entry
        self.renderer = renderer
        self.cache = cache
        self.writer = TreeWriter(folder, flat)

    def make(self, job: Job) -> Done:
        """Render one petition's pages, write them, and say what was written."""
        petition = job.petition
        entry = self._entry(petition, job.tally, job.ask_html)
        history = None
        if job.revisions:  # read here: in the pool's workers when there are many
            from generator.content.revisions import from_revisions

            history = from_revisions(petition, job.revisions)
        pages = self.renderer.petition_pages(entry, self.body_html(job), history)
        for rel in sorted(pages):
            self.writer.write(rel, pages[rel])
        return Done(petition.slug, job.key, tuple(sorted(pages)))

    def body_html(self, job: Job) -> str:
        """The petition body's HTML: from the cache, else rendered from its source again."""
        if not job.body_key:
            return self.cache.render(job.petition.body)
        html = self.cache.get(job.body_key)
        if html is not None:
            return html
        from generator.content.loading import check_petition

        source, _ = check_petition(Path(job.petition.path), self.renderer.site)
        if source is None or source.source_hash != job.petition.source_hash:
            raise SourceChanged(f"{job.petition.path}: changed during the build; build again")
        return self.cache.render(source.body)


def new_renderer(site: Site, templates_dir: Path, cache_dir: Path | None = None) -> Renderer:
    """A Renderer for the site's pages (imports the templating code on first use); with a
    `cache_dir`, compiled templates, resized pictures and share cards are kept under it for
    the next run."""
    from jinja2 import FileSystemBytecodeCache

    from generator.render.pages import Renderer

    if cache_dir is None:
        return Renderer(site, templates_dir)
    folder = cache_dir / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    return Renderer(site, templates_dir, FileSystemBytecodeCache(str(folder)), cache_dir / "media")


def new_cache(cache_dir: Path | None) -> MarkdownCache:
    """The Markdown cache under `cache_dir` (None: no cache), keyed by the markup code's
    fingerprint (generator.render.fingerprint)."""
    from generator.render.fingerprint import markup_fingerprint
    from generator.render.markup import render_markdown

    root = markdown_dir(cache_dir) if cache_dir is not None else None
    return MarkdownCache(root, markup_fingerprint(), render_markdown)


_worker: PageMaker | None = None  # the PageMaker of a pool worker process


def _start_worker(
    site: Site, templates_dir: Path, cache_dir: Path | None, folder: Path, flat: bool
) -> None:
    global _worker
    renderer = new_renderer(site, templates_dir, cache_dir)
    _worker = PageMaker(renderer, new_cache(cache_dir), folder, flat)


def _make_chunk(jobs: list[Job]) -> list[Done]:
    assert _worker is not None, "worker started without its initializer"
    done = [_worker.make(job) for job in jobs]
    _worker.cache.flush()
    return done


def chunks(items: Sequence[T], workers: int) -> list[list[T]]:
    """Cut items into enough chunks to keep `workers` busy until the end."""
    size = max(1, min(200, len(items) // (workers * 8) or 1))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """A process pool of `workers`, forked where the platform can."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=initializer, initargs=initargs
    )


def parallel_map(
    func: Callable[[list[T]], list[R]],
    items: Sequence[T],
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    meanwhile: Callable[[], None] | None = None,
    progress: Progress = SILENT,
) -> list[R]:
    """`func` over chunks of items in a process pool, results flattened in input order.

    `meanwhile` runs in this process while the workers are busy; `progress` hears of each
    chunk as it comes back.
    """
    with pool(workers, initializer, initargs) as executor:
        parts = executor.map(func, chunks(items, workers))
        if meanwhile is not None:
            meanwhile()
        out: list[R] = []
        for part in parts:
            out.extend(part)
            progress.advance(len(part))
        return out


def default_workers() -> int:
    """How many worker processes a full build uses: one per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # platforms without sched_getaffinity
        return os.cpu_count() or 1


def render_jobs(
    jobs: Iterable[Job],
    maker: PageMaker,
    site: Site,
    templates_dir: Path,
    cache_dir: Path | None,
    folder: Path,
    workers: int,
    meanwhile: Callable[[], None] | None = None,
    progress: Progress = SILENT,
) -> list[Done]:
    """Render every job's pages into `folder`; in a pool when there are many and cores to spare.

    `maker` renders in this process (it writes into `folder` too); pool workers build their
    own. `meanwhile` runs in this process too, while the pool works (or after, without one).
    """
    todo = list(jobs)
    progress.phase("rendering", len(todo))
    if workers < 2 or len(todo) < MIN_PARALLEL:
        done = []
        for job in todo:
            done.append(maker.make(job))
            progress.advance(1)
        maker.cache.flush()
        if meanwhile is not None:
            meanwhile()
        return done
    maker.cache.before_fork()
    args = (site, templates_dir, cache_dir, folder, maker.writer.flat)
    return parallel_map(_make_chunk, todo, workers, _start_worker, args, meanwhile, progress)

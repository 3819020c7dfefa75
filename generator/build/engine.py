"""The build: content and counts in, a whole static site out, re-rendering only what changed.

Each petition gets a key, sha256 of (source hash, renderer fingerprint, site settings,
tally). The manifest beside the output remembers the key and files of every petition and,
for every site-wide page, the hash of its bytes and a digest of what it shows. A petition
whose key is unchanged is neither rendered nor written. When anything the site-wide pages
show changed (not a body), they are planned again and only those whose digest changed are
rendered (an index page whose listing is as it was is not), and written only when their
bytes differ. With no manifest (or `full=True`) everything is rendered into a temporary
folder that replaces the output whole.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Literal

from generator.build.counts import ContentCounts, CountSource
from generator.build.git import GitHistory
from generator.build.markdown_cache import MarkdownCache
from generator.build.output import (
    Manifest,
    OutputConflict,
    PetitionRecord,
    TreeWriter,
    check_out_dir,
    commit,
    read_manifest,
    sibling_dir,
    swap_in,
    write_manifest,
)
from generator.build.pool import Job, PageMaker, default_workers, new_cache, new_renderer
from generator.build.pool import render_jobs as _render_jobs
from generator.build.progress import SILENT, Progress
from generator.build.sources import Loaded, Prepared, load
from generator.model import Petition, Tally
from generator.render.listing import listings

if TYPE_CHECKING:  # imported by new_renderer when a build first renders
    from generator.render.pages import Renderer


@dataclass(frozen=True)
class BuildOptions:
    """What to build from, where to, and how."""

    content_dir: Path = Path("content")
    templates_dir: Path = Path("templates")
    out_dir: Path = Path("_site")
    cache_dir: Path | None = Path(".cache")  # None: no Markdown or content cache
    full: bool = False  # ignore the manifest and render everything
    counts: CountSource = field(default_factory=ContentCounts)
    workers: int | None = None  # processes for big batches; None: one per core
    progress: Progress = SILENT  # told of each phase and item (the command line draws a bar)
    git: bool = False  # each petition's text history from git, when the content is in a checkout


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    out_dir: Path
    petitions: int
    rendered: int
    written: int
    deleted: int
    seconds: float
    full: bool

    @property
    def unchanged(self) -> int:
        """Petitions whose pages were left as they were."""
        return self.petitions - self.rendered

    def summary(self) -> str:
        """One line for people, e.g. `built 4 petitions: 2 rendered, 2 unchanged, ...`."""
        removed = f", {self.deleted} removed" if self.deleted else ""
        return (
            f"built {self.petitions} petitions: {self.rendered} rendered, {self.unchanged} "
            f"unchanged, {self.written} files written{removed} in {self.seconds:.2f} s "
            f"-> {self.out_dir}/"
        )


def sha256(text: str) -> str:
    """Hex sha256 of a text."""
    return hashlib.sha256(text.encode()).hexdigest()


def petition_key(petition: Petition, fingerprint: str, site_hash: str, tally_text: str) -> str:
    """The build key of a petition (`tally_text` from tally_digest): changes when its pages may."""
    return source_key(petition.source_hash, fingerprint, site_hash, tally_text)


def source_key(source_hash: str, fingerprint: str, site_hash: str, tally_text: str) -> str:
    """petition_key from the petition's source hash alone."""
    return sha256(f"{source_hash}\0{fingerprint}\0{site_hash}\0{tally_text}")


def build(options: BuildOptions) -> BuildReport:
    """Build the site; raises ContentErrors (nothing written) when the content is invalid."""
    collecting = gc.isenabled()
    gc.disable()  # the build allocates many long-lived objects: full scans only slow it down
    try:
        # The build's objects are freed as _build returns, before the collector runs again:
        # it then has a few objects to look at, not every petition's.
        return _build(options)
    finally:
        if collecting:
            gc.enable()


def _build(options: BuildOptions) -> BuildReport:
    started = perf_counter()
    workers = options.workers or default_workers()
    out = options.out_dir
    cache = new_cache(options.cache_dir)
    try:
        loaded = load(options.content_dir, options.cache_dir, workers, cache, options.progress)
        keep = [options.content_dir, options.templates_dir, Path.cwd()]
        check_out_dir(out, keep + ([options.cache_dir] if options.cache_dir else []))
        renderer = new_renderer(loaded.site, options.templates_dir, options.cache_dir)
        site_hash = sha256(repr(loaded.site))
        fingerprint = renderer.fingerprint
        tallies: dict[str, Tally] | None = None  # None: each petition's imported tally
        if type(options.counts) is not ContentCounts:
            tallies = options.counts.tallies(loaded.content)
            texts = {s: r.digest(tallies[s]) for s, r in loaded.prepared.items()}
        keys: dict[str, str] = {}
        shown: list[str] = []  # site-wide pages show every petition but no body
        # one `git log` for every petition: a commit re-renders the history of its text
        history = GitHistory(options.content_dir / "petitions") if options.git else None
        for row in loaded.rows:  # per petition, every build
            slug = row.listing.slug
            text = row.imported_digest if tallies is None else texts[slug]
            commits = history.marker(slug) if history is not None else ""
            keys[slug] = source_key(row.source_hash, fingerprint, site_hash, text + commits)
            shown.append(row.listing_digest + text)
        site_digest = sha256("\0".join([fingerprint, site_hash, *shown]))
        plan = _Plan(options, loaded, tallies, keys, renderer, site_digest, workers, cache, history)
        manifest = None if options.full else read_manifest(out)
        if manifest is None:
            rendered, written, deleted = plan.full()
        else:
            rendered, written, deleted = plan.incremental(manifest)
    finally:
        cache.close()
    return BuildReport(
        out,
        len(loaded.rows),
        rendered,
        written,
        deleted,
        perf_counter() - started,
        manifest is None,
    )


@dataclass
class _Plan:
    options: BuildOptions
    loaded: Loaded
    tallies: dict[str, Tally] | None  # None: each petition's imported tally
    keys: dict[str, str]
    renderer: Renderer
    site_digest: str
    workers: int
    cache: MarkdownCache
    history: GitHistory | None  # None: the pages show the versions the store has seen
    site_inputs: dict[str, str] = field(default_factory=dict)  # set when site pages are planned

    def full(self) -> tuple[int, int, int]:
        """Render everything into a temporary folder and swap it in; (rendered, written, 0)."""
        out = self.options.out_dir
        folder = sibling_dir(out, "tmp")
        try:
            records, pages = self._render(list(self.keys), folder, None)
            check_conflicts(records, pages)
            writer = TreeWriter(folder)
            for rel in sorted(pages):
                writer.write(rel, pages[rel])
            swap_in(folder, out)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        site_files = {rel: _digest(data) for rel, data in pages.items()}
        write_manifest(out, self._manifest(records, site_files))
        written = sum(len(r.files) for r in records.values()) + len(pages)
        return len(records), written, 0

    def incremental(self, old: Manifest) -> tuple[int, int, int]:
        """Render what changed, stage it, move it in; (rendered, written, deleted)."""
        out = self.options.out_dir
        self.site_inputs = dict(old.site_inputs)  # replaced if the site pages are planned
        todo = [
            s for s, key in self.keys.items() if (r := old.petitions.get(s)) is None or r.key != key
        ]
        if (
            not todo
            and self.site_digest == old.site_digest
            and old.petitions.keys() == self.keys.keys()
        ):
            return 0, 0, 0
        folder = sibling_dir(out, "stage")
        try:
            site_changed = self.site_digest != old.site_digest
            fresh, pages = self._render(todo, folder, old if site_changed else False, flat=True)
            records = {s: fresh.get(s) or old.petitions[s] for s in self.keys}
            moved = [f for r in fresh.values() for f in r.files]
            site_files = dict(old.site_files)
            if site_changed:
                check_conflicts(records, self.site_inputs)
                site_files = {
                    rel: _digest(pages[rel]) if rel in pages else old.site_files[rel]
                    for rel in self.site_inputs
                }
                changed = sorted(r for r in pages if old.site_files.get(r) != site_files[r])
                writer = TreeWriter(folder, flat=True)
                for rel in changed:
                    writer.write(rel, pages[rel])
                moved += changed
            keep = {f for r in records.values() for f in r.files} | site_files.keys()
            before = {f for r in old.petitions.values() for f in r.files} | old.site_files.keys()
            deleted = sorted(before - keep)
            commit(folder, out, moved, deleted)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        write_manifest(out, self._manifest(records, site_files))
        return len(fresh), len(moved), len(deleted)

    def _render(
        self,
        slugs: list[str],
        folder: Path,
        site: Manifest | Literal[False] | None,
        flat: bool = False,
    ) -> tuple[dict[str, PetitionRecord], dict[str, bytes]]:
        """Render these petitions into `folder` (`flat`: staged) and meanwhile site pages: all
        (`site` None), those not as in the manifest `site` says, or none (`site` False)."""
        opts = self.options
        pages: dict[str, bytes] = {}

        def render_site_pages() -> None:
            if site is not False:
                pages.update(self._site_pages(site))

        maker = PageMaker(self.renderer, self.cache, folder, flat)
        ready = self.loaded.get(slugs)
        found = self.history.revisions(r.petition for r in ready.values()) if self.history else {}
        jobs = [
            Job(r.petition, self.tally(r), self.keys[s], r.ask_html, r.body_key, found.get(s))
            for s, r in ready.items()
        ]
        site_settings, workers = self.loaded.site, self.workers
        args = (site_settings, opts.templates_dir, opts.cache_dir, folder, workers)
        done = _render_jobs(jobs, maker, *args, render_site_pages, opts.progress)
        return {d.slug: PetitionRecord(d.key, list(d.files)) for d in done}, pages

    def _site_pages(self, old: Manifest | None) -> dict[str, bytes]:
        """Plan the site-wide pages (into `site_inputs`) and render those whose inputs differ
        from the manifest `old` or that it has no file for; every one when `old` is None."""
        imported = [row.listing for row in self.loaded.rows]
        shown = listings(imported, self.tallies, self.loaded.site.time_zone)
        plan = self.renderer.plan_listings(shown, self._asks)
        self.site_inputs = plan.inputs
        if old is None:
            return self.renderer.render_site(plan)
        stale = [
            rel
            for rel, digest in plan.inputs.items()
            if old.site_inputs.get(rel) != digest or rel not in old.site_files
        ]
        return self.renderer.render_site(plan, stale)

    def _asks(self, slugs: list[str]) -> dict[str, str]:
        """These petitions' asks as sanitised HTML."""
        return {slug: ready.ask_html for slug, ready in self.loaded.get(slugs).items()}

    def tally(self, ready: Prepared) -> Tally:
        """The tally the build shows for a petition."""
        if self.tallies is None:
            return ready.petition.imported
        return self.tallies[ready.petition.slug]

    def _manifest(self, records: dict[str, PetitionRecord], site_files: dict[str, str]) -> Manifest:
        inputs = {rel: self.site_inputs[rel] for rel in site_files if rel in self.site_inputs}
        return Manifest(self.renderer.fingerprint, self.site_digest, records, site_files, inputs)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_conflicts(records: dict[str, PetitionRecord], pages: Iterable[str]) -> None:
    """Raise OutputConflict naming both producers when two produce one output path."""
    owner: dict[str, str] = {}
    producers = [(f"petition {slug!r}", r.files) for slug, r in sorted(records.items())]
    for name, files in [*producers, ("the site-wide pages", list(pages))]:
        for rel in files:
            if rel in owner:
                raise OutputConflict(f"{rel}: produced by {owner[rel]} and by {name}")
            owner[rel] = name

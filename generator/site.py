"""The build: content and counts in, a whole static site out, re-rendering only what changed.

Each petition gets a key, sha256 of (source hash, renderer fingerprint, site settings,
tally). The manifest beside the output remembers the key and files of every petition and
the hash of every site-wide page. A petition whose key is unchanged is neither rendered
nor written; site-wide pages are rendered when anything they show changed (not a body)
and written only when their bytes differ. With no manifest (or `full=True`) everything is
rendered into a temporary folder that replaces the output whole.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

from generator.cache import MarkdownCache
from generator.counts import ContentCounts, CountSource
from generator.model import Petition, Tally
from generator.output import (
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
from generator.renderpool import Job, PageMaker, default_workers, new_cache, new_renderer
from generator.renderpool import render_jobs as _render_jobs
from generator.sources import Loaded, load


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
    return sha256(f"{petition.source_hash}\0{fingerprint}\0{site_hash}\0{tally_text}")


def build(options: BuildOptions) -> BuildReport:
    """Build the site; raises ContentErrors (nothing written) when the content is invalid."""
    started = perf_counter()
    workers = options.workers or default_workers()
    out = options.out_dir
    cache = new_cache(options.cache_dir)
    collecting = gc.isenabled()
    gc.disable()  # the build allocates many long-lived objects: full scans only slow it down
    try:
        loaded = load(options.content_dir, options.cache_dir, workers, cache)
        content = loaded.content
        keep = [options.content_dir, options.templates_dir, Path.cwd()]
        check_out_dir(out, keep + ([options.cache_dir] if options.cache_dir else []))
        tallies = options.counts.tallies(content)
        renderer = new_renderer(content.site, options.templates_dir)
        site_hash = sha256(repr(content.site))
        prepared = loaded.prepared
        counted = {p.slug: prepared[p.slug].digest(tallies[p.slug]) for p in content.petitions}
        keys = {
            slug: petition_key(prepared[slug].petition, renderer.fingerprint, site_hash, text)
            for slug, text in counted.items()
        }
        # Site-wide pages show every petition but no body: a body edit leaves them as they are.
        shown = [prepared[slug].listing + text for slug, text in counted.items()]
        site_digest = sha256("\0".join([renderer.fingerprint, site_hash, *shown]))
        plan = _Plan(options, loaded, tallies, keys, renderer, site_digest, workers, cache)
        manifest = None if options.full else read_manifest(out)
        if manifest is None:
            rendered, written, deleted = plan.full()
        else:
            rendered, written, deleted = plan.incremental(manifest)
    finally:
        cache.close()
        if collecting:
            gc.enable()
    return BuildReport(
        out,
        len(content.petitions),
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
    tallies: dict[str, Tally]
    keys: dict[str, str]
    renderer: Any
    site_digest: str
    workers: int
    cache: MarkdownCache

    def full(self) -> tuple[int, int, int]:
        """Render everything into a temporary folder and swap it in; (rendered, written, 0)."""
        out = self.options.out_dir
        folder = sibling_dir(out, "tmp")
        try:
            records, pages = self._render(list(self.loaded.content.petitions), folder, True)
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
        todo = [
            p
            for p in self.loaded.content.petitions
            if (r := old.petitions.get(p.slug)) is None or r.key != self.keys[p.slug]
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
            fresh, pages = self._render(todo, folder, site_changed, flat=True)
            records = {s: fresh.get(s) or old.petitions[s] for s in self.keys}
            moved = [f for r in fresh.values() for f in r.files]
            site_files = dict(old.site_files)
            if site_changed:
                check_conflicts(records, pages)
                site_files = {rel: _digest(data) for rel, data in pages.items()}
                changed = sorted(r for r, d in site_files.items() if old.site_files.get(r) != d)
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
        self, petitions: list[Petition], folder: Path, site_pages: bool, flat: bool = False
    ) -> tuple[dict[str, PetitionRecord], dict[str, bytes]]:
        """Render petitions into `folder` (`flat`: staged) and meanwhile the site pages if asked."""
        opts = self.options
        pages: dict[str, bytes] = {}

        def render_site_pages() -> None:
            if site_pages:
                pages.update(self._site_pages())

        maker = PageMaker(self.renderer, self.cache, folder, flat)
        prepared = self.loaded.prepared
        jobs = [
            Job(
                p,
                self.tallies[p.slug],
                self.keys[p.slug],
                prepared[p.slug].ask_html,
                prepared[p.slug].body_key,
            )
            for p in petitions
        ]
        done = _render_jobs(
            jobs,
            maker,
            self.loaded.content.site,
            opts.templates_dir,
            opts.cache_dir,
            folder,
            self.workers,
            render_site_pages,
        )
        return {d.slug: PetitionRecord(d.key, list(d.files)) for d in done}, pages

    def _site_pages(self) -> dict[str, bytes]:
        from generator.render import Entry

        prepared = self.loaded.prepared
        entries = [
            Entry(p, self.tallies[p.slug], prepared[p.slug].ask_html)
            for p in self.loaded.content.petitions
        ]
        return self.renderer.site_pages(entries)

    def _manifest(self, records: dict[str, PetitionRecord], site_files: dict[str, str]) -> Manifest:
        return Manifest(self.renderer.fingerprint, self.site_digest, records, site_files)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_conflicts(records: dict[str, PetitionRecord], pages: dict[str, bytes]) -> None:
    """Raise OutputConflict naming both producers when two produce one output path."""
    owner: dict[str, str] = {}
    producers = [(f"petition {slug!r}", r.files) for slug, r in sorted(records.items())]
    for name, files in [*producers, ("the site-wide pages", list(pages))]:
        for rel in files:
            if rel in owner:
                raise OutputConflict(f"{rel}: produced by {owner[rel]} and by {name}")
            owner[rel] = name

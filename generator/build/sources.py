"""Loading the content folder for a build: parsed once, then only files that changed.

`load` gives what `generator.content.loading.load_content` gives, plus each petition's ask as HTML.
The cache keeps a small index (each file's stat and IndexRow: what the site-wide pages show of
it, source hash, tally digest) and, in shards, the parsed petitions, bodies dropped
(the Markdown cache holds their HTML). Files whose size or mtime changed (for a folder
petition, any file in it: generator.content.bundles) are read again (in a pool when many);
other petitions are unpickled only when the build asks for them.
Problems spanning files, or a broken site.yaml, go through `load_content` itself, so errors
read as there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import secrets
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from generator.build.counts import tally_digest
from generator.build.markdown_cache import MarkdownCache
from generator.build.pool import MIN_PARALLEL, new_cache, parallel_map
from generator.build.progress import SILENT, Progress
from generator.content.bundles import Stat, find_petitions, slug_of
from generator.content.paths import PictureStat, picture_moved, picture_stat
from generator.errors import ContentError, ContentErrors
from generator.model import Content, Petition, Site, Tally
from generator.render.listing import Listing, imported_listing, listing_digest

CACHE_FORMAT = 13  # 10: listings carry what the index cards show; 11: pictures' stats;
# 12: bundles (names relative to content/petitions) and listings with updates; 13: and with
# what the open data shows (milestones' times, pending, when the count moved)
SHARDS = 64  # a change rewrites one shard of the parsed content, not all of it


class IndexRow(NamedTuple):
    """What the content index keeps of one petition: enough to plan a build without it."""

    listing: Listing  # what the site-wide pages show of it, with its imported tally
    listing_digest: str  # listing_digest(listing)
    source_hash: str  # Petition.source_hash
    imported_digest: str  # tally_digest of its imported tally
    picture: PictureStat | None = None  # its picture's file: read again when it changes


Summary = tuple[Stat, IndexRow]


class _Index(NamedTuple):
    """The content index: what it is valid for, the site, and each file's Summary by name."""

    head: tuple[int, str, Stat]  # CACHE_FORMAT, Markdown cache version, site.yaml's stat
    site: Site
    summaries: dict[str, Summary]


@dataclass(frozen=True)
class Prepared:
    """A petition as the build needs it: body dropped when the cache holds its HTML."""

    petition: Petition
    ask_html: str
    body_key: str = ""  # Markdown cache key of the body's HTML; "" when the body is kept
    imported_digest: str = ""  # tally_digest(petition.imported), worked out once
    listed: Listing | None = None  # what the site-wide pages show of it, imported tally
    picture: PictureStat | None = None  # its picture file as read

    @property
    def row(self) -> IndexRow:
        """What the cache index keeps of it."""
        assert self.listed is not None, "prepared without its listing"
        listed = self.listed
        return IndexRow(
            listed,
            listing_digest(listed),
            self.petition.source_hash,
            self.imported_digest,
            self.picture,
        )

    def digest(self, tally: Tally) -> str:
        """tally_digest(tally), without the work when it is the imported tally."""
        return self.imported_digest if tally is self.petition.imported else tally_digest(tally)


def _shard(name: str) -> int:
    return zlib.crc32(name.encode()) % SHARDS


def cache_folder(cache_dir: Path, content_dir: Path) -> Path:
    """Where the parsed content of one content folder (seen from this directory) is kept."""
    where = f"{os.path.abspath(content_dir)}\0{os.getcwd()}"  # Petition.path depends on both
    return cache_dir / "content" / hashlib.sha256(where.encode()).hexdigest()[:24]


def _unpickle(path: Path) -> object:
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None


def _write_atomic(path: Path, data: object) -> None:
    tmp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as f:
            pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _scan(folder: Path, linked: list[Path]) -> tuple[dict[str, Stat], bool]:
    """Petition files by name relative to `folder` ("<slug>.md", "<slug>/index.md") with
    their stats (a bundle's covers all its files), in name order, and whether anything else
    there is an error (generator.content.bundles); symbolic links are added to `linked`."""
    found, problems = find_petitions(folder)
    for item in found:
        linked += item.links
    return dict(sorted((item.name, item.stat) for item in found)), bool(problems)


def prepare(
    path: Path, site: Site, cache: MarkdownCache
) -> tuple[Prepared | None, list[ContentError]]:
    """One file's petition with its Markdown rendered (body dropped if the cache keeps it)."""
    from generator.content.loading import check_petition

    petition, errors = check_petition(path, site)
    if petition is None:
        return None, errors
    ask_html = cache.render(petition.ask)
    imported = tally_digest(petition.imported)
    listed = imported_listing(petition, ask_html, site)
    picture = picture_stat(petition)
    if cache.root is None:
        return Prepared(petition, ask_html, "", imported, listed, picture), []
    cache.render(petition.body)
    body_key = cache.key(petition.body)
    stripped = dataclasses.replace(petition, body="")
    return Prepared(stripped, ask_html, body_key, imported, listed, picture), []


_worker_cache: MarkdownCache | None = None  # a loader worker process's own


def _start_loader(cache_dir: Path | None) -> None:
    global _worker_cache
    _worker_cache = new_cache(cache_dir)


def _prepare_chunk(
    work: list[tuple[Path, Site]],
) -> list[tuple[Prepared | None, list[ContentError]]]:
    assert _worker_cache is not None, "loader started without its initializer"
    done = [prepare(path, site, _worker_cache) for path, site in work]
    _worker_cache.flush()
    return done


def prepare_all(
    paths: list[Path],
    site: Site,
    cache_dir: Path | None,
    workers: int,
    cache: MarkdownCache,
    progress: Progress = SILENT,
) -> list[tuple[Prepared | None, list[ContentError]]]:
    """Each file's prepared petition or problems, in order; in a pool when there are many."""
    if paths:
        progress.phase("reading", len(paths))
    if workers < 2 or len(paths) < MIN_PARALLEL:
        done = []
        for path in paths:
            done.append(prepare(path, site, cache))
            progress.advance(1)
        cache.flush()
        return done
    cache.before_fork()
    work = [(path, site) for path in paths]
    return parallel_map(
        _prepare_chunk, work, workers, _start_loader, (cache_dir,), progress=progress
    )


class _Store:
    """The parsed petitions of one load: fresh ones in memory, the others in cache shards."""

    def __init__(
        self, folder: Path, where: Path | None, stats: dict[str, Stat], index: _Index
    ) -> None:
        self.folder, self.where, self.stats, self.index = folder, where, stats, index
        self.fresh: dict[str, Prepared] = {}
        self.reader: Callable[[list[Path]], dict[str, Prepared]] | None = None

    def read_shard(self, n: int) -> dict[str, tuple[Stat, Prepared]]:
        assert self.where is not None
        shard = _unpickle(self.where / f"{n:02d}.pickle")
        return shard if isinstance(shard, dict) else {}

    def save(self, shards: Iterable[int], keep_old: bool) -> None:
        """Write the given shards (merging what they held when `keep_old`), then the index."""
        assert self.where is not None
        self.where.mkdir(parents=True, exist_ok=True)
        for n in sorted(shards):
            old = self.read_shard(n) if keep_old else {}
            part = {k: v for k, v in old.items() if k in self.stats and k not in self.fresh}
            part.update((k, (self.stats[k], p)) for k, p in self.fresh.items() if _shard(k) == n)
            _write_atomic(self.where / f"{n:02d}.pickle", part)
        _write_atomic(self.where / "index.pickle", self.index)

    def fetch(self, names: list[str]) -> dict[str, Prepared]:
        """The prepared petitions of these files; any the shards lost are read again."""
        found = {n: self.fresh[n] for n in names if n in self.fresh}
        by_shard: dict[int, list[str]] = {}
        for n in names:
            if n not in found:
                by_shard.setdefault(_shard(n), []).append(n)
        lost: list[str] = []
        for shard, wanted in by_shard.items():
            records = self.read_shard(shard)
            for n in wanted:
                hit = records.get(n)
                if hit is not None and hit[0] == self.stats[n]:
                    found[n] = hit[1]
                else:
                    lost.append(n)
        if lost:
            assert self.reader is not None, "a store without its reader"
            redone = self.reader([self.folder / n for n in lost])
            self.fresh.update(redone)
            found.update(redone)
            if self.where is not None:
                self.save({_shard(n) for n in lost}, keep_old=True)
        return found


class Loaded:
    """A loaded content folder: the site, each petition's IndexRow (`rows`) in slug order, and
    each petition's prepared form, read on demand."""

    def __init__(
        self, site: Site, rows: list[IndexRow], names: dict[str, str], store: _Store
    ) -> None:
        self.site = site
        self.rows = rows
        self._names = names  # slug -> file name
        self._store = store
        self._prepared: dict[str, Prepared] = {}
        self._content: Content | None = None

    def get(self, slugs: Iterable[str]) -> dict[str, Prepared]:
        """The prepared petitions of these slugs."""
        slugs = list(slugs)
        want = [self._names[s] for s in slugs if s not in self._prepared]
        if want:
            for prepared in self._store.fetch(want).values():
                self._prepared[prepared.petition.slug] = prepared
        return {s: self._prepared[s] for s in slugs}

    @property
    def prepared(self) -> dict[str, Prepared]:
        """Every petition's prepared form, by slug."""
        return self.get(r.listing.slug for r in self.rows)

    @property
    def content(self) -> Content:
        """The site and every petition, sorted by slug, as `load_content` gives them."""
        if self._content is None:
            ready = self.prepared
            petitions = tuple(ready[r.listing.slug].petition for r in self.rows)
            self._content = Content(self.site, petitions)
        return self._content


def load(
    content_dir: Path,
    cache_dir: Path | None,
    workers: int,
    cache: MarkdownCache,
    progress: Progress = SILENT,
) -> Loaded:
    """The content folder, petitions sorted by slug; raises ContentErrors with every problem.

    With a `cache_dir`, files unchanged since the last load are not read again, and their
    parsed form is unpickled only when asked for. `cache` is this process's Markdown cache
    (workers open their own).
    """
    folder = content_dir / "petitions"
    linked = [p for p in (folder, content_dir / "site.yaml") if p.is_symlink()]
    stats, misplaced = _scan(folder, linked)
    duplicates = len({slug_of(Path(n)).lower() for n in stats}) != len(stats)
    if misplaced or duplicates or linked:
        from generator.content.loading import links_outside, load_content

    if misplaced or duplicates or (linked and links_outside(content_dir, linked)):
        load_content(content_dir)  # raises, naming both files of a slug, each link out, …
    site_path = content_dir / "site.yaml"
    where = cache_folder(cache_dir, content_dir) if cache_dir is not None else None
    index = _unpickle(where / "index.pickle") if where is not None else None
    try:
        st = os.stat(site_path)
        site_stat = (st.st_size, st.st_mtime_ns)
    except OSError:
        site_stat = (-1, -1)
    head = (CACHE_FORMAT, cache.version, site_stat)
    old = index if isinstance(index, _Index) and index.head == head else None
    valid = old is not None
    site: Site | None
    if old is not None:
        site, known = old.site, old.summaries
    else:
        from generator.content.loading import check_site, load_content

        site, _ = check_site(site_path)
        if site is None:
            load_content(content_dir)  # raises with every problem in every file
        known = {}
    assert isinstance(site, Site) and isinstance(known, dict)

    def reader(paths: list[Path]) -> dict[str, Prepared]:
        """Each file's prepared petition by name; raises ContentErrors with every problem."""
        done = prepare_all(paths, site, cache_dir, workers, cache, progress)
        if errors := [e for _, problems in done for e in problems]:
            raise ContentErrors(errors)
        names = [path.relative_to(folder).as_posix() for path in paths]
        return {name: p for name, (p, _) in zip(names, done, strict=True) if p}

    stale = [
        n
        for n, st in stats.items()
        if (k := known.get(n)) is None or k[0] != st or picture_moved(k[1].picture)
    ]
    fresh = reader([folder / n for n in stale])
    summaries: dict[str, Summary] = {
        n: (st, fresh[n].row if n in fresh else known[n][1]) for n, st in stats.items()
    }
    store = _Store(folder, where, stats, _Index(head, site, summaries))
    store.fresh, store.reader = fresh, reader
    removed = known.keys() - stats.keys()
    if where is not None and (not valid or fresh or removed):
        shards = range(SHARDS) if not valid else {_shard(n) for n in [*fresh, *removed]}
        store.save(shards, keep_old=valid)
    rows = sorted((s[1] for s in summaries.values()), key=attrgetter("listing.slug"))
    names = {s[1].listing.slug: n for n, s in summaries.items()}
    return Loaded(site, rows, names, store)

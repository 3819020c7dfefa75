"""Loading the content folder for a build: parsed once, then only files that changed.

`load` gives what `generator.content.load_content` gives, plus each petition's ask as
HTML, faster: it keeps the parsed petitions in the cache folder with each file's
(size, mtime_ns) and reads again only files whose size or mtime changed, over a process
pool when there are many. A freshly read petition's Markdown is rendered there and then
(into the Markdown cache); the petition is then kept without its body, which the cache
holds as HTML under `body_key`, so the build carries no body text around. Whenever a
problem spans files (two files, one slug) or site.yaml does not load, `load_content`
itself runs, so every error is reported exactly as there.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import pickle
import secrets
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from generator.cache import MarkdownCache
from generator.content import check_petition, check_site, load_content, petition_files
from generator.counts import tally_digest
from generator.errors import ContentError, ContentErrors
from generator.model import Content, Petition, Site, Tally
from generator.renderpool import MIN_PARALLEL, new_cache, parallel_map

CACHE_FORMAT = 4
SHARDS = 64  # a change rewrites one shard of the parsed content, not all of it
Stat = tuple[int, int]  # size, mtime_ns


@dataclass(frozen=True)
class Prepared:
    """A petition as the build needs it: body dropped when the cache holds its HTML."""

    petition: Petition
    ask_html: str
    body_key: str = ""  # Markdown cache key of the body's HTML; "" when the body is kept
    imported_digest: str = ""  # tally_digest(petition.imported), worked out once
    listing: str = ""  # hash of what site-wide pages show of it: everything but the body

    def digest(self, tally: Tally) -> str:
        """tally_digest(tally), without the work when it is the imported tally."""
        return self.imported_digest if tally is self.petition.imported else tally_digest(tally)


@dataclass(frozen=True)
class Loaded:
    """A loaded content folder and each petition's prepared form, by slug."""

    content: Content
    prepared: dict[str, Prepared]


@dataclass
class _Parsed:
    """The cache's record of a content folder as last loaded."""

    format: int = CACHE_FORMAT
    markup: str = ""
    site_stat: Stat = (-1, -1)
    site: Site | None = None
    files: dict[str, tuple[Stat, Prepared]] = field(default_factory=dict)


def _stat(path: Path) -> Stat:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


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


def _read_cache(folder: Path, markup: str) -> _Parsed:
    """The record kept in `folder`: a head file and SHARDS files of petitions."""
    head = _unpickle(folder / "head.pickle")
    if not (isinstance(head, _Parsed) and head.format == CACHE_FORMAT and head.markup == markup):
        return _Parsed(markup=markup)
    for n in range(SHARDS):
        shard = _unpickle(folder / f"{n:02d}.pickle")
        if isinstance(shard, dict):
            head.files.update(shard)
    return head


def _write_cache(folder: Path, parsed: _Parsed, shards: set[int]) -> None:
    """Write the head and the given shards, each atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    parts: dict[int, dict[str, tuple[Stat, Prepared]]] = {n: {} for n in shards}
    for name, record in parsed.files.items():
        part = parts.get(_shard(name))
        if part is not None:
            part[name] = record
    head = dataclasses.replace(parsed, files={})
    for name, data in [*((f"{n:02d}", d) for n, d in parts.items()), ("head", head)]:
        tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            with open(tmp, "wb") as f:
                pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, folder / f"{name}.pickle")
        finally:
            tmp.unlink(missing_ok=True)


def prepare(
    path: Path, site: Site, cache: MarkdownCache
) -> tuple[Prepared | None, list[ContentError]]:
    """One file's petition with its Markdown rendered (body dropped if the cache keeps it)."""
    petition, errors = check_petition(path, site)
    if petition is None:
        return None, errors
    ask_html = cache.render(petition.ask)
    imported = tally_digest(petition.imported)
    listing = listing_hash(petition, ask_html)
    if cache.root is None:
        return Prepared(petition, ask_html, "", imported, listing), []
    cache.render(petition.body)
    body_key = cache.key(petition.body)
    stripped = dataclasses.replace(petition, body="")
    return Prepared(stripped, ask_html, body_key, imported, listing), []


def listing_hash(petition: Petition, ask_html: str) -> str:
    """A hash of a petition as index pages, feed and sitemap see it: all but body and source."""
    shown = dataclasses.replace(petition, body="", source_hash="", path="")
    return hashlib.sha256(f"{shown!r}\0{ask_html}".encode()).hexdigest()


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
    paths: list[Path], site: Site, cache_dir: Path | None, workers: int, cache: MarkdownCache
) -> list[tuple[Prepared | None, list[ContentError]]]:
    """Each file's prepared petition or problems, in order; in a pool when there are many."""
    if workers < 2 or len(paths) < MIN_PARALLEL:
        done = [prepare(path, site, cache) for path in paths]
        cache.flush()
        return done
    cache.before_fork()
    work = [(path, site) for path in paths]
    return parallel_map(_prepare_chunk, work, workers, _start_loader, (cache_dir,))


def load(content_dir: Path, cache_dir: Path | None, workers: int, cache: MarkdownCache) -> Loaded:
    """The content folder, petitions sorted by slug; raises ContentErrors with every problem.

    With a `cache_dir`, files unchanged since the last load are not read again. `cache` is
    this process's Markdown cache (workers open their own).
    """
    paths = petition_files(content_dir / "petitions")
    if len({p.stem.lower() for p in paths}) != len(paths):
        load_content(content_dir)  # two files for one slug: raises, naming both
    site_path = content_dir / "site.yaml"
    where = cache_folder(cache_dir, content_dir) if cache_dir is not None else None
    gc_was_on = gc.isenabled()
    gc.disable()  # unpickling builds many objects that are never garbage: skip the scans
    try:
        parsed = _read_cache(where, cache.version) if where is not None else _Parsed()
    finally:
        if gc_was_on:
            gc.enable()
    try:
        site_stat = _stat(site_path)
    except OSError:
        site_stat = (-1, -1)
    rewrite_all = parsed.site is None or parsed.site_stat != site_stat
    if rewrite_all:
        site, _ = check_site(site_path)
        if site is None:
            load_content(content_dir)  # raises with every problem in every file
        parsed = _Parsed(markup=cache.version, site_stat=site_stat, site=site)
    site = parsed.site
    assert site is not None
    stats = [_stat(p) for p in paths]
    known = parsed.files
    stale = [
        p
        for p, st in zip(paths, stats, strict=True)
        if (hit := known.get(p.name)) is None or hit[0] != st
    ]
    errors: list[ContentError] = []
    fresh: dict[str, Prepared] = {}
    for path, (prepared, problems) in zip(
        stale, prepare_all(stale, site, cache_dir, workers, cache), strict=True
    ):
        errors += problems
        if prepared is not None:
            fresh[path.name] = prepared
    if errors:
        raise ContentErrors(errors)
    names = {p.name for p in paths}
    touched = {_shard(n) for n in fresh} | {_shard(n) for n in known if n not in names}
    parsed.files = {
        p.name: (st, fresh[p.name] if p.name in fresh else known[p.name][1])
        for p, st in zip(paths, stats, strict=True)
    }
    if where is not None and (rewrite_all or touched):
        _write_cache(where, parsed, set(range(SHARDS)) if rewrite_all else touched)
    prepared = sorted((rec[1] for rec in parsed.files.values()), key=lambda r: r.petition.slug)
    content = Content(site, tuple(r.petition for r in prepared))
    return Loaded(content, {r.petition.slug: r for r in prepared})

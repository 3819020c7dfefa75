"""Opening what the maintenance tasks work on: an existing store and, if present, the content."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.errors import ConfigError
from generator.model import Content
from generator.store.base import Store


def known_slugs(store: Store, content: Content | None) -> list[str]:
    """Every petition the content names or the store holds anything for, sorted."""
    slugs = set(store.tallies())
    if content is not None:
        slugs.update(p.slug for p in content.petitions)
    return sorted(slugs)


def open_existing_store(url: str) -> Store:
    """The store a URL names; ConfigError when it is an SQLite file that does not exist yet.

    (Opening one would create an empty store, in which nothing is ever found.)
    """
    from generator.store import open_store
    from generator.store.sqlite import SqliteStore

    store = open_store(url)
    if isinstance(store, SqliteStore) and not store.path.is_file():
        raise ConfigError(f"store URL {url!r}: no database at {store.path}; check --store")
    return store


def load_optional_content(folder: Path) -> Content | None:
    """The content folder's petitions, or None when there is no such folder.

    Raises ContentErrors when it exists but is broken.
    """
    if not folder.is_dir():
        return None
    from generator.content.loading import load_content

    return load_content(folder)


@contextmanager
def content_and_store(content_dir: Path, store_url: str) -> Iterator[tuple[Content | None, Store]]:
    """The content (None without a folder) and the existing store; the store is closed after."""
    content = load_optional_content(content_dir)
    store = open_existing_store(store_url)
    try:
        yield content, store
    finally:
        store.close()

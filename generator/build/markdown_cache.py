"""A disk cache of rendered Markdown, so later builds skip parsing text they have seen.

One SQLite file (`.cache/markdown/html.sqlite`, WAL mode) maps sha256(version + text) to
the rendered HTML. Every worker process opens its own connection, reads freely while
others write, and adds what it rendered in one short transaction per batch (`flush`), so
a reader sees a whole entry or none. Measured here, creating one file per entry cost about
0.5 ms (file creation is slow on this disk) against about 20 µs for a batched row.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from generator.errors import ConfigError

DEFAULT_DIR = Path(".cache")


def markdown_dir(cache_dir: Path) -> Path:
    """The folder under a cache root that holds rendered Markdown."""
    return cache_dir / "markdown"


class MarkdownCache:
    """Rendered HTML of Markdown texts, keyed by the text and the renderer's version.

    `root=None` keeps nothing on disk (every call renders). Counters `hits` and `misses`
    say how the cache served this process. New entries reach the disk on `flush()`.
    """

    def __init__(self, root: Path | None, version: str, render: Callable[[str], str]) -> None:
        self.root = root
        self.version = version
        self._render = render
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._pending: dict[str, str] = {}
        self.hits = 0
        self.misses = 0

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None when nothing is kept."""
        return None if self.root is None else self.root / "html.sqlite"

    def key(self, text: str) -> str:
        """The cache key of a Markdown text under this renderer version."""
        return hashlib.sha256(f"{self.version}\0{text}".encode()).hexdigest()

    def get(self, key: str) -> str | None:
        """The HTML kept under `key`, or None."""
        if self.root is None:
            return None
        html = self._pending.get(key)
        if html is None:
            row = self._run("SELECT html FROM html WHERE key = ?", (key,)).fetchone()
            html = row[0] if row else None
        return html

    def render(self, text: str) -> str:
        """The HTML of `text`: from the cache when present, else rendered (and kept)."""
        key = self.key(text)
        html = self.get(key)
        if html is not None:
            self.hits += 1
            return html
        self.misses += 1
        html = self._render(text)
        if self.root is not None:
            self._pending[key] = html
        return html

    def flush(self) -> None:
        """Write entries rendered since the last flush, in one transaction."""
        if not self._pending:
            return
        rows = list(self._pending.items())
        self._pending.clear()
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR IGNORE INTO html (key, html) VALUES (?, ?)", rows)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise ConfigError(f"{self.path}: cannot write the Markdown cache ({exc})") from exc

    def close(self) -> None:
        """Flush and close the connection (it opens again when next needed)."""
        self.flush()
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None

    def before_fork(self) -> None:
        """Create the file and table if missing, then close: workers open their own.

        Doing this once here keeps worker processes from racing to create the database.
        """
        if self.root is not None:
            self._run("SELECT 1", ())
        self.close()

    def _run(self, sql: str, args: tuple[str, ...]) -> sqlite3.Cursor:
        try:
            return self._connect().execute(sql, args)
        except sqlite3.Error as exc:
            raise ConfigError(
                f"{self.path}: the Markdown cache cannot be read ({exc}); delete it to start anew"
            ) from exc

    def _connect(self) -> sqlite3.Connection:
        # A connection must not cross a fork: each process opens its own.
        if self._db is None or self._pid != os.getpid():
            assert self.root is not None and self.path is not None
            self.root.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            db.execute("PRAGMA synchronous=NORMAL")
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")  # once per file: the mode persists
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'html'").fetchone():
                db.execute(
                    "CREATE TABLE IF NOT EXISTS html (key TEXT PRIMARY KEY, html TEXT NOT NULL)"
                    " WITHOUT ROWID"
                )
            self._db, self._pid = db, os.getpid()
        return self._db

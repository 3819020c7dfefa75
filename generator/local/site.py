"""The whole product on this machine (`build.py serve`), site and signing on one origin.

Builds the site with counts from the embedded store, mounts the same Chalice app that runs in
Lambda at the API prefix, re-renders a petition's page when a milestone is reached, and
rebuilds when content or templates change.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import ContentErrors

if TYPE_CHECKING:  # imported when first used, as below
    from chalice.app import Chalice

    from generator.local.server import SiteServer
    from generator.writeback.worker import BackgroundWriteBack

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
SECRET_ENV = "PETITION_SECRET"
STORE_ENV = "PETITION_STORE"


@dataclass(frozen=True)
class ServeOptions:
    """What `serve` runs: where it listens, the store, the folders, and whether it watches."""

    host: str = "127.0.0.1"
    port: int = 8000
    store: str = "sqlite:///.data/signatures.db"
    content_dir: Path = Path("content")
    templates_dir: Path = Path("templates")
    out_dir: Path = Path("_site")
    cache_dir: Path | None = Path(".cache")
    watch: bool = True


def local_secret(data_dir: Path) -> str:
    """The dedupe/rate-limit key: $PETITION_SECRET, else one made once and kept in data_dir."""
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV]
    path = data_dir / "secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def load_app() -> tuple[Chalice, Callable[..., None]]:
    """The Chalice app object from functions/app.py (the one Lambda runs) and its configure()."""
    for path in (str(ROOT), str(FUNCTIONS)):
        if path not in sys.path:
            sys.path.insert(0, path)
    from app import app
    from chalicelib.runtime import configure

    return app, configure


def _snapshot(folders: list[Path]) -> dict[str, tuple[int, int]]:
    state = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                st = path.stat()
                state[str(path)] = (st.st_size, st.st_mtime_ns)
    return state


def watch(
    folders: list[Path], on_change: Callable[[], None], stop: threading.Event, interval: float = 0.5
) -> None:
    """Call on_change whenever a file under these folders is added, removed or modified."""
    before = _snapshot(folders)
    while not stop.wait(interval):
        now = _snapshot(folders)
        if now != before:
            before = now
            on_change()


class LocalSite:
    """The built site, the store, the app and the write-back, kept in step with the content."""

    def __init__(self, options: ServeOptions):
        from generator.build.counts import StoreCounts
        from generator.signing.settings import Settings
        from generator.store import open_store

        self.options = options
        self.store = open_store(options.store)
        self.store.init()
        self.counts = StoreCounts(self.store)
        environ = dict(os.environ)
        environ[SECRET_ENV] = local_secret(Path(".data"))
        environ.setdefault(STORE_ENV, options.store)
        self.settings = Settings.from_environ(environ, FUNCTIONS)
        self.app, self.configure = load_app()
        self.writeback: BackgroundWriteBack | None = None
        self.lock = threading.Lock()

    def rebuild(self) -> bool:
        """Build the site and hand its content to the app; False, with errors printed, if broken."""
        from generator.build.engine import BuildOptions, build
        from generator.content.loading import load_content
        from generator.writeback.worker import local_writeback

        o = self.options
        with self.lock:
            try:
                # one process: forking a pool from this threaded server is not safe
                options = BuildOptions(
                    o.content_dir, o.templates_dir, o.out_dir, o.cache_dir, counts=self.counts
                )
                report = build(replace(options, workers=1))
                content = load_content(o.content_dir)
            except ContentErrors as exc:
                message = exc.report("the site was left as it was; fix it and save again")
                print(message, file=sys.stderr, flush=True)
                return False
            print(report.summary(), flush=True)
            old = self.writeback
            self.writeback = local_writeback(
                content, o.templates_dir, self.store, o.out_dir, o.cache_dir
            )
            self.configure(
                content=content,
                store=self.store,
                settings=self.settings,
                on_milestone=[self.writeback.hook],
            )
            if old is not None:
                old.close()
            return True

    def close(self) -> None:
        """Stop the write-back worker and close the store."""
        if self.writeback is not None:
            self.writeback.close()
        self.store.close()


@contextmanager
def running(options: ServeOptions) -> Iterator[SiteServer]:
    """Start everything and yield the server; stops it all when the caller is done."""
    from generator.local.server import SiteServer

    site = LocalSite(options)
    if not site.rebuild():
        site.close()
        raise ContentErrors([])
    server = SiteServer((options.host, options.port), options.out_dir, site.app)
    stop = threading.Event()
    watcher = None
    if options.watch:
        watcher = threading.Thread(
            target=watch,
            args=([options.content_dir, options.templates_dir], site.rebuild, stop),
            daemon=True,
            name="watch",
        )
        watcher.start()
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="http")
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        if watcher is not None:
            watcher.join()
        site.close()

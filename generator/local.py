"""`build.py serve`: the whole product on this machine, site and signing on one origin.

Builds the site with counts from the embedded store, mounts the same Chalice app that runs in
Lambda at the API prefix, re-renders a petition's page when a milestone is reached, and
rebuilds when content or templates change.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generator.cli import (
    STORE_ENV,
    content_arguments,
    output_arguments,
    print_content_errors,
    store_arguments,
)
from generator.errors import ContentErrors, PetitionSiteError

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
SECRET_ENV = "PETITION_SECRET"


def serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `serve`."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)"
    )
    store_arguments(parser)
    content_arguments(parser)
    output_arguments(parser)
    parser.add_argument("--no-watch", action="store_true", help="do not rebuild on changes")


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


def load_app() -> tuple[Any, Callable[..., None]]:
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

    def __init__(self, args: argparse.Namespace):
        from generator.counts import StoreCounts
        from generator.settings import Settings
        from generator.store import open_store

        self.args = args
        self.store = open_store(args.store)
        self.store.init()
        self.counts = StoreCounts(self.store)
        environ = dict(os.environ)
        environ[SECRET_ENV] = local_secret(Path(".data"))
        environ.setdefault(STORE_ENV, args.store)
        self.settings = Settings(environ=environ, app_dir=FUNCTIONS)
        self.app, self.configure = load_app()
        self.writeback: Any = None
        self.lock = threading.Lock()

    def rebuild(self) -> bool:
        """Build the site and hand its content to the app; False, with errors printed, if broken."""
        from generator.content import load_content
        from generator.site import BuildOptions, build
        from generator.writeback_worker import local_writeback

        a = self.args
        with self.lock:
            try:
                # one process: forking a pool from this threaded server is not safe
                report = build(
                    BuildOptions(
                        a.content, a.templates, a.out, a.cache, False, self.counts, workers=1
                    )
                )
                content = load_content(a.content)
            except ContentErrors as exc:
                print_content_errors(exc, "the site was left as it was; fix it and save again")
                return False
            print(report.summary(), flush=True)
            old = self.writeback
            self.writeback = local_writeback(content, a.templates, self.store, a.out, a.cache)
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
def running(args: argparse.Namespace) -> Iterator[Any]:
    """Start everything and yield the server; stops it all when the caller is done."""
    from generator.serve import SiteServer

    site = LocalSite(args)
    if not site.rebuild():
        site.close()
        raise ContentErrors([])
    server = SiteServer((args.host, args.port), args.out, site.app)
    stop = threading.Event()
    watcher = None
    if not args.no_watch:
        watcher = threading.Thread(
            target=watch,
            args=([args.content, args.templates], site.rebuild, stop),
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


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_serve(args: argparse.Namespace) -> int:
    """Serve the site and the API until Ctrl-C (SIGINT) or SIGTERM."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # A shell starting us in the background may have set SIGINT to "ignore"; Ctrl-C must stop
    # the server wherever it was started, and so must a service manager's SIGTERM.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with running(args) as server:
            print(
                f"serving {args.out}/ and the signing API at {server.url}/  "
                f"(store: {args.store}; Ctrl-C stops)",
                flush=True,
            )
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                print("\nstopping", flush=True)
    except ContentErrors:
        return 1
    except (PetitionSiteError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0

"""The whole product on this machine (`build.py serve`), site and signing on one origin.

Takes its address (generator/local/server.py: waitress), builds the site with counts from
the embedded store, mounts the same Chalice app that runs in Lambda at the API prefix,
re-renders a petition's pages when a milestone is reached (generator/writeback/worker.py),
and rebuilds when content or templates change (watchfiles: the operating system's file
notifications). A broken save prints its errors and leaves the served site as it was.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import TemplateError, TemplateSyntaxError

from generator.counting.counter import Counter
from generator.counting.sources import feed_of
from generator.counting.worker import FeedWorker
from generator.errors import ContentErrors, PetitionSiteError
from generator.model import Content
from generator.signing.letters import Letter
from generator.signing.mail import Mailer
from generator.signing.settings import OUTBOX, PUBLIC_URL, TEMPLATES

if TYPE_CHECKING:  # imported when first used, as below
    from chalice.app import Chalice

    from generator.local.server import SiteServer
    from generator.writeback.worker import BackgroundWriteBack

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
SECRET_ENV = "PETITION_SECRET"
PURGE_EVERY = 3600.0  # seconds between purges of expired pending signatures
STORE_ENV = "PETITION_STORE"
KEPT = "the site was left as it was; fix it and save again"
WAKE_MS = 200  # how often the watcher looks up from waiting (it is told of changes at once)
READY_TIMEOUT = 5.0  # seconds serving waits for the watcher to be in place


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


def local_log_keys(environ: Mapping[str, str], data_dir: Path) -> dict[str, str]:
    """The public logs' keys as settings: the environment's, else made once in data_dir."""
    from generator.log.keys import ID_KEY_ENV, KEY_ENV, LOCAL_NAME, log_keys

    keys = log_keys(LOCAL_NAME, environ, data_dir)
    return {KEY_ENV: keys.signer.secret(), ID_KEY_ENV: keys.id_key.hex()}


def load_app() -> tuple[Chalice, Callable[..., None]]:
    """The Chalice app object from functions/app.py (the one Lambda runs) and its configure()."""
    for path in (str(ROOT), str(FUNCTIONS)):
        if path not in sys.path:
            sys.path.insert(0, path)
    from app import app
    from chalicelib.runtime import configure

    return app, configure


def watch(
    folders: list[Path],
    on_change: Callable[[], None],
    stop: threading.Event,
    ready: threading.Event,
) -> None:
    """Call on_change after files under these folders are added, removed or modified.

    Runs until `stop` is set; sets `ready` once the operating system is watching (watchfiles:
    inotify and its kin; editors' swap and backup files are left out).
    """
    from watchfiles import watch as changes_under

    try:
        for changes in changes_under(
            *folders, stop_event=stop, rust_timeout=WAKE_MS, yield_on_timeout=True,
            raise_interrupt=False,
        ):  # fmt: skip
            ready.set()
            if changes:
                on_change()
    except (OSError, RuntimeError) as exc:  # e.g. the system's limit of watches is reached
        log.warning("not watching %s for changes: %s", ", ".join(map(str, folders)), exc)
    finally:
        ready.set()


class LocalSite:
    """The built site, the store, the app and the write-back, kept in step with the content."""

    def __init__(
        self, options: ServeOptions, app: Chalice, configure: Callable[..., None], url: str
    ):
        from generator.build.counts import StoreCounts
        from generator.signing.settings import Settings
        from generator.store import open_store

        self.options = options
        self.store = open_store(options.store)
        self.store.init()
        self.counts = StoreCounts(self.store)
        environ = dict(os.environ)
        environ[SECRET_ENV] = local_secret(Path(".data"))
        environ.update(local_log_keys(environ, Path(".data")))
        environ.setdefault(STORE_ENV, options.store)
        environ.setdefault(PUBLIC_URL.name, url)  # links in mail lead to this server
        environ[TEMPLATES.name] = str(options.templates_dir)  # the API's pages and mail
        self.settings = Settings.from_environ(environ, FUNCTIONS)
        self.app, self.configure = app, configure
        self.writeback: BackgroundWriteBack | None = None
        self.counting: FeedWorker | None = None
        # read by one counter after another (one per build): a stream reader keeps its place
        self.feed = feed_of(self.store, Path(".data"))
        self.lock = threading.Lock()

    def build(self) -> None:
        """Build the site and hand its content to the app (ContentErrors and the like raised)."""
        from generator.build.engine import BuildOptions, build
        from generator.content.loading import load_content
        from generator.writeback.fresh import Freshness
        from generator.writeback.logs import LogPublisher
        from generator.writeback.publish import FolderPublisher
        from generator.writeback.worker import local_writeback

        o = self.options
        with self.lock:
            # one process: forking a pool from this threaded server is not safe
            options = BuildOptions(
                o.content_dir, o.templates_dir, o.out_dir, o.cache_dir, counts=self.counts, git=True
            )
            report = build(replace(options, workers=1))
            content = load_content(o.content_dir)
            print(report.summary(), flush=True)
            old = self.writeback
            if self.counting is not None:  # one reader of the feed at a time
                self.counting.close()
            self.writeback = local_writeback(
                content, o.templates_dir, self.store, o.out_dir, o.cache_dir, git=True
            )
            writeback = self.writeback
            files = FolderPublisher(o.out_dir)
            keys = self.settings.log_keys()
            logs = None
            if keys is not None:  # a site.yaml naming the deployed key: served with this one
                logs = LogPublisher(content.site, self.store, files, keys, strict=False)
            freshness = Freshness(
                content, self.store, files, pages=writeback.request_many, logs=logs
            )
            freshness.publish_logs()  # the build put a new folder in place: the logs too
            id_key = None if keys is None else keys.id_key
            counter = Counter(
                content, self.store, [writeback.hook], [freshness.counted], id_key=id_key
            )
            # the same counting as in Lambda, from the store's change feed, on a thread;
            # each round ends with the sweep that keeps count files and pages fresh
            self.counting = FeedWorker(self.feed, counter, after_round=[freshness.sweep])
            self.configure(
                content=content,
                store=self.store,
                settings=self.settings,
                on_milestone=[self.writeback.hook],
                after_write=self.counting.poke,
                mailer=self._mailer(content),
            )
            if old is not None:
                old.close()

    def _mailer(self, content: Content) -> Mailer | None:
        """The file mailer, printing each confirmation link (None: the setting's own)."""
        if self.settings.mailer() != "file":
            return None
        from generator.signing.letters import Writer
        from generator.signing.mail import FileMailer

        writer = Writer(content, self.options.templates_dir)
        return FileMailer(self.settings.outbox(), writer, on_sent=_print_link)

    def rebuild(self) -> bool:
        """`build()` after a change; False, with what is wrong printed, if the old site stays."""
        try:
            self.build()
        except ContentErrors as exc:
            print(exc.report(KEPT), file=sys.stderr, flush=True)
            return False
        except (PetitionSiteError, OSError) as exc:  # an output folder in the way, ...
            print(f"error: {exc}; {KEPT}", file=sys.stderr, flush=True)
            return False
        except TemplateError as exc:  # a template saved half-way through an edit
            where = ""
            if isinstance(exc, TemplateSyntaxError):
                where = f"{exc.filename or exc.name}:{exc.lineno}: "
            print(f"{where}error: {exc.message}; {KEPT}", file=sys.stderr, flush=True)
            return False
        return True

    def purge(self, stop: threading.Event, every: float = PURGE_EVERY) -> None:
        """Delete expired pending signatures now and every `every` seconds until `stop`."""
        while True:
            try:
                gone = self.store.purge_expired(datetime.now(UTC))
            except PetitionSiteError as exc:
                log.warning("purge of expired pending signatures failed: %s", exc)
            else:
                if gone:
                    print(f"purged {gone} expired pending signature(s)", flush=True)
            if stop.wait(every):
                return

    def close(self) -> None:
        """Stop counting and the write-back worker, and close the store."""
        if self.counting is not None:
            self.counting.close()
        if self.writeback is not None:
            self.writeback.close()
        self.store.close()


def _print_link(path: Path, letter: Letter) -> None:
    """What the terminal shows of a mail: its kind, petition and link, never the address."""
    link = letter.links.get("confirm")
    shown = f": open {link}" if link else ""
    print(f"mail {letter.kind} {letter.slug}{shown}  ({path.name} in /_outbox/)", flush=True)


@contextmanager
def running(options: ServeOptions) -> Iterator[SiteServer]:
    """Start everything and yield the server, already serving; stops it all afterwards.

    The address is taken first, so a port in use (CannotListen) is reported before anything
    is built; then the watcher starts (first, so that a save during the first build brings
    a rebuild), the site is built, and requests are served. The first build's errors are
    raised.
    """
    from generator.local.server import SiteServer

    app, configure = load_app()
    outbox = Path(os.environ.get(OUTBOX.name) or ".data/outbox")
    server = SiteServer((options.host, options.port), options.out_dir, app, outbox=outbox)
    stop, ready = threading.Event(), threading.Event()
    watcher = purger = None
    site: LocalSite | None = None
    try:
        site = LocalSite(options, app, configure, server.url)
        if options.watch:
            folders = [options.content_dir, options.templates_dir]
            watcher = threading.Thread(
                target=watch, args=(folders, site.rebuild, stop, ready), daemon=True, name="watch"
            )
            watcher.start()
        site.build()
        purger = threading.Thread(target=site.purge, args=(stop,), daemon=True, name="purge")
        purger.start()
        if watcher is not None:
            ready.wait(READY_TIMEOUT)
        server.start()
        yield server
    finally:
        stop.set()
        server.close()
        for thread in (watcher, purger):
            if thread is not None:
                thread.join()
        if site is not None:
            site.close()

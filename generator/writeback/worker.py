"""Running a WriteBack off the request path in this process: one worker thread, one queue.

The milestone hook only queues the slug, so a signature never waits for rendering.
Requests for a slug that is already waiting coalesce, and everything waiting when the
worker wakes is rendered in one round (the count pages once). `serve` uses this.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from generator.errors import PetitionSiteError
from generator.model import Content, Milestone, Petition
from generator.store.base import Store
from generator.writeback.publish import FolderPublisher
from generator.writeback.refresh import WriteBack

log = logging.getLogger(__name__)


class BackgroundWriteBack:
    """Runs a WriteBack on one worker thread; requests for a slug already waiting coalesce.

    `hook` is the milestone hook to give the signing service: it only queues, so signing
    never waits for rendering. `close()` finishes what is queued, then stops the thread.
    """

    def __init__(self, writeback: WriteBack) -> None:
        self.writeback = writeback
        self.refreshes = 0  # how many render-and-publish rounds ran
        self.failures = 0
        self._pending: dict[str, None] = {}  # insertion-ordered set of slugs
        self._busy = False
        self._closing = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="writeback", daemon=True)
        self._thread.start()

    def request(self, slug: str) -> None:
        """Queue a refresh of `slug` (nothing more is queued if one is already waiting)."""
        with self._cond:
            if self._closing:
                log.warning("write-back closed; slug=%s is left for the next build", slug)
                return
            self._pending[slug] = None
            self._cond.notify_all()

    def request_many(self, slugs: list[str]) -> None:
        """Queue refreshes of these petitions (the minute's re-render of moving counts)."""
        for slug in slugs:
            self.request(slug)

    def hook(self, petition: Petition, reached: tuple[Milestone, ...]) -> None:
        """The milestone hook: queue a refresh of the petition's pages."""
        self.request(petition.slug)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until nothing is queued or running; False if `timeout` seconds passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def close(self, timeout: float | None = None) -> None:
        """Refuse new requests, finish the queued ones and stop the worker."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def __enter__(self) -> BackgroundWriteBack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._closing)
                if not self._pending:
                    return
                slugs = list(self._pending)
                self._pending.clear()
                self._busy = True
            try:
                self.writeback.refresh_many(slugs)
            except (PetitionSiteError, OSError) as exc:
                self.failures += 1
                log.warning(
                    "write-back failed slugs=%s: %s; the next build catches up",
                    ",".join(slugs),
                    exc,
                )
            except Exception:  # a bug must not kill the worker: log it and keep serving
                self.failures += 1
                log.exception("write-back crashed slugs=%s", ",".join(slugs))
            finally:
                with self._cond:
                    self.refreshes += 1
                    self._busy = False
                    self._cond.notify_all()


def local_writeback(
    content: Content,
    templates_dir: Path,
    store: Store,
    out_dir: Path,
    cache_dir: Path | None = None,
    git: bool = False,
) -> BackgroundWriteBack:
    """The write-back `serve` uses: pages published into the served folder, off the request
    (`git`: the history of the petitions' text from git, as the build has it)."""
    publisher = FolderPublisher(out_dir)
    return BackgroundWriteBack(WriteBack(content, templates_dir, store, publisher, cache_dir, git))

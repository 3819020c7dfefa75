"""Counting in the background of a long-running process (`serve`): one thread drains the
change feed whenever it is poked (after a write) and every `interval` seconds."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from generator.counting.counter import ChangeFeed, Counter
from generator.errors import PetitionSiteError

log = logging.getLogger(__name__)


class FeedWorker:
    """Drains `source` into `counter` on one thread; `poke()` asks for a round soon. After
    each round it calls `after_round` (e.g. the sweep that keeps count files fresh)."""

    def __init__(
        self,
        source: ChangeFeed,
        counter: Counter,
        interval: float = 1.0,
        after_round: Iterable[Callable[[], None]] = (),
    ) -> None:
        self.source, self.counter, self.interval = source, counter, interval
        self.after_round = list(after_round)
        self.rounds = 0
        self._wake = threading.Event()
        self._idle = threading.Condition()
        self._busy = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="counter", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """Count soon (a write just put a change on the feed)."""
        self._wake.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a round that started after this call has finished."""
        with self._idle:
            target = self.rounds + (2 if self._busy else 1)
            self._wake.set()
            return self._idle.wait_for(lambda: self.rounds >= target, timeout)

    def close(self, timeout: float | None = 10.0) -> None:
        """Finish the round under way, count what is left once, and stop."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            stopping = self._stop.is_set()
            with self._idle:
                self._busy = True
            try:
                self.counter.drain(self.source)
                for then in self.after_round:
                    then()
            except PetitionSiteError as exc:
                log.warning("counting failed, will try again: %s", exc)
            except Exception:  # a bug must not stop counting: log it and keep going
                log.exception("counting crashed")
            finally:
                with self._idle:
                    self._busy = False
                    self.rounds += 1
                    self._idle.notify_all()
            if stopping:
                return

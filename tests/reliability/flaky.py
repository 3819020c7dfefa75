"""A store that fails on purpose between the steps of a signature, and a botocore fault hook.

`FlakyStore` delegates every call to a real store; `fail(method, error, after=...)` makes the
next call of `method` raise `error`, either before the real call (nothing happened) or after
it (the write happened but its caller never hears so, like a crash before the response).
`AfterCall` makes a DynamoDB operation raise once its real answer has arrived (a lost answer).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from generator.model import Tally
from generator.store.base import RateLimit, Signature, SignOutcome, Store

T = TypeVar("T")


@dataclass(frozen=True)
class _Fault:
    error: Exception
    after: bool


class FlakyStore:
    """A real store whose next calls fail as the test says; otherwise the store itself."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.calls: dict[str, int] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._lock = threading.Lock()

    def fail(self, method: str, error: Exception, *, after: bool = False, times: int = 1) -> None:
        """Make the next `times` calls of `method` raise `error` (after the real call: `after`)."""
        with self._lock:
            queue = self._faults.setdefault(method, deque())
            queue.extend(_Fault(error, after) for _ in range(times))

    def _call(self, method: str, real: Callable[[], T]) -> T:
        with self._lock:
            self.calls[method] = self.calls.get(method, 0) + 1
            queue = self._faults.get(method)
            fault = queue.popleft() if queue else None
        if fault is not None and not fault.after:
            raise fault.error
        result = real()
        if fault is not None:
            raise fault.error
        return result

    def init(self) -> None:
        """The real store's init."""
        self.inner.init()

    def sign(self, signature: Signature, rate: RateLimit | None = None) -> SignOutcome:
        """The real sign, unless a fault is due."""
        return self._call("sign", lambda: self.inner.sign(signature, rate))

    def record_milestone(self, slug: str, count: int, reached_at: datetime) -> bool:
        """The real record_milestone, unless a fault is due."""
        return self._call(
            "record_milestone", lambda: self.inner.record_milestone(slug, count, reached_at)
        )

    def tally(self, slug: str) -> Tally:
        """The real tally, unless a fault is due."""
        return self._call("tally", lambda: self.inner.tally(slug))

    def tallies(self) -> dict[str, Tally]:
        """The real tallies (never fails on purpose)."""
        return self.inner.tallies()

    def signatures(self, slug: str) -> Iterator[Signature]:
        """The real signatures (never fails on purpose)."""
        return self.inner.signatures(slug)

    def close(self) -> None:
        """The real close."""
        self.inner.close()


class AfterCall:
    """Makes the next `times` calls of a DynamoDB operation raise `error` after they succeeded.

    Register on `after-call.dynamodb.<Operation>`; the real request has been sent and
    answered, so the write is done, but the store sees only the error (an answer lost).
    """

    def __init__(self, error: Exception, times: int = 1) -> None:
        self.error = error
        self.remaining = times
        self.fired = 0

    def __call__(self, **_: Any) -> None:
        if self.remaining > 0:
            self.remaining -= 1
            self.fired += 1
            raise self.error

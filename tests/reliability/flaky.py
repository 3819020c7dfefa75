"""A store that fails on purpose between the steps of a signature or of counting, and
botocore fault hooks.

`FlakyStore` delegates every call to a real store; `fail(method, error, after=...)` makes the
next call of `method` raise `error`, either before the real call (nothing happened) or after
it (the write happened but its caller never hears so, like a crash before the response). Its
change feed is the real store's (`source_of(flaky.inner)`): the counter reads the feed there
and reads and writes counts through the wrapper, where they can fail.
`AfterCall` makes a DynamoDB operation raise once its real answer has arrived (a lost answer);
`Throttled` answers an operation's first sends with DynamoDB's throttling error over the wire,
so the SDK's own retries meet it as they would meet DynamoDB's.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore.awsrequest import AWSResponse

from generator.model import Tally
from generator.store.base import CountUpdate, RateLimit, Signature, SignOutcome, Store

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

    def counts(self, slugs: Iterable[str]) -> dict[str, Tally]:
        """The real counts, unless a fault is due."""
        wanted = list(slugs)
        return self._call("counts", lambda: self.inner.counts(wanted))

    def apply_counts(self, batch: str, updates: Sequence[CountUpdate]) -> bool:
        """The real apply_counts, unless a fault is due."""
        return self._call("apply_counts", lambda: self.inner.apply_counts(batch, updates))

    def tally(self, slug: str) -> Tally:
        """The real tally, unless a fault is due."""
        return self._call("tally", lambda: self.inner.tally(slug))

    def tallies(self) -> dict[str, Tally]:
        """The real tallies (never fails on purpose)."""
        return self.inner.tallies()

    def signatures(self, slug: str, states: Iterable[str] | None = None) -> Iterator[Signature]:
        """The real signatures (never fails on purpose)."""
        return self.inner.signatures(slug, states)

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


class _Body:
    """The raw body of a made-up HTTP answer, as botocore reads one."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


class Throttled:
    """Answers the next `times` sends of a DynamoDB operation with HTTP 400
    ProvisionedThroughputExceededException instead of sending them (register on
    `before-send.dynamodb.<Operation>`): the SDK parses it and retries as it would."""

    def __init__(self, times: int) -> None:
        self.remaining = times
        self.sends = 0

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        self.sends += 1
        if self.remaining <= 0:
            return None
        self.remaining -= 1
        body = json.dumps(
            {
                "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                "message": "injected by the test",
            }
        ).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "test"}
        return AWSResponse(request.url, 400, headers, _Body(body))

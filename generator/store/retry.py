"""Bounded retries with exponential backoff and full jitter, for contention and throttling."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from generator.errors import StoreError

T = TypeVar("T")


class Retry(Exception):  # a signal between an attempt and its loop, never seen outside
    """Raised by an attempt that may succeed if tried again; `reason` says why it failed."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Backoff:
    """How hard to retry: at most `attempts` tries within `budget` seconds in all.

    Waits are drawn uniformly from 0 to min(cap, base * 2**n) ("full jitter"), which
    spreads competing writers out instead of having them collide again in step.
    """

    attempts: int = 6
    base: float = 0.025
    cap: float = 1.0
    budget: float = 5.0

    def delay(self, attempt: int) -> float:
        """The wait before try number `attempt + 2` (attempt counts from 0)."""
        return random.uniform(0, min(self.cap, self.base * 2**attempt))


def retrying(attempt: Callable[[], T], backoff: Backoff, what: str) -> T:
    """The result of `attempt`, tried again while it raises Retry; StoreError when out of tries."""
    deadline = time.monotonic() + backoff.budget
    reasons: list[str] = []
    for number in range(backoff.attempts):
        try:
            return attempt()
        except Retry as retry:
            reasons.append(retry.reason)
        if number + 1 == backoff.attempts:
            break
        wait = backoff.delay(number)
        if time.monotonic() + wait > deadline:
            break
        time.sleep(wait)
    raise StoreError(f"{what}: gave up after {len(reasons)} tries ({', '.join(reasons)})")

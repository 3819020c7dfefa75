"""Waiting for what happens in the background (a server starting, a write-back, a rebuild).

Every test that waits does so through `eventually`, so no test keeps a loop, a deadline or
a clock of its own, and every wait that runs out fails saying what never happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(
    predicate: Callable[[], T],
    timeout: float = 10.0,
    interval: float = 0.05,
    *,
    message: str | Callable[[], str] = "",
    ignoring: tuple[type[BaseException], ...] = (),
) -> T:
    """The first truthy value `predicate` returns, asking every `interval` seconds.

    After `timeout` seconds without one: AssertionError with `message` (or the predicate's
    name) and the last value seen; `message` may be a callable, to describe the state at that
    moment (e.g. a server's output). Exceptions of the `ignoring` types count as "not yet";
    any other exception propagates at once.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except ignoring as exc:
            value = exc  # type: ignore[assignment]  # reported as the last value if it persists
        else:
            if value:
                return value
        if time.monotonic() >= deadline:
            what = message() if callable(message) else message
            what = what or getattr(predicate, "__name__", "the condition")
            raise AssertionError(f"not within {timeout:g} s: {what} (last: {value!r})")
        time.sleep(interval)

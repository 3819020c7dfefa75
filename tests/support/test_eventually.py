"""`eventually`: returns what the predicate found, and says what never happened."""

from __future__ import annotations

import pytest

from tests.support.eventually import eventually


def test_returns_the_first_truthy_value_after_asking_again() -> None:
    answers = iter(["", None, "ready", "later"])

    assert eventually(lambda: next(answers), timeout=5, interval=0) == "ready"
    assert next(answers) == "later"  # asked no more than needed


def test_a_wait_that_runs_out_names_what_never_happened_and_the_last_value() -> None:
    asked = []

    def count_is_ten() -> bool:
        asked.append(1)
        return False

    with pytest.raises(AssertionError, match=r"not within 0\.1 s: count_is_ten \(last: False\)"):
        eventually(count_is_ten, timeout=0.1, interval=0.01)
    assert len(asked) >= 2  # asked again before giving up


def test_the_message_may_describe_the_state_when_the_wait_runs_out() -> None:
    log = ["starting"]

    with pytest.raises(AssertionError, match="server printed: starting, failed"):
        eventually(
            lambda: log.append("failed"),
            timeout=0,
            message=lambda: f"server printed: {', '.join(log)}",
        )


def test_ignored_exceptions_mean_not_yet_and_others_propagate() -> None:
    attempts = iter([ConnectionError("refused"), ConnectionError("refused"), 200])

    def status() -> int:
        answer = next(attempts)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert eventually(status, timeout=5, interval=0, ignoring=(ConnectionError,)) == 200
    with pytest.raises(ZeroDivisionError):
        eventually(lambda: 1 / 0, timeout=5, ignoring=(ConnectionError,))


def test_an_ignored_exception_that_persists_is_reported_as_the_last_value() -> None:
    def refused() -> bool:
        raise ConnectionError("connection refused")

    with pytest.raises(AssertionError, match="connection refused"):
        eventually(refused, timeout=0, ignoring=(ConnectionError,))

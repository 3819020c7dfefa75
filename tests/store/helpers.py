"""Helpers the store tests share: a hand-moved clock and made-up signatures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from generator.store.base import Signature
from generator.store.retry import Backoff

START = datetime(2026, 3, 1, 12, 0, 10, tzinfo=UTC)  # 50 s before the next minute


class Clock:
    """A clock the test moves by hand (the stores read it for rate-limit minutes)."""

    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(seconds=seconds)


def signature(
    number: int, slug: str = "save-the-park", at: datetime | None = None, **fields: object
) -> Signature:
    """A distinct signer's signature; `number` picks the signer (fake hex email_key)."""
    values: dict[str, object] = {
        "name": f"Signer {number}",
        "email": f"signer{number}@example.org",
        "signed_at": at or START + timedelta(seconds=number),
        **fields,
    }
    return Signature(slug=slug, email_key=f"{number:064x}", **values)  # type: ignore[arg-type]


FAST = Backoff(attempts=4, base=0.001, cap=0.01, budget=2.0)
PATIENT = Backoff(attempts=30, base=0.005, cap=0.2, budget=20.0)  # 20 threads on one item

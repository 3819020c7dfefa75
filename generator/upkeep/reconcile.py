"""Recount every petition from its stored signatures and repair counters that drifted.

Counters and signatures are written together, so drift means a bug, a manual edit or a
restore from backup. `python build.py reconcile` prints one line per petition and repairs
what drifted; the Lambda runs the same every day (`daily`). Recorded milestones never move:
a milestone reached stays reached even if the count is later lowered.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from generator.errors import StoreError
from generator.model import Content
from generator.store.base import Store
from generator.upkeep.access import known_slugs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    """One petition reconciled: its counter (`stored`) against its signatures (`counted`)."""

    slug: str
    stored: int = 0
    counted: int = 0
    repaired: bool = False
    error: str | None = None  # why the petition could not be checked

    @property
    def drift(self) -> int:
        """Signatures stored minus what the counter said (negative: the counter was high)."""
        return self.counted - self.stored

    def line(self) -> str:
        """`slug: stored N, counted M, drift D (repaired)`, as the command prints it."""
        if self.error is not None:
            return f"{self.slug}: not checked: {self.error}"
        drift = f"{self.drift:+d}" if self.drift else "0"
        text = f"{self.slug}: stored {self.stored}, counted {self.counted}, drift {drift}"
        if self.drift:
            text += " (repaired)" if self.repaired else " (not repaired: dry run)"
        return text


def reconcile(store: Store, slugs: Iterable[str], *, repair: bool = True) -> list[Check]:
    """Check each petition, repairing drift unless `repair` is False; failures are noted."""
    checks = []
    for slug in slugs:
        try:
            if repair:
                stored, counted = store.repair(slug)
            else:
                stored, counted = store.tally(slug).count, store.recount(slug)
        except StoreError as error:
            checks.append(Check(slug, error=str(error)))
            continue
        checks.append(Check(slug, stored, counted, repaired=repair and stored != counted))
    return checks


def daily(content: Content, store: Store) -> dict[str, Any]:
    """The scheduled reconcile: repair every petition, log each drift, sum it up.

    Raises StoreError (so the run counts as failed) when any petition could not be checked.
    """
    checks = reconcile(store, known_slugs(store, content))
    for check in checks:
        if check.error is not None:
            log.error("reconcile failed slug=%s: %s", check.slug, check.error)
        elif check.drift:
            log.warning(
                "reconcile repaired slug=%s stored=%d counted=%d drift=%+d",
                check.slug, check.stored, check.counted, check.drift,
            )  # fmt: skip
    drifted = [c for c in checks if c.error is None and c.drift]
    failed = [c.slug for c in checks if c.error is not None]
    log.info("reconcile checked=%d drifted=%d failed=%d", len(checks), len(drifted), len(failed))
    if failed:
        raise StoreError(f"reconcile could not check {', '.join(failed)}")
    return {
        "checked": len(checks),
        "drifted": [{"slug": c.slug, "stored": c.stored, "counted": c.counted} for c in drifted],
    }

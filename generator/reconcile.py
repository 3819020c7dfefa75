"""Recount every petition from its stored signatures and repair counters that drifted.

Counters and signatures are written together, so drift means a bug, a manual edit or a
restore from backup. `python build.py reconcile` prints one line per petition and repairs
what drifted; the Lambda runs the same every day (`daily`). Recorded milestones never move:
a milestone reached stays reached even if the count is later lowered.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from generator.cli import print_content_errors, store_arguments
from generator.errors import ConfigError, ContentErrors, PetitionSiteError, StoreError
from generator.model import Content
from generator.store.base import Store

CONTENT_HINT = "fix the content (or pass --content) and run again"
T = TypeVar("T")

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


def known_slugs(store: Store, content: Content | None) -> list[str]:
    """Every petition the content names or the store holds anything for, sorted."""
    slugs = set(store.tallies())
    if content is not None:
        slugs.update(p.slug for p in content.petitions)
    return sorted(slugs)


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


def store_and_content_arguments(parser: argparse.ArgumentParser) -> None:
    """The --store and --content options the maintenance commands share."""
    store_arguments(parser)
    parser.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        metavar="DIR",
        help="content folder whose petitions are included (default: content; skipped if absent)",
    )


def open_existing_store(url: str) -> Store:
    """The store a URL names; ConfigError when it is an SQLite file that does not exist yet.

    (Opening one would create an empty store, in which nothing is ever found.)
    """
    from generator.store import open_store
    from generator.store.sqlite import SqliteStore

    store = open_store(url)
    if isinstance(store, SqliteStore) and not store.path.is_file():
        raise ConfigError(f"store URL {url!r}: no database at {store.path}; check --store")
    return store


def load_optional_content(folder: Path) -> Content | None:
    """The content folder's petitions, or None when there is no such folder.

    Raises ContentErrors when it exists but is broken.
    """
    if not folder.is_dir():
        return None
    from generator.content import load_content

    return load_content(folder)


def with_store(args: argparse.Namespace, work: Callable[[Content | None, Store], T]) -> T | None:
    """Run `work` on the content and store `args` name, then close the store.

    Prints what went wrong (content errors compiler-style) and returns None on failure.
    """
    try:
        content = load_optional_content(args.content)
        store = open_existing_store(args.store)
        try:
            return work(content, store)
        finally:
            store.close()
    except ContentErrors as exc:
        print_content_errors(exc, CONTENT_HINT)
    except PetitionSiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
    return None


def reconcile_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `reconcile`."""
    store_and_content_arguments(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="report drift without repairing it; exit 1 if there is any (for CI)",
    )


def run_reconcile(args: argparse.Namespace) -> int:
    """Recount, report and repair every petition; 0 unless a check failed or a dry run drifted."""
    checks = with_store(
        args,
        lambda content, store: reconcile(
            store, known_slugs(store, content), repair=not args.dry_run
        ),
    )
    if checks is None:
        return 1
    for check in checks:
        print(check.line(), file=sys.stderr if check.error else sys.stdout)
    drifted = sum(1 for c in checks if c.error is None and c.drift)
    failed = sum(1 for c in checks if c.error is not None)
    done = "found" if args.dry_run else "repaired"
    print(f"{len(checks)} petition(s) checked, {drifted} with drift ({done}), {failed} failed")
    return 1 if failed or (args.dry_run and drifted) else 0

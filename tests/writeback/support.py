"""Helpers of the write-back tests: the fixture content, a fixed clock, building, signing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from generator.build.counts import StoreCounts
from generator.build.engine import BuildOptions, build
from generator.signing.service import SigningService
from generator.store.base import Store
from tests.support.fixture_site import BARE, CLOSED, CONTENT, REPO, TEMPLATES

SLUG = BARE  # open, nothing imported: 10 signs reach 10
OTHER = CLOSED  # closed, never re-rendered by SLUG's milestone
NOW = datetime(2025, 6, 20, 6, 5, 41, tzinfo=UTC)
OLD_NS = 1_000_000_000 * 10**9  # 2001-09-09, long before any test runs
TENTH = [[]] * 9 + [[10]]  # what sign() gives for 10 signers: milestone 10 at the 10th, not before
NOW_ON_PAGE = "2025-06-20 18:05:41 +1200"  # NOW in the site's zone, Pacific/Auckland (winter)
NOW_ISO = "2025-06-20T18:05:41+12:00"  # NOW as a count file gives it


@dataclass
class Built:
    """The fixture site as built into tmp_path, and how to build it again."""

    out: Path
    cache: Path
    store: Store

    def rebuild(self) -> None:
        """Build again (incrementally) with counts from the store."""
        build_site(self.out, self.cache, self.store)

    def read(self, rel: str) -> bytes:
        """The bytes of one output file."""
        return (self.out / rel).read_bytes()

    def files(self) -> dict[str, bytes]:
        """Every output file by its path relative to the output folder."""
        return {
            p.relative_to(self.out).as_posix(): p.read_bytes()
            for p in sorted(self.out.rglob("*"))
            if p.is_file()
        }

    def age(self) -> None:
        """Date every output file back to 2001, so any rewrite shows in its mtime."""
        for path in self.out.rglob("*"):
            if path.is_file():
                os.utime(path, ns=(OLD_NS, OLD_NS))

    def mtimes(self) -> dict[str, int]:
        """Every output file's modification time in nanoseconds."""
        return {
            p.relative_to(self.out).as_posix(): p.stat().st_mtime_ns
            for p in sorted(self.out.rglob("*"))
            if p.is_file()
        }


def build_site(out: Path, cache: Path, store: Store) -> None:
    """Build the fixture content into `out` with the build engine, counts from `store`."""
    options = BuildOptions(CONTENT, TEMPLATES, out, cache, counts=StoreCounts(store), workers=1)
    build(options)


def sign(service: SigningService, slug: str, count: int, start: int = 0) -> list[int]:
    """Sign `slug` `count` times with distinct signers; the milestones recorded for it after
    each signature (the service's counter counts each one as it is made)."""
    recorded = []
    for n in range(start, start + count):
        data = {"name": f"Signer Person{n}", "email": f"signer{n}@example.net"}
        service.sign(slug, data, "192.0.2.1")
        recorded.append([m.count for m in service.store.tally(slug).milestones])
    return recorded


def lambda_glue():
    """functions/chalicelib/writeback.py, imported with functions/ on the path as in Lambda."""
    import importlib
    import sys

    functions = str(REPO / "functions")
    if functions not in sys.path:
        sys.path.insert(0, functions)
    return importlib.import_module("chalicelib.writeback")

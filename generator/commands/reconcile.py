"""`build.py reconcile`: recount every petition from its signatures and repair any drift."""

from __future__ import annotations

import argparse
import sys

from generator.commands.export import CONTENT_HINT
from generator.commands.options import store_and_content_arguments
from generator.commands.report import reported


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `reconcile`."""
    store_and_content_arguments(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="report drift without repairing it; exit 1 if there is any (for CI)",
    )


def run(args: argparse.Namespace) -> int:
    """Recount, report and repair every petition; 0 unless a check failed or a dry run drifted."""
    from generator.upkeep.access import content_and_store, known_slugs
    from generator.upkeep.reconcile import reconcile

    dry_run: bool = args.dry_run

    def work() -> int:
        with content_and_store(args.content, args.store) as (content, store):
            checks = reconcile(store, known_slugs(store, content), repair=not dry_run)
        for check in checks:
            print(check.line(), file=sys.stderr if check.error else sys.stdout)
        drifted = sum(1 for c in checks if c.error is None and c.drift)
        failed = sum(1 for c in checks if c.error is not None)
        done = "found" if dry_run else "repaired"
        print(f"{len(checks)} petition(s) checked, {drifted} with drift ({done}), {failed} failed")
        return 1 if failed or (dry_run and drifted) else 0

    return reported(work, outcome=CONTENT_HINT)

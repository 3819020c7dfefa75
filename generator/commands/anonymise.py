"""`build.py anonymise`: remove signers' details from petitions closed longer than retention."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.commands.options import store_arguments
from generator.commands.report import reported


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `anonymise`."""
    store_arguments(parser)
    parser.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        metavar="DIR",
        help="content folder: its petitions' closing dates and site.yaml's retention_days",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="say which petitions are due, change nothing"
    )


def run(args: argparse.Namespace) -> int:
    """Anonymise every petition whose retention ended; print one line each."""
    from generator.content.loading import load_content
    from generator.upkeep.access import open_existing_store
    from generator.upkeep.anonymise import anonymise_due

    dry_run: bool = args.dry_run

    def work() -> int:
        content = load_content(args.content)
        store = open_existing_store(args.store)
        try:
            done = anonymise_due(content, store, dry_run=dry_run)
        finally:
            store.close()
        days = content.site.retention_days
        for item in done:
            if item.closed_on is None:
                state = "open: kept"
            elif not item.due:
                state = f"closed {item.closed_on}: kept until {days} days after"
            elif dry_run:
                state = f"closed {item.closed_on}: due (dry run, nothing changed)"
            else:
                state = f"closed {item.closed_on}: {item.scrubbed} signature(s) anonymised"
            print(f"{item.slug}: {state}")
        return 0

    return reported(work, outcome="fix the content (or pass --content) and run again")

"""`build.py purge`: delete pending signatures whose confirmation link has expired.

A signature not confirmed within 30 days (or by the day its petition closes) never counts;
purging removes its name and address too. DynamoDB's TTL does this on its own; `serve`
purges the local store every hour; this command does it on demand.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from generator.commands.options import store_arguments
from generator.commands.report import reported


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `purge`."""
    store_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Purge expired pending signatures; print how many."""
    from generator.upkeep.access import open_existing_store

    def work() -> int:
        store = open_existing_store(args.store)
        try:
            gone = store.purge_expired(datetime.now(UTC))
        finally:
            store.close()
        print(f"purged {gone} expired pending signature(s)")
        return 0

    return reported(work, outcome="nothing was purged")

"""`build.py init-store`: create the store's tables; safe to repeat."""

from __future__ import annotations

import argparse

from generator.commands.options import store_arguments
from generator.commands.report import reported


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `init-store`."""
    store_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Create the store's schema and say so."""
    from generator.store import open_store

    url: str = args.store

    def work() -> int:
        store = open_store(url)
        try:
            store.init()
        finally:
            store.close()
        print(f"store ready: {url}")
        return 0

    return reported(work, outcome="nothing was created")

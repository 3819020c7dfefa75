"""`build.py rekey`: recompute stored signatures' keys from their addresses, merging duplicates."""

from __future__ import annotations

import argparse
import os

from generator.commands.export import CONTENT_HINT
from generator.commands.options import store_and_content_arguments
from generator.commands.report import reported


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `rekey`."""
    store_and_content_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Rekey every petition; print how many keys changed and duplicates merged (no signer)."""
    from generator.upkeep.access import content_and_store
    from generator.upkeep.forget import signing_secret
    from generator.upkeep.rekey import rekey_all

    def work() -> int:
        with content_and_store(args.content, args.store) as (content, store):
            done = rekey_all(store, content, signing_secret(os.environ))
        for slug, result in done.items():
            lowered = f"; count lowered by {result.merged}" if result.merged else ""
            print(f"{slug}: {result.changed} key(s) changed, {result.merged} duplicate(s) merged"
                  f"{lowered}")  # fmt: skip
        merged = sum(r.merged for r in done.values())
        print(f"{len(done)} petition(s) rekeyed, {merged} duplicate signature(s) merged")
        return 0

    return reported(work, outcome=CONTENT_HINT)

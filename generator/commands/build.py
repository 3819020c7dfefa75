"""`build.py [build]`: the static site from content/, counts baked from a store if one is named."""

from __future__ import annotations

import argparse
import os

from generator.commands.options import STORE_ENV, content_arguments, output_arguments
from generator.commands.report import reported


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `build`."""
    content_arguments(parser)
    output_arguments(parser)
    parser.add_argument(
        "--full", action="store_true", help="ignore the manifest and render every petition"
    )
    parser.add_argument(
        "--store",
        metavar="URL",
        default=os.environ.get(STORE_ENV),
        help=f"bake counts from this store (default: ${STORE_ENV}; without "
        "one, counts come from each petition's `imported` block)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="processes for large builds (default: one per core)",
    )
    parser.add_argument(
        "--no-git",
        action="store_true",
        help="leave out git: each petition's text history from the store's versions only",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")


def run(args: argparse.Namespace) -> int:
    """Build the site; print every content error and write nothing when there are any."""
    from generator.build.counts import ContentCounts, CountSource, StoreCounts
    from generator.build.engine import BuildOptions, build
    from generator.commands.progress import for_terminal

    def work() -> int:
        counts: CountSource = ContentCounts()
        store = None
        if args.store:
            from generator.store import open_store

            store = open_store(args.store)
            counts = StoreCounts(store)
        progress = for_terminal(quiet=args.quiet)
        try:
            options = BuildOptions(
                content_dir=args.content,
                templates_dir=args.templates,
                out_dir=args.out,
                cache_dir=args.cache,
                full=args.full,
                counts=counts,
                workers=args.workers,
                progress=progress,
                git=not args.no_git,
            )
            report = build(options)
        finally:
            progress.close()
            if store is not None:
                store.close()
        if not args.quiet:
            print(report.summary())
        return 0

    return reported(work, outcome="nothing was written", after="; the output was left as it was")

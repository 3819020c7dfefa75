"""`build.py serve`: build, then serve the site and the signing API on one local origin."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from generator.commands.options import content_arguments, output_arguments, store_arguments
from generator.commands.report import reported
from generator.errors import ContentErrors


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `serve`."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)"
    )
    store_arguments(parser)
    content_arguments(parser)
    output_arguments(parser)
    parser.add_argument("--no-watch", action="store_true", help="do not rebuild on changes")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Serve the site and the API until Ctrl-C (SIGINT) or SIGTERM."""
    from generator.local.site import ServeOptions, running

    options = ServeOptions(
        host=args.host,
        port=args.port,
        store=args.store,
        content_dir=args.content,
        templates_dir=args.templates,
        out_dir=args.out,
        cache_dir=args.cache,
        watch=not args.no_watch,
    )
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # A shell starting us in the background may have set SIGINT to "ignore"; Ctrl-C must stop
    # the server wherever it was started, and so must a service manager's SIGTERM.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)

    def work() -> int:
        try:
            with running(options) as server:
                print(
                    f"serving {options.out_dir}/ and the signing API at {server.url}/  "
                    f"(store: {options.store}; Ctrl-C stops)",
                    flush=True,
                )
                try:
                    threading.Event().wait()
                except KeyboardInterrupt:
                    print("\nstopping", flush=True)
        except ContentErrors as exc:
            if exc.errors:  # the first build's errors were printed as it ran
                raise
            return 1
        return 0

    status = reported(work, outcome="nothing is served")
    sys.stdout.flush()
    return status

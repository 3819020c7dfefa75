"""`build.py serve`: build, then serve the site and the signing API on one local origin."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from generator.commands.options import content_arguments, output_arguments, store_arguments
from generator.commands.report import reported


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


def _logging() -> None:
    """Warnings and errors to stderr; the signing and write-back events to stdout, one a line."""
    from generator.local.terminal import show_events

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)  # the event loggers' INFO records are not for stderr
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth": busy, not wrong
    show_events(sys.stdout)


def run(args: argparse.Namespace) -> int:
    """Serve the site and the API until Ctrl-C (SIGINT) or SIGTERM."""
    from generator.local.server import CannotListen
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
    _logging()
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
        except CannotListen as exc:
            if exc.in_use:
                exc.add_note(
                    "choose another with --port N (make serve PORT=N); --port 0 picks a free one"
                )
            raise
        return 0

    status = reported(work, outcome="nothing is served")
    sys.stdout.flush()
    return status

"""The command line: `python build.py [command] [options]`; the plain build is the default.

Every command is one line in COMMANDS naming where its arguments and its work live
("module:function"). Only the chosen command's module is imported, so a no-change build
does not pay for the others.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.errors import ContentErrors

DEFAULT_STORE = "sqlite:///.data/signatures.db"
STORE_ENV = "PETITION_STORE"


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one line of help, and "module:function" of its parts."""

    name: str
    help: str
    arguments: str  # function(parser) adding the command's options
    run: str  # function(args) -> exit status


COMMANDS: tuple[Command, ...] = (
    Command(
        "build",
        "build the static site (the default command)",
        "generator.cli:build_arguments",
        "generator.cli:run_build",
    ),
    Command(
        "init-store",
        "create the signature store's tables; safe to repeat",
        "generator.cli:store_arguments",
        "generator.cli:run_init_store",
    ),
    Command(
        "serve",
        "build, then serve the site and the signing API on one local origin",
        "generator.local:serve_arguments",
        "generator.local:run_serve",
    ),
    Command(
        "package",
        "package the signing function and the AWS stack template (dist/sam.json)",
        "generator.package:package_arguments",
        "generator.package:run_package",
    ),
    Command(
        "deploy",
        "upload the built site to S3 and invalidate its changed pages in CloudFront",
        "generator.deploy:deploy_arguments",
        "generator.deploy:run_deploy",
    ),
    Command(
        "export",
        "write a petition's signatures as CSV for delivery (emails only with --with-emails)",
        "generator.privacy:export_arguments",
        "generator.privacy:run_export",
    ),
    Command(
        "forget",
        "delete a signer's signatures on every petition and lower the counts",
        "generator.privacy:forget_arguments",
        "generator.privacy:run_forget",
    ),
    Command(
        "reconcile",
        "recount every petition from its signatures and repair any drift",
        "generator.reconcile:reconcile_arguments",
        "generator.reconcile:run_reconcile",
    ),
    # Later commands (package, deploy, export, forget, reconcile) register here.
)


def _resolve(ref: str) -> Callable[..., Any]:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    if not args_in or (args_in[0].startswith("-") and args_in[0] not in ("-h", "--help")):
        args_in.insert(0, "build")
    parser = argparse.ArgumentParser(
        prog="build.py", description="Petition sites as code: build the site and run its tools."
    )
    sub = parser.add_subparsers(dest="command", metavar="command")
    for command in COMMANDS:
        cmd_parser = sub.add_parser(command.name, help=command.help, description=command.help)
        if command.name == args_in[0]:  # only the chosen command's options are needed
            _resolve(command.arguments)(cmd_parser)
            cmd_parser.set_defaults(run=command.run)
    args = parser.parse_args(args_in)
    return int(_resolve(args.run)(args))


def content_arguments(parser: argparse.ArgumentParser) -> None:
    """The --content and --templates options of every command that reads them."""
    parser.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        metavar="DIR",
        help="content folder with site.yaml and petitions/ (default: content)",
    )
    parser.add_argument(
        "--templates",
        type=Path,
        default=Path("templates"),
        metavar="DIR",
        help="templates folder (default: templates)",
    )


def output_arguments(parser: argparse.ArgumentParser) -> None:
    """The --out and --cache options of the commands that build the site."""
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("_site"),
        metavar="DIR",
        help="output folder (default: _site)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(".cache"),
        metavar="DIR",
        help="cache of rendered Markdown and parsed content (default: .cache)",
    )


def build_arguments(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")


def run_build(args: argparse.Namespace) -> int:
    """Build the site; print every content error and write nothing when there are any."""
    from generator.counts import ContentCounts, CountSource, StoreCounts
    from generator.errors import ContentErrors, PetitionSiteError
    from generator.site import BuildOptions, build

    store = None
    try:
        counts: CountSource = ContentCounts()
        if args.store:
            from generator.store import open_store

            store = open_store(args.store)
            counts = StoreCounts(store)
        options = BuildOptions(
            args.content, args.templates, args.out, args.cache, args.full, counts, args.workers
        )
        report = build(options)
    except ContentErrors as exc:
        print_content_errors(exc, "nothing was written")
        return 1
    except (PetitionSiteError, OSError) as exc:
        print(f"error: {exc}; the output was left as it was", file=sys.stderr)
        return 1
    finally:
        if store is not None:
            store.close()
    if not args.quiet:
        print(report.summary())
    return 0


def store_arguments(parser: argparse.ArgumentParser) -> None:
    """The --store option of `init-store` and of every command that opens the store."""
    parser.add_argument(
        "--store",
        metavar="URL",
        default=os.environ.get(STORE_ENV) or DEFAULT_STORE,
        help=f"signature store URL (default: ${STORE_ENV}, else {DEFAULT_STORE})",
    )


def run_init_store(args: argparse.Namespace) -> int:
    """Create the store's schema and say so."""
    from generator.errors import PetitionSiteError
    from generator.store import open_store

    try:
        store = open_store(args.store)
        try:
            store.init()
        finally:
            store.close()
    except PetitionSiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"store ready: {args.store}")
    return 0


def print_content_errors(errors: ContentErrors, outcome: str) -> None:
    """Print every content error compiler-style to stderr, then how many and what followed."""
    for error in errors.errors:
        print(error, file=sys.stderr)
    files = len({e.path for e in errors.errors})
    print(
        f"{_plural(len(errors.errors), 'error')} in {_plural(files, 'file')}; {outcome}",
        file=sys.stderr,
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"

"""The command line: `python build.py [command] [options]`; the plain build is the default.

Each command is a module of this package with `HELP`, `arguments(parser)` and
`run(args) -> exit status`; only the chosen one is imported, so a no-change build does
not pay for the others. Command modules are the only code that sees argparse: they turn
the options into typed values for the domain and its errors into messages (report.py).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Protocol, cast

COMMANDS = (
    "build",
    "init-store",
    "serve",
    "package",
    "deploy",
    "export",
    "forget",
    "reconcile",
    "rekey",
    "anonymise",
    "purge",
    "notify",
    "verify-log",
    "log-key",
)  # later commands register here; each is generator/commands/<name with _ for ->.py
SUMMARIES = {
    "build": "build the static site (the default command)",
    "init-store": "create the signature store's tables; safe to repeat",
    "serve": "build, then serve the site and the signing API on one local origin",
    "package": "package the signing function and the AWS stack template (dist/sam.json)",
    "deploy": "upload the built site to S3 and invalidate its changed pages in CloudFront",
    "export": "write a petition's signatures as CSV for delivery (emails only with --with-emails;"
    " totals by country and region with --by-region)",
    "forget": "delete a signer's signatures on every petition and lower the counts",
    "reconcile": "recount every petition from its signatures and repair any drift",
    "rekey": "recompute stored signatures' keys from their addresses, merging duplicates",
    "anonymise": "remove signers' names and addresses from petitions closed past retention",
    "purge": "delete pending signatures whose confirmation link expired",
    "notify": "mail each new update, once, to the signers who asked to hear more",
    "verify-log": "audit a petition's public log (or a whole site's): its signature, its tiles,"
    " that it only grew, and that its count file adds up to its additions and withdrawals",
    "log-key": "print the public key that signs the logs (for site.yaml's log_key), or make"
    " new log keys for a deploy with --new",
}


class CommandModule(Protocol):
    """What a command module offers."""

    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def command_module(name: str) -> CommandModule:
    """The module of one command (imported now, not before)."""
    module = importlib.import_module(f"generator.commands.{name.replace('-', '_')}")
    return cast(CommandModule, module)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    if not args_in or (args_in[0].startswith("-") and args_in[0] not in ("-h", "--help")):
        args_in.insert(0, "build")
    parser = argparse.ArgumentParser(
        prog="build.py", description="Petition sites as code: build the site and run its tools."
    )
    sub = parser.add_subparsers(dest="command", metavar="command")
    for name in COMMANDS:
        summary = SUMMARIES[name]
        cmd_parser = sub.add_parser(name, help=summary, description=summary)
        if name == args_in[0]:  # only the chosen command's options are needed
            module = command_module(name)
            module.arguments(cmd_parser)
            cmd_parser.set_defaults(run=module.run)
    args = parser.parse_args(args_in)
    try:
        status = int(args.run(args))
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (`export … | head`): end quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the exit's own flush fails no more
        return 0
    return status

"""`build.py verify-log URL|FOLDER`: audit a petition's public log, as a journalist or a
target would: its checkpoint's signature, every tile against the entries and the root, that
it only grew since an older checkpoint (`--since`), and what its leaves add up to."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.commands.report import reported


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `verify-log`."""
    parser.add_argument(
        "source",
        metavar="URL|FOLDER",
        help="the log: its URL (https://…/petitions/<slug>/log) or the folder it was built to",
    )
    parser.add_argument(
        "--key",
        metavar="KEY",
        help="the log's public key, <name>+<key ID>+<base64 key> (published with the site)",
    )
    parser.add_argument(
        "--since",
        type=Path,
        metavar="FILE",
        help="an older checkpoint saved earlier: the log must extend it (nothing removed)",
    )


def run(args: argparse.Namespace) -> int:
    """Audit the log and print its size and tallies; 1 with the failed check named."""
    from generator.errors import LogError
    from generator.log.fetch import fetch_from
    from generator.log.note import Verifier
    from generator.log.verify import report, verify_log

    def work() -> int:
        if not args.key:
            raise LogError("--key", "the log's public key is needed to check its signature")
        verifier = Verifier.parse(args.key)
        since = args.since.read_bytes() if args.since is not None else None
        audit = verify_log(fetch_from(args.source), verifier, since, str(args.since))
        print("\n".join(report(audit)))
        return 0

    return reported(work, outcome="", after="; the log did not verify")

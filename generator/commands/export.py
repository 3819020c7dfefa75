"""`build.py export SLUG`: a petition's signatures as CSV for delivery (emails only if asked)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.commands.options import store_and_content_arguments
from generator.commands.report import reported

UNKNOWN_PETITION = 2  # exit status for a slug nobody knows
CONTENT_HINT = "fix the content (or pass --content) and run again"


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `export`."""
    parser.add_argument("slug", metavar="SLUG", help="the petition whose signatures to export")
    store_and_content_arguments(parser)
    parser.add_argument(
        "--with-emails", action="store_true", help="add an email column (last); off by default"
    )
    parser.add_argument(
        "--out", default="-", metavar="FILE", help="CSV file to write, or - for stdout (default)"
    )
    parser.add_argument(
        "--state",
        choices=("confirmed", "pending", "rejected", "all"),
        default="confirmed",
        help="which signatures: confirmed (the default: those that count), pending (waiting"
        ' for their email), rejected ("this wasn\'t me" or bounced) or all, with a state column',
    )


def run(args: argparse.Namespace) -> int:
    """Write one petition's signatures as CSV; exit 2 when the petition is unknown."""
    from generator.upkeep.access import content_and_store
    from generator.upkeep.export import STATE_CHOICES, petition_zone, write_csv, write_file

    slug: str = args.slug
    target: str = args.out
    emails: bool = args.with_emails
    state: str = args.state
    with_state = state != "confirmed"

    def work() -> int:
        with content_and_store(args.content, args.store) as (content, store):
            zone = petition_zone(slug, store, content)
            if zone is None:
                print(
                    f"error: no petition {slug!r} in {args.content}/petitions or in the store",
                    file=sys.stderr,
                )
                return UNKNOWN_PETITION
            signatures = store.signatures(slug, STATE_CHOICES[state])
            if target == "-":
                written = write_csv(
                    sys.stdout, signatures, zone, with_emails=emails, with_state=with_state
                )
            else:
                written = write_file(
                    Path(target), signatures, zone, with_emails=emails, with_state=with_state
                )
        where = "stdout" if target == "-" else target
        shown = "with emails" if emails else "without emails (--with-emails adds them)"
        print(
            f"exported {written} {state} signature(s) of {slug} to {where}, {shown}",
            file=sys.stderr,
        )
        return 0

    return reported(work, outcome=CONTENT_HINT)

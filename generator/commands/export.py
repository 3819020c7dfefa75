"""`build.py export SLUG`: a petition's signatures as CSV for delivery (emails only if asked),
or with `--by-region` their totals by country and region."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from generator.commands.options import store_and_content_arguments
from generator.commands.report import reported

if TYPE_CHECKING:
    from generator.store.base import Signature

UNKNOWN_PETITION = 2  # exit status for a slug nobody knows
CONTENT_HINT = "fix the content (or pass --content) and run again"


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `export`."""
    parser.add_argument("slug", metavar="SLUG", help="the petition whose signatures to export")
    store_and_content_arguments(parser)
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--with-emails", action="store_true", help="add an email column (last); off by default"
    )
    what.add_argument(
        "--by-region",
        action="store_true",
        help="instead of the signatures, their totals by country and region (country, region,"
        " name, signatures); a group of fewer than 5 shows <5",
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
    """Write one petition's signatures (or their totals by place) as CSV; exit 2 when the
    petition is unknown."""
    from generator.upkeep import export
    from generator.upkeep.access import content_and_store

    slug: str = args.slug
    target: str = args.out
    emails: bool = args.with_emails
    state: str = args.state
    with_state = state != "confirmed"
    where = "stdout" if target == "-" else target

    def work() -> int:
        with content_and_store(args.content, args.store) as (content, store):
            zone = export.petition_zone(slug, store, content)
            if zone is None:
                print(
                    f"error: no petition {slug!r} in {args.content}/petitions or in the store",
                    file=sys.stderr,
                )
                return UNKNOWN_PETITION
            signatures = store.signatures(slug, export.STATE_CHOICES[state])
            if args.by_region:
                groups = _by_region(signatures, target)
                print(
                    f"exported {groups} group(s) of the {state} signatures of {slug} by country"
                    f" and region to {where}",
                    file=sys.stderr,
                )
                return 0
            if target == "-":
                written = export.write_csv(
                    sys.stdout, signatures, zone, with_emails=emails, with_state=with_state
                )
            else:
                written = export.write_file(
                    Path(target), signatures, zone, with_emails=emails, with_state=with_state
                )
        shown = "with emails" if emails else "without emails (--with-emails adds them)"
        print(
            f"exported {written} {state} signature(s) of {slug} to {where}, {shown}",
            file=sys.stderr,
        )
        return 0

    return reported(work, outcome=CONTENT_HINT)


def _by_region(signatures: Iterable[Signature], target: str) -> int:
    """Write the signatures' totals by country and region to `target` (- for stdout); how
    many groups."""
    from generator.upkeep import export
    from generator.upkeep.places import place_rows

    rows = place_rows(signatures)
    if target == "-":
        return export.write_rows(sys.stdout, rows)
    return export.replace_file(Path(target), lambda out: export.write_rows(out, rows))

"""`build.py notify`: mail each new update to the signers who asked to hear more, once; prints
numbers only, never an address or a name."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from generator.commands.options import content_arguments, store_arguments
from generator.commands.report import FAILED, reported

if TYPE_CHECKING:
    from generator.upkeep.notify import Outcome

# How the updates not mailed now are summed up (generator.upkeep.notify's states).
REST = {
    "done": "mailed before",
    "too old": "too old to mail (dated more than {days} days before a run first saw them)",
    "not yet": "dated in the future (mailed once their date has come)",
}


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `notify`."""
    store_arguments(parser)
    content_arguments(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="count the letters each update would send; send and record nothing",
    )
    parser.add_argument(
        "--resend-unsure",
        action="store_true",
        help="send again the letters a run stopped while sending (their supporters may get"
        " two copies); without it they are counted and left alone",
    )


def describe(outcome: Outcome, dry_run: bool) -> str:
    """One update's line: how many letters went (or would go), and why others did not."""
    n = outcome.counts
    name = f"{outcome.planned.petition.slug}/{outcome.planned.update.name}"
    line = f"{name}: {'would send' if dry_run else 'sent'} {n.sent}"
    notes = [
        (n.before, "sent before"),
        (n.unsure, "in doubt (a run stopped while sending them; not sent again:"
         " --resend-unsure sends them)"),
        (n.later, "signed after the mailing started"),
        (n.unreachable, "without an address (anonymised)"),
        (n.taken, "taken meanwhile (another run, or an unsubscribe)"),
    ]  # fmt: skip
    details = "; ".join(f"{count} {what}" for count, what in notes if count)
    if details:
        line += f"; {details}"
    if not dry_run and not outcome.error:
        line += " (done)" if outcome.finished else " (not finished)"
    return line


def run(args: argparse.Namespace) -> int:
    """Mail every due update; print one line per update mailed and a line of the rest."""
    from generator.content.loading import load_content
    from generator.signing.mail import NoMailer, build_mailer
    from generator.signing.settings import Settings
    from generator.store.times import utc_now
    from generator.upkeep.access import open_existing_store
    from generator.upkeep.forget import signing_secret
    from generator.upkeep.notify import DUE, MAX_AGE, Notifier

    dry_run: bool = args.dry_run

    def work() -> int:
        content = load_content(args.content)
        settings = Settings.from_environ(os.environ)
        # a dry run writes no letter: it needs neither the key of the links nor a mailer
        secret = b"" if dry_run else signing_secret(os.environ)
        mailer = NoMailer() if dry_run else build_mailer(settings, content, args.templates)
        public_url = settings.public_url(content.site.base_url)
        store = open_existing_store(args.store)
        try:
            notifier = Notifier(
                content, store, mailer, secret, public_url, utc_now,
                resend_unsure=args.resend_unsure,
            )  # fmt: skip
            outcomes = notifier.run(dry_run=dry_run)
        finally:
            store.close()
        rest: dict[str, int] = {}
        for outcome in outcomes:
            if outcome.planned.state == DUE:
                print(describe(outcome, dry_run))
            else:
                rest[outcome.planned.state] = rest.get(outcome.planned.state, 0) + 1
        if rest:
            print(
                "other updates: "
                + ", ".join(
                    f"{n} {REST[state].format(days=MAX_AGE.days)}" for state, n in rest.items()
                )
            )
        elif not outcomes:
            print("no petition has updates")
        stopped = [o for o in outcomes if o.error]
        for outcome in stopped:
            name = f"{outcome.planned.petition.slug}/{outcome.planned.update.name}"
            print(
                f"error: {name}: the mailer refused a letter ({outcome.error}); that letter and"
                " the rest were not sent: run notify again once mail works",
                file=sys.stderr,
            )
        return FAILED if stopped else 0

    return reported(work, outcome="fix the content (or pass --content) and run again")

"""`build.py forget EMAIL`: delete a signer's signatures everywhere; prints numbers only."""

from __future__ import annotations

import argparse
import os
import sys

from generator.commands.export import CONTENT_HINT
from generator.commands.options import store_and_content_arguments
from generator.commands.report import reported

NOTHING_GIVEN = 2


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `forget`."""
    parser.add_argument(
        "email",
        metavar="EMAIL",
        help="the signer's email, or - to read emails from stdin, one a line (kept out of"
        " your shell history)",
    )
    store_and_content_arguments(parser)


def _emails(given: str) -> list[str]:
    lines = sys.stdin.read().splitlines() if given == "-" else [given]
    return [line.strip() for line in lines if line.strip()]


def run(args: argparse.Namespace) -> int:
    """Delete the signer's signatures on every petition and lower the counts; print counts only."""
    from generator.signing.settings import SECRET
    from generator.upkeep.access import content_and_store
    from generator.upkeep.forget import LOCAL_SECRET, forget_signers, signing_secret

    emails = _emails(args.email)
    if not emails:
        print("error: no email given", file=sys.stderr)
        return NOTHING_GIVEN

    def work() -> int:
        with content_and_store(args.content, args.store) as (content, store):
            done = forget_signers(emails, signing_secret(os.environ), store, content)
        if done.signatures:
            print(
                f"removed {done.signatures} signature(s) of {done.found} of {done.signers}"
                f" signer(s) from {done.petitions} of {done.checked} petition(s); counts"
                " lowered, milestones kept"
            )
        if done.found < done.signers:
            key = SECRET.name if os.environ.get(SECRET.name, "").strip() else str(LOCAL_SECRET)
            print(
                f"{done.signers - done.found} of {done.signers} email(s) matched no signature"
                f" on any of {done.checked} petition(s). Emails are matched by their hash under"
                f" the key in {key}: it must be the signing app's key, or nothing is ever found."
            )
        return 0

    return reported(work, outcome=CONTENT_HINT)

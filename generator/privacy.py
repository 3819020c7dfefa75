"""`build.py export` and `build.py forget`: signatures for the target, deletion on request.

Neither command prints a signer's name or email: export writes them only into the CSV,
and forget reports how many petitions it removed a signature from, never who or which.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from generator.cli import print_content_errors
from generator.errors import ConfigError, ContentErrors, PetitionSiteError
from generator.model import Content
from generator.reconcile import (
    CONTENT_HINT,
    known_slugs,
    load_optional_content,
    open_existing_store,
    store_and_content_arguments,
    with_store,
)
from generator.store.base import Signature, Store

COLUMNS = ("name", "postcode", "country", "consent", "signed_at")
EMAIL_COLUMN = "email"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet may run these as formulas
UNKNOWN_PETITION = 2  # exit status of export for a slug nobody knows
SECRET_ENV = "PETITION_SECRET"
LOCAL_SECRET = Path(".data") / "secret"  # where `build.py serve` keeps its key


def cell(value: str) -> str:
    """The value as a CSV cell a spreadsheet shows as text (a leading `'` defuses formulas)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def rows(
    signatures: Iterable[Signature], zone: ZoneInfo, *, with_emails: bool
) -> Iterator[list[str]]:
    """The header, then one row per signature; times in `zone` as the petition page shows them."""
    from generator.render import TIME_FORMAT  # the page's format, so both always agree

    yield [*COLUMNS, EMAIL_COLUMN] if with_emails else list(COLUMNS)
    for s in signatures:
        row = [s.name, s.postcode, s.country, "yes" if s.consent else "no"]
        row.append(s.signed_at.astimezone(zone).strftime(TIME_FORMAT))
        if with_emails:
            row.append(s.email)
        yield [cell(value) for value in row]


def write_csv(
    out: TextIO, signatures: Iterable[Signature], zone: ZoneInfo, *, with_emails: bool
) -> int:
    """Write the export to `out` (opened with newline=""); returns how many signatures."""
    writer = csv.writer(out)
    written = -1
    for row in rows(signatures, zone, with_emails=with_emails):
        writer.writerow(row)
        written += 1
    return written


def _write_file(path: Path, signatures: Iterable[Signature], zone: ZoneInfo, emails: bool) -> int:
    """Write the export to `path` whole or not at all, readable by its owner only."""
    path = path.resolve()
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            written = write_csv(out, signatures, zone, with_emails=emails)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return written


def export_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `export`."""
    parser.add_argument("slug", metavar="SLUG", help="the petition whose signatures to export")
    store_and_content_arguments(parser)
    parser.add_argument(
        "--with-emails", action="store_true", help="add an email column (last); off by default"
    )
    parser.add_argument(
        "--out", default="-", metavar="FILE", help="CSV file to write, or - for stdout (default)"
    )


def _known(slug: str, store: Store, content_dir: Path) -> ZoneInfo | None:
    """The site's time zone if `slug` is a petition in the content or the store, else None."""
    content = load_optional_content(content_dir)
    zone = ZoneInfo(content.site.time_zone) if content else ZoneInfo("UTC")
    if content is not None and content.petition(slug) is not None:
        return zone
    return zone if store.tally(slug).count else None


def run_export(args: argparse.Namespace) -> int:
    """Write one petition's signatures as CSV; exit 2 when the petition is unknown."""
    try:
        store = open_existing_store(args.store)
        try:
            zone = _known(args.slug, store, args.content)
            if zone is None:
                print(
                    f"error: no petition {args.slug!r} in {args.content}/petitions or in the store",
                    file=sys.stderr,
                )
                return UNKNOWN_PETITION
            signatures = store.signatures(args.slug)
            if args.out == "-":
                written = write_csv(sys.stdout, signatures, zone, with_emails=args.with_emails)
            else:
                written = _write_file(Path(args.out), signatures, zone, args.with_emails)
        finally:
            store.close()
    except ContentErrors as exc:
        print_content_errors(exc, CONTENT_HINT)
        return 1
    except (PetitionSiteError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    where = "stdout" if args.out == "-" else args.out
    emails = "with emails" if args.with_emails else "without emails (--with-emails adds them)"
    print(f"exported {written} signature(s) of {args.slug} to {where}, {emails}", file=sys.stderr)
    return 0


def signing_secret(environ: dict[str, str] | None = None, local: Path = LOCAL_SECRET) -> bytes:
    """The key the signing app hashes emails with: $PETITION_SECRET, else serve's local file."""
    from generator.settings import Settings

    environ = dict(os.environ if environ is None else environ)
    if environ.get(SECRET_ENV, "").strip():
        return Settings(environ=environ).secret()
    if local.is_file():
        return local.read_text(encoding="utf-8").strip().encode("utf-8")
    raise ConfigError(
        f"{SECRET_ENV} is not set and there is no {local}: give the same key the signing app"
        " uses, or no signature can be found"
    )


def forget_arguments(parser: argparse.ArgumentParser) -> None:
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


def run_forget(args: argparse.Namespace) -> int:
    """Delete the signer's signatures on every petition and lower the counts; print counts only."""
    from generator.signing import email_key

    emails = _emails(args.email)
    if not emails:
        print("error: no email given", file=sys.stderr)
        return 2

    def forget_everywhere(
        content: Content | None, store: Store
    ) -> tuple[list[str], list[list[str]]]:
        secret = signing_secret()
        slugs = known_slugs(store, content)
        return slugs, [store.forget(email_key(secret, email), slugs) for email in emails]

    done = with_store(args, forget_everywhere)
    if done is None:
        return 1
    slugs, removed = done
    signatures = sum(len(r) for r in removed)
    petitions = len({slug for r in removed for slug in r})
    found = sum(1 for r in removed if r)
    if signatures:
        print(
            f"removed {signatures} signature(s) of {found} of {len(emails)} signer(s) from"
            f" {petitions} of {len(slugs)} petition(s); counts lowered, milestones kept"
        )
    if found < len(emails):
        key = SECRET_ENV if os.environ.get(SECRET_ENV, "").strip() else str(LOCAL_SECRET)
        print(
            f"{len(emails) - found} of {len(emails)} email(s) matched no signature on any of"
            f" {len(slugs)} petition(s). Emails are matched by their hash under the key in"
            f" {key}: it must be the signing app's key, or nothing is ever found."
        )
    return 0

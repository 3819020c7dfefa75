"""One person, one key: the canonical form of an email address that stands for its mailbox.

Addresses are checked with email-validator (syntax, Unicode normalisation, IDNA for the
domain) and the dedupe key is derived from a canonical form: Unicode compatibility forms
folded (NFKC), case folded, the domain in its ASCII (IDNA) form without a trailing dot.
With aliases merged (a site setting, on by default, as UK e-petitions has done since 2019)
a `+tag` sub-address is dropped and dots do not count in a Gmail address. The address a
signer typed is kept as typed for mail; only the key uses the canonical form.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


class InvalidAddress(ValueError):
    """Not an email address; the message says why without repeating the address."""


@dataclass(frozen=True, repr=False)  # no repr: an address never reaches a log
class Mailbox:
    """A checked address: as typed (for mail) and its canonical form (for the key)."""

    typed: str
    canonical: str


def check(address: str, *, merge_aliases: bool = True) -> Mailbox:
    """The mailbox an address names, or InvalidAddress saying what is wrong with it."""
    typed = address.strip()
    candidate = typed[:-1] if typed.endswith(".") and "@" in typed else typed
    try:
        valid = validate_email(
            candidate,
            check_deliverability=False,  # no DNS from the signing path
            allow_quoted_local=False,
            allow_domain_literal=False,
            strict=True,  # e.g. at most 64 characters before the @, as mail servers require
        )
    except EmailNotValidError as exc:
        raise InvalidAddress(_reason(str(exc))) from None
    return Mailbox(typed, canonical(valid.local_part, valid.ascii_domain, merge_aliases))


def canonical(local: str, ascii_domain: str, merge_aliases: bool = True) -> str:
    """The canonical form of a valid address's local part and ASCII domain."""
    name = unicodedata.normalize("NFKC", local).casefold()
    domain = ascii_domain.rstrip(".").lower()
    if merge_aliases:
        name = name.split("+", 1)[0] or name
        if domain in GMAIL_DOMAINS:
            name, domain = name.replace(".", ""), "gmail.com"
    return f"{name}@{domain}"


def canonical_or_typed(address: str, *, merge_aliases: bool = True) -> str:
    """The canonical form, or for an address that no longer validates (one stored before
    checks were this strict) its trimmed, case-folded text, so it still has one key."""
    try:
        return check(address, merge_aliases=merge_aliases).canonical
    except InvalidAddress:
        return unicodedata.normalize("NFKC", address.strip()).casefold()


def _reason(message: str) -> str:
    """email-validator's reason, shaped as the end of "email: must be …" messages."""
    text = message.strip().rstrip(".")
    for lead in ("The email address is not valid. ", "The email address "):
        text = text.removeprefix(lead)
    return text[:1].lower() + text[1:] if text else "is not an email address"

"""Who is signing: the fields a client sent, checked and bounded, and the keyed hashes that
stand for the signer's mailbox (the duplicate check) and address (the rate limit).

Signers' names and addresses never reach a log or an error message: a field is named by its
key, never by what was typed in it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.content.versions import VERSION
from generator.errors import PetitionSiteError
from generator.model import Site
from generator.regions.countries import country_code
from generator.regions.postcodes import region_of
from generator.signing import mailbox

HONEYPOT = "website"
AS_TYPED = "email_as_typed"  # the form's "my address is right" after a typo suggestion
CONTROL_FIELDS = frozenset({HONEYPOT, AS_TYPED})  # sent by the form, never stored
VERSION_FIELD = "version"  # the text version the page showed (generator.content.versions)
ALWAYS_ASKED = ("name", "email")
LIMITS = {"name": 100, "email": 254, "postcode": 20, "country": 100, "comment": 1000}
FORMULA_STARTS = ("=", "+", "-", "@")  # a spreadsheet would run these as formulas
FORM_TRUE = frozenset({"on", "yes", "true", "1"})  # what a ticked checkbox may send
FORM_FALSE = frozenset({"", "off", "no", "false", "0"})
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")
_POSTCODE = re.compile(r"[^\W_](?:[^\W_]| |-)*")
_MULTILINE_OK = frozenset("\n\r\t")
REPLACEMENT = "\ufffd"
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BAD_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})


class InvalidField(PetitionSiteError):
    """A signer field is missing, unknown or malformed; `code` says which of those."""

    def __init__(self, field: str, code: str, message: str):
        self.field, self.code, self.message = field, code, message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True, repr=False)  # no repr: a signer's name and email never reach a log
class Signer:
    """A signer's fields after validation: trimmed, bounded and safe to export."""

    name: str
    email: str  # as typed (trimmed): what mail is sent to
    postcode: str = ""
    country: str = ""  # ISO 3166-1 alpha-2, whatever name or code was typed
    consent: bool = False
    comment: str = ""
    mailbox: str = ""  # the address's canonical form (generator.signing.mailbox), for the key

    def stored_fields(self) -> dict[str, Any]:
        """The fields a signature stores (the canonical form is kept only as its hash), with
        the region its country and postcode place it in (generator.regions; "" if none)."""
        return {
            "name": self.name,
            "email": self.email,
            "postcode": self.postcode,
            "country": self.country,
            "consent": self.consent,
            "comment": self.comment,
            "region": region_of(self.country, self.postcode),
        }


def field_label(key: str) -> str:
    """How an error names a field a client sent: its key if it looks like a field name.

    Anything else (which could be personal data typed in the wrong place) is not repeated.
    """
    return key if _FIELD_NAME.fullmatch(key) else "(unnamed field)"


def is_bot(data: Mapping[str, object]) -> bool:
    """Whether the hidden honeypot field was filled in, which only bots do."""
    value = data.get(HONEYPOT)
    return bool(value.strip()) if isinstance(value, str) else bool(value)


def _text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidField(field, "invalid_field", "must be a string")
    text = value.strip()
    if REPLACEMENT in text:  # what API Gateway makes of bytes that are not UTF-8
        raise InvalidField(field, "invalid_field", "must be UTF-8 text (it holds U+FFFD)")
    allowed = _MULTILINE_OK if field == "comment" else frozenset()
    if any(
        (unicodedata.category(c) in _BAD_CATEGORIES or c in _BIDI_CONTROLS) and c not in allowed
        for c in text
    ):
        raise InvalidField(field, "invalid_field", "must not contain control characters")
    if len(text) > LIMITS[field]:
        raise InvalidField(field, "invalid_field", f"must be at most {LIMITS[field]} characters")
    return text


def _consent(value: object, form: bool) -> bool:
    if isinstance(value, bool):
        return value
    if form and isinstance(value, str) and value.strip().lower() in FORM_TRUE | FORM_FALSE:
        return value.strip().lower() in FORM_TRUE
    raise InvalidField("consent", "invalid_field", "must be true or false")


def validate_signer(data: Mapping[str, object], site: Site, *, form: bool = False) -> Signer:
    """The signer described by `data`, or InvalidField naming the first field that is wrong."""
    asked = ALWAYS_ASKED + tuple(site.signer_fields)
    known = {*asked, *CONTROL_FIELDS, VERSION_FIELD}  # the version: signed_version's
    for key in sorted(k for k in data if k not in known):
        raise InvalidField(
            field_label(key), "unknown_field", "is not a field this petition asks for"
        )
    values: dict[str, Any] = {}
    for field in asked:
        raw = data.get(field)
        if field == "consent":
            values[field] = False if raw is None else _consent(raw, form)
            continue
        text = "" if raw is None else _text(field, raw)
        if not text:
            if field in ALWAYS_ASKED:
                raise InvalidField(field, "missing_field", "is required")
            continue
        if field in ("name", "country") and text.startswith(FORMULA_STARTS):
            raise InvalidField(field, "invalid_field", "must not start with =, +, - or @")
        if field == "email":
            try:
                checked = mailbox.check(text, merge_aliases=site.merge_email_aliases)
            except mailbox.InvalidAddress as exc:
                message = f"must be an email address: {exc}"
                raise InvalidField(field, "invalid_field", message) from None
            values["mailbox"] = checked.canonical
        if field == "postcode" and not _POSTCODE.fullmatch(text):
            raise InvalidField(field, "invalid_field", "must be letters, digits and spaces")
        if field == "country":
            code = country_code(text)
            if not code:
                message = "must name a country, or give its ISO 3166 code (e.g. New Zealand, NZ)"
                raise InvalidField(field, "invalid_field", message)
            text = code
        values[field] = text
    return Signer(**values)


def signed_version(data: Mapping[str, object], now: str) -> str:
    """The text version a signer signed: as the page sent it (a page cached from before an
    edit sends the earlier one), `now` (the current version) when none was sent, or
    InvalidField naming `version` when it is not 12 hexadecimal digits."""
    value = data.get(VERSION_FIELD)
    if value is None or value == "":
        return now
    if not isinstance(value, str) or not VERSION.fullmatch(value):
        message = "must be the text version the page shows: 12 hexadecimal digits"
        raise InvalidField(VERSION_FIELD, "invalid_field", message)
    return value


def _hmac(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


def mailbox_key(secret: bytes, canonical: str) -> str:
    """The keyed hash that stands for a mailbox (its canonical form) in the duplicate check."""
    return _hmac(secret, canonical)


def email_key(secret: bytes, email: str, *, merge_aliases: bool = True) -> str:
    """The keyed hash of the mailbox an address names, as signing computes it (for forget,
    rekey and tests: an address that no longer validates still gets one key)."""
    return mailbox_key(secret, mailbox.canonical_or_typed(email, merge_aliases=merge_aliases))


def rate_key(secret: bytes, address: str) -> str:
    """The keyed hash that stands for a client address in the rate limit."""
    return _hmac(secret, "rate:" + address)

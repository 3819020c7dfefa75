"""Confirmation links: derived, never stored.

A pending signature has a random id. Its link carries the signature's key, the id and a
token, the HMAC of the id under the site secret, all base64url. Checking a link needs no
read and no stored token: a leaked table confirms nothing, and a mail sent again carries
the same link. Tokens are compared in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PENDING_DAYS = 30  # a signature not confirmed by then is purged
RESEND_AFTER = timedelta(minutes=10)  # a pending signer signing again gets the link again …
MAX_MAILS = 5  # … at most this many times in all
ALREADY_SIGNED_EVERY = timedelta(days=1)  # a confirmed signer is told at most this often
_REF = re.compile(r"([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})")


class InvalidLink(ValueError):
    """A confirmation link that is malformed or whose token does not match."""


@dataclass(frozen=True)
class Ref:
    """What a confirmation link names: the signature (by key and id) and its token."""

    email_key: str  # hex
    sid: str  # hex
    token: str  # base64url


def new_id() -> str:
    """A fresh random signature id (128 bits, hex)."""
    return secrets.token_hex(16)


def b64url(data: bytes) -> str:
    """`data` in base64url without padding, as links carry it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    """The bytes of unpadded base64url `text`."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def token(secret: bytes, sid: str) -> str:
    """The token of a signature id: HMAC-SHA256 under the site secret, 128 bits, base64url."""
    digest = hmac.new(secret, b"confirm:" + sid.encode(), hashlib.sha256).digest()
    return b64url(digest[:16])


def ref(secret: bytes, email_key: str, sid: str) -> str:
    """The path segment of a signature's confirmation link."""
    return ".".join(
        (b64url(bytes.fromhex(email_key)), b64url(bytes.fromhex(sid)), token(secret, sid))
    )


def check(secret: bytes, text: str) -> Ref:
    """The signature a link segment names, once its token is checked; InvalidLink if not."""
    found = _REF.fullmatch(text)
    if found is None:
        raise InvalidLink("malformed")
    try:
        email_key, sid = (unb64url(found.group(n)).hex() for n in (1, 2))
    except (binascii.Error, ValueError):
        raise InvalidLink("malformed") from None
    if len(email_key) != 64 or len(sid) != 32:
        raise InvalidLink("malformed")
    if not hmac.compare_digest(token(secret, sid), found.group(3)):
        raise InvalidLink("token")
    return Ref(email_key, sid, found.group(3))


def expiry(signed_at: datetime, closes: date | None, time_zone: str) -> datetime:
    """When a pending signature is purged: 30 days on, or the end of the closing day."""
    limit = signed_at + timedelta(days=PENDING_DAYS)
    if closes is None:
        return limit
    end = datetime.combine(closes + timedelta(days=1), time(0), ZoneInfo(time_zone))
    return min(limit, end)


def may_resend(mails: int, mailed_at: datetime | None, now: datetime) -> bool:
    """Whether a pending signer signing again gets the link again."""
    return mails < MAX_MAILS and (mailed_at is None or now - mailed_at >= RESEND_AFTER)


def may_tell_again(mailed_at: datetime | None, now: datetime) -> bool:
    """Whether a confirmed signer signing again gets an "already signed" mail."""
    return mailed_at is None or now - mailed_at >= ALREADY_SIGNED_EVERY

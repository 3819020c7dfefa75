"""One-click unsubscribe (RFC 8058) from mail to supporters: links derived, never stored.

Each letter to a supporter carries `List-Unsubscribe: <…/unsubscribe/<ref>/<token>>` and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click`. `ref` names the signature (its key
and its random id, base64url, joined by a dot; a signature without an id, made with
confirmation off, is named by its key alone); `token` is the HMAC of the petition's slug,
the key and the id under the site secret, so a link cannot be made for someone else's
signature or another petition, and a leaked table makes none. A POST to the link turns the
signature's consent off; a GET only shows a button that POSTs (mail scanners open links,
and must not unsubscribe anyone).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from generator.signing.confirmation import InvalidLink, b64url, unb64url

_REF = re.compile(r"([A-Za-z0-9_-]{43})(?:\.([A-Za-z0-9_-]{22}))?")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")


@dataclass(frozen=True)
class Named:
    """The signature an unsubscribe link names, its token checked."""

    email_key: str  # hex
    sid: str  # hex, or "" for a signature without an id


def token(secret: bytes, slug: str, email_key: str, sid: str) -> str:
    """The unsubscribe token of a signature: HMAC-SHA256 of its petition, key and id, 128
    bits, base64url."""
    message = f"unsubscribe:{slug}:{email_key}:{sid}".encode()
    return b64url(hmac.new(secret, message, hashlib.sha256).digest()[:16])


def ref(email_key: str, sid: str) -> str:
    """The path segment naming a signature in its unsubscribe link."""
    key = b64url(bytes.fromhex(email_key))
    return f"{key}.{b64url(bytes.fromhex(sid))}" if sid else key


def path(slug: str, email_key: str, sid: str, secret: bytes) -> str:
    """The API path of a signature's unsubscribe link (under the site's `api_url`)."""
    named = ref(email_key, sid)
    return f"/petitions/{slug}/unsubscribe/{named}/{token(secret, slug, email_key, sid)}"


def check(secret: bytes, slug: str, ref_text: str, token_text: str) -> Named:
    """The signature a link names once its token is checked; InvalidLink if it is not."""
    found = _REF.fullmatch(ref_text)
    if found is None or not _TOKEN.fullmatch(token_text):
        raise InvalidLink("malformed")
    email_key = unb64url(found.group(1)).hex()
    sid = unb64url(found.group(2)).hex() if found.group(2) else ""
    if len(email_key) != 64 or len(sid) not in (0, 32):
        raise InvalidLink("malformed")
    if not hmac.compare_digest(token(secret, slug, email_key, sid), token_text):
        raise InvalidLink("token")
    return Named(email_key, sid)

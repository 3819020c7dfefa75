"""Which mail a signing sends, and sending it: the confirmation link to a new signer, the
same link again to a pending one (at most 5 mails, 10 minutes apart), "you have already
signed" to a confirmed one (at most daily), nothing to a rejected or bounced one.

A mail that cannot be handed on is logged (slug and kind only): the signature stands, and
signing again sends the link again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from generator.model import Site
from generator.signing import confirmation
from generator.signing.letters import Letter
from generator.signing.mail import Mailer, MailError
from generator.store.base import CONFIRMED, PENDING, Signature, Store

log = logging.getLogger(__name__)


class Postman:
    """Sends a site's letters through one mailer, with links under the site's address."""

    def __init__(self, site: Site, mailer: Mailer, secret: bytes, public_url: str) -> None:
        self.site, self.mailer, self.secret, self.public_url = site, mailer, secret, public_url

    def confirm_link(self, slug: str, email_key: str, sid: str) -> str:
        """The absolute address of a signature's confirmation page."""
        api = self.site.api_url.rstrip("/")
        origin = "" if api.startswith(("http://", "https://")) else self.public_url
        ref = confirmation.ref(self.secret, email_key, sid)
        return f"{origin}{api}/petitions/{slug}/confirm/{ref}"

    def after_duplicate(self, store: Store, address: str, stored: Signature, now: datetime) -> None:
        """Mail a signer who signed before, within the limits (a race sends one mail)."""
        if stored.state == PENDING and confirmation.may_resend(stored.mails, stored.mailed_at, now):
            kind = "confirm"
        elif stored.state == CONFIRMED and confirmation.may_tell_again(stored.mailed_at, now):
            kind = "already-signed"
        else:
            return
        if store.note_mail(stored.slug, stored.email_key, stored.mailed_at, now):
            self.send(kind, address, stored)

    def send(self, kind: str, address: str, signature: Signature) -> None:
        """Hand one letter about this signature to the mailer (a failure is logged)."""
        links = {"key": signature.email_key}
        if kind == "confirm":
            links["confirm"] = self.confirm_link(signature.slug, signature.email_key, signature.id)
        try:
            self.mailer.send(Letter(kind, address, signature.slug, links))
        except MailError as exc:
            log.warning("mail not sent slug=%s kind=%s: %s", signature.slug, kind, exc)
            return
        log.info(
            "mail sent slug=%s kind=%s", signature.slug, kind,
            extra={"event": "mail", "slug": signature.slug, "kind": kind},
        )  # fmt: skip

"""The signing service: take a checked signer and keep one signature per mailbox, in one
conditional write; confirm or withdraw it by its link. Counting (and milestones) happen
downstream, from the store's change feed (generator.counting).

Transport-free: the Chalice app parses HTTP into a mapping of fields and maps the errors
raised here to statuses. Signers' names and emails never reach a log or an error message.
Each signature is logged at INFO with `extra` fields (`event`, `slug`, `count`, `added`) for
a host to show; `serve` prints them (generator/local/terminal.py). Counts in answers come
from a per-process cache at most a second old (generator.signing.tallies); while
confirmation is required a signing answer shows none, so signing reads nothing (`count` None).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from generator import milestones
from generator.content.versions import petition_version
from generator.errors import PetitionSiteError
from generator.log.leaves import signature_key
from generator.log.receipts import receipt_url
from generator.model import Content, Petition, Site
from generator.render.countfile import count_document
from generator.signing import confirmation
from generator.signing.mail import Mailer, NoMailer
from generator.signing.postman import Postman
from generator.signing.settings import Settings
from generator.signing.signer import (
    is_bot,
    mailbox_key,
    rate_key,
    signed_version,
    validate_signer,
)
from generator.signing.tallies import TallyCache
from generator.store.base import (
    BOUNCED,
    CONFIRMED,
    PENDING,
    REJECTED,
    RateLimit,
    Signature,
    Store,
)

log = logging.getLogger(__name__)

WriteHook = Callable[[], None]  # after each write: e.g. poke the local counter


class UnknownPetition(PetitionSiteError):
    """No petition has this slug."""

    def __init__(self, slug: str):
        self.slug = slug
        super().__init__(f"no petition {slug!r}")


class PetitionClosed(PetitionSiteError):
    """The petition no longer takes signatures (closed, won, or past its closing date)."""

    def __init__(self, slug: str, status: str):
        self.slug, self.status = slug, status
        super().__init__(f"petition {slug!r} is {status} and takes no more signatures")


# What every signing request gets while confirmation is required, byte for byte the same
# for a new address, a pending one and a confirmed one: it never tells whether someone signed.
CHECK_EMAIL = {
    "status": "check_email",
    "message": "Thank you. Now check your email: your signature counts once you confirm it.",
}


@dataclass(frozen=True)
class SignResult:
    """What a signature request did, as the client sees it (`confirming`: a link was mailed,
    or would have been: the answer is CHECK_EMAIL whatever happened, and shows no count, so
    none is read: `count` and `goal` are None)."""

    count: int | None
    goal: int | None
    milestone: int | None
    added: bool
    confirming: bool = False
    receipt: str | None = None  # a new signature's receipt (generator.log.receipts)

    def as_json(self) -> dict[str, Any]:
        """The response body: the same for a new signature, a duplicate and a bot (which get
        no receipt: a receipt is only ever shown for a signature of one's own)."""
        if self.confirming:
            return dict(CHECK_EMAIL)
        answer = {"count": self.count, "goal": self.goal, "milestone": self.milestone}
        return {**answer, "receipt": self.receipt} if self.receipt else answer


@dataclass(frozen=True)
class Confirmed:
    """What a confirmation link did: `outcome` is confirmed (now or before) or withdrawn."""

    slug: str
    outcome: str  # "confirmed" or "withdrawn"
    count: int
    milestone: int | None = None
    receipt: str | None = None  # when this call confirmed it (generator.log.receipts)


class LinkNotValid(PetitionSiteError):
    """A confirmation link that is malformed, forged, or names no signature any more."""


def effective_status(petition: Petition, site: Site, now: datetime) -> str:
    """The petition's status at `now`: an open petition past its closing date is closed."""
    if petition.status != "open" or petition.closes is None:
        return petition.status
    return "closed" if now.astimezone(ZoneInfo(site.time_zone)).date() > petition.closes else "open"


class SigningService:
    """Signs petitions from one content folder into one store."""

    def __init__(
        self,
        content: Content,
        store: Store,
        settings: Settings,
        clock: Callable[[], datetime] | None = None,
        mailer: Mailer | None = None,
        after_write: WriteHook | None = None,
        tallies: TallyCache | None = None,
    ):
        self.content, self.store, self.settings = content, store, settings
        self._clock = clock or (lambda: datetime.now(UTC))
        self.mailer: Mailer = mailer or NoMailer()
        self.after_write = after_write
        self.tallies = tallies or TallyCache(store)

    def _receipt(self, slug: str, sid: str, start: int) -> str | None:
        """The receipt of the signature with random id `sid`, added to a log of at least
        `start` leaves (None without a log)."""
        id_key = self.settings.log_id_key()
        if id_key is None:
            return None
        return receipt_url(slug, signature_key(id_key, sid), start)

    def confirming(self) -> bool:
        """Whether a signature counts only once its email is confirmed."""
        return self.settings.confirmation(self.content.site.confirmation) == "required"

    def postman(self) -> Postman:
        """What sends this site's letters (the secret and public address, resolved now)."""
        site = self.content.site
        public = self.settings.public_url(site.base_url)
        return Postman(site, self.mailer, self.settings.secret(), public)

    def petition(self, slug: str) -> Petition:
        """The petition with this slug, or UnknownPetition."""
        petition = self.content.petition(slug)
        if petition is None:
            raise UnknownPetition(slug)
        return petition

    def _goal(self, petition: Petition, count: int) -> int:
        return milestones.next_goal(count, petition.milestones, petition.goal)

    def _wrote(self) -> None:
        if self.after_write is not None:
            self.after_write()
            self.tallies.forget()  # it may have counted already: read afresh

    def status(self, slug: str) -> dict[str, Any]:
        """The petition's count file (public count, pending count, goal, milestones oldest
        first, updated) and its status now: one read of its count item, at most a second old."""
        petition = self.petition(slug)
        site = self.content.site
        tally = milestones.combine(petition.imported, self.tallies.tally(slug))
        document = count_document(petition, tally, site)
        document["status"] = effective_status(petition, site, self._clock())
        return document

    def _count(self, petition: Petition) -> int:
        return petition.imported.count + self.tallies.tally(petition.slug).count

    def _result(self, petition: Petition, added: bool, confirming: bool) -> SignResult:
        if confirming:  # the answer is CHECK_EMAIL: the request path reads nothing for it
            return SignResult(None, None, None, added, confirming)
        count = self._count(petition)
        return SignResult(count, self._goal(petition, count), None, added, confirming)

    def sign(
        self, slug: str, data: Mapping[str, object], address: str, *, form: bool = False
    ) -> SignResult:
        """Sign `slug` with the fields in `data` for the client at `address`.

        Raises UnknownPetition, PetitionClosed, InvalidField, RateLimited, StoreError or
        ConfigError. A duplicate or a filled honeypot answers like a new signature.
        """
        started = time.perf_counter()
        petition = self.petition(slug)
        site = self.content.site
        now = self._clock()
        status = effective_status(petition, site, now)
        if status != "open":
            raise PetitionClosed(slug, status)
        confirming = self.confirming()
        if is_bot(data):
            result = self._result(petition, False, confirming)
            log.info(
                "signature ignored slug=%s reason=honeypot", slug,
                extra={"event": "ignored", "slug": slug, "count": result.count},
            )  # fmt: skip
            return result
        signer = validate_signer(data, site, form=form)
        secret = self.settings.secret()
        limit = self.settings.rate_limit(site.rate_limit)
        key = mailbox_key(secret, signer.mailbox)
        rate = RateLimit(rate_key(secret, address), limit) if limit > 0 else None
        signed_at = now.astimezone(UTC)
        fields = {
            **signer.stored_fields(),
            "version": signed_version(data, petition_version(petition)),
        }
        if confirming:
            signature = Signature(
                slug, key, signed_at=signed_at, **fields, id=confirmation.new_id(),
                state=PENDING, confirmed_at=None, mails=1, mailed_at=signed_at,
                expires_at=confirmation.expiry(signed_at, petition.closes, site.time_zone),
            )  # fmt: skip
        else:
            sid = confirmation.new_id()  # its leaf in the public log is a keyed hash of it
            signature = Signature(slug, key, signed_at=signed_at, **fields, id=sid)
        # the log's size before this write: its leaf, once counted, is at or after it
        logged = not confirming and self.settings.log_id_key() is not None
        start = self.tallies.tally(slug).log_size if logged else None
        outcome = self.store.sign(signature, rate)
        if outcome.added:
            self._wrote()
        if confirming:
            postman = self.postman()
            if outcome.added:
                postman.send("confirm", signer.email, signature)
            elif outcome.existing is not None:
                postman.after_duplicate(self.store, signer.email, outcome.existing, signed_at)
        result = self._result(petition, outcome.added, confirming)
        if outcome.added and start is not None:
            result = replace(result, receipt=self._receipt(slug, signature.id, start))
        event = "pending" if confirming else "signed"
        log.info(
            "signature %s slug=%s added=%s count=%s ms=%.1f", event, slug, outcome.added,
            result.count, (time.perf_counter() - started) * 1000,
            extra={"event": event, "slug": slug, "added": outcome.added, "count": result.count},
        )  # fmt: skip
        return result

    def confirm_link(self, slug: str, email_key: str, sid: str) -> str:
        """The absolute address of a signature's confirmation page."""
        return self.postman().confirm_link(slug, email_key, sid)

    def check_link(self, slug: str, ref: str) -> Petition:
        """The petition a confirmation link is about, once its token checks out (nothing is
        read or changed: the page a GET shows); LinkNotValid if it does not."""
        petition = self.petition(slug)
        try:
            confirmation.check(self.settings.secret(), ref)
        except confirmation.InvalidLink as exc:
            raise LinkNotValid(f"confirmation link for {slug!r}: {exc}") from None
        return petition

    def confirm(self, slug: str, ref: str) -> Confirmed:
        """Confirm the signature a link names: it counts from now (once, however often this
        is called); milestones it reaches are recorded at this time by the counter."""
        petition = self.check_link(slug, ref)
        now = self._clock()
        status = effective_status(petition, self.content.site, now)
        if status != "open":
            raise PetitionClosed(slug, status)
        named = confirmation.check(self.settings.secret(), ref)
        # the log's size before the write: its leaf comes after (read only for a receipt)
        logged = self.settings.log_id_key() is not None
        start = self.tallies.tally(slug).log_size if logged else 0
        change = self.store.confirm(slug, named.email_key, named.sid, now.astimezone(UTC))
        if change.before is None:
            raise LinkNotValid(f"confirmation link for {slug!r}: no such signature")
        if change.before == PENDING:
            self._wrote()
        count = self._count(petition)
        if change.before in (REJECTED, BOUNCED):
            return Confirmed(slug, "withdrawn", count)
        if change.before == PENDING:
            log.info(
                "signature confirmed slug=%s count=%d", slug, count,
                extra={"event": "confirmed", "slug": slug, "count": count},
            )  # fmt: skip
            receipt = self._receipt(slug, named.sid, start)
            return Confirmed(slug, "confirmed", count, receipt=receipt)
        return Confirmed(slug, "confirmed", count)

    def reject(self, slug: str, ref: str) -> Confirmed:
        """ "This wasn't me": the signature stops counting and its address gets no more mail
        about this petition."""
        petition = self.check_link(slug, ref)
        named = confirmation.check(self.settings.secret(), ref)
        change = self.store.reject(slug, named.email_key, named.sid, self._clock().astimezone(UTC))
        if change.before is None:
            raise LinkNotValid(f"confirmation link for {slug!r}: no such signature")
        if change.before in (PENDING, CONFIRMED):
            self._wrote()
        count = self._count(petition)
        log.info(
            "signature withdrawn slug=%s count=%d", slug, count,
            extra={"event": "withdrawn", "slug": slug, "count": count},
        )  # fmt: skip
        return Confirmed(slug, "withdrawn", count)

    def bounce(self, slug: str, email_key: str) -> str | None:
        """A confirmation mail bounced: a pending signature stops waiting; returns its state
        before (None when there was none)."""
        before = self.store.bounce(slug, email_key).before
        if before == PENDING:
            self._wrote()
        return before

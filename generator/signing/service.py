"""The signing service: take a checked signer, keep one signature per mailbox, record
milestones.

Transport-free: the Chalice app parses HTTP into a mapping of fields and maps the errors
raised here to statuses. Signers' names and emails never reach a log or an error message.
Each signature and each milestone won is logged at INFO with `extra` fields (`event`,
`slug`, `count`, `added`) for a host to show; `serve` prints them (generator/local/terminal.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from generator import milestones
from generator.errors import PetitionSiteError, StoreError
from generator.model import Content, Milestone, Petition, Site, Tally
from generator.signing import confirmation
from generator.signing.letters import Letter
from generator.signing.mail import Mailer, MailError, NoMailer
from generator.signing.settings import Settings
from generator.signing.signer import Signer, is_bot, mailbox_key, rate_key, validate_signer
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

MilestoneHook = Callable[[Petition, tuple[Milestone, ...]], None]


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
    or would have been: the answer is CHECK_EMAIL whatever happened)."""

    count: int
    goal: int
    milestone: int | None
    added: bool
    confirming: bool = False

    def as_json(self) -> dict[str, Any]:
        """The response body: the same for a new signature, a duplicate and a bot."""
        if self.confirming:
            return dict(CHECK_EMAIL)
        return {"count": self.count, "goal": self.goal, "milestone": self.milestone}


@dataclass(frozen=True)
class Confirmed:
    """What a confirmation link did: `outcome` is confirmed (now or before) or withdrawn."""

    slug: str
    outcome: str  # "confirmed" or "withdrawn"
    count: int
    milestone: int | None = None


class LinkNotValid(PetitionSiteError):
    """A confirmation link that is malformed, forged, or names no signature any more."""


def effective_status(petition: Petition, site: Site, now: datetime) -> str:
    """The petition's status at `now`: an open petition past its closing date is closed."""
    if petition.status != "open" or petition.closes is None:
        return petition.status
    return "closed" if now.astimezone(ZoneInfo(site.time_zone)).date() > petition.closes else "open"


def _iso(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat("T", "seconds")


class SigningService:
    """Signs petitions from one content folder into one store."""

    def __init__(
        self,
        content: Content,
        store: Store,
        settings: Settings,
        clock: Callable[[], datetime] | None = None,
        on_milestone: Iterable[MilestoneHook] = (),
        mailer: Mailer | None = None,
    ):
        self.content, self.store, self.settings = content, store, settings
        self._clock = clock or (lambda: datetime.now(UTC))
        self.on_milestone: list[MilestoneHook] = list(on_milestone)
        self.mailer: Mailer = mailer or NoMailer()

    def confirming(self) -> bool:
        """Whether a signature counts only once its email is confirmed."""
        return self.settings.confirmation(self.content.site.confirmation) == "required"

    def petition(self, slug: str) -> Petition:
        """The petition with this slug, or UnknownPetition."""
        petition = self.content.petition(slug)
        if petition is None:
            raise UnknownPetition(slug)
        return petition

    def _goal(self, petition: Petition, count: int) -> int:
        return milestones.next_goal(count, petition.milestones, petition.goal)

    def status(self, slug: str) -> dict[str, Any]:
        """The petition's public count, goal, status and milestones (oldest first)."""
        petition = self.petition(slug)
        site = self.content.site
        tally = milestones.combine(petition.imported, self.store.tally(slug))
        zone = ZoneInfo(site.time_zone)
        return {
            "slug": slug,
            "count": tally.count,
            "pending": tally.pending,
            "goal": self._goal(petition, tally.count),
            "status": effective_status(petition, site, self._clock()),
            "milestones": [
                {"count": m.count, "reached_at": _iso(m.reached_at, zone)} for m in tally.milestones
            ],
        }

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
        if is_bot(data):
            count = petition.imported.count + self.store.tally(slug).count
            log.info(
                "signature ignored slug=%s reason=honeypot", slug,
                extra={"event": "ignored", "slug": slug, "count": count},
            )  # fmt: skip
            return SignResult(count, self._goal(petition, count), None, False, self.confirming())
        signer = validate_signer(data, site, form=form)
        secret = self.settings.secret()
        limit = self.settings.rate_limit(site.rate_limit)
        key = mailbox_key(secret, signer.mailbox)
        rate = RateLimit(rate_key(secret, address), limit) if limit > 0 else None
        signed_at = now.astimezone(UTC)
        if self.confirming():
            return self._sign_pending(petition, signer, key, signed_at, rate, secret, started)
        signature = Signature(slug, key, signed_at=signed_at, **signer.stored_fields())
        outcome = self.store.sign(signature, rate)
        count = petition.imported.count + outcome.tally.count
        # Also for a duplicate: a retry then records a milestone a store error made us miss.
        reached = self._record_milestones(petition, count, outcome.tally, signature.signed_at)
        milestone = reached[-1].count if reached else None
        log.info(
            "signature accepted slug=%s added=%s count=%d milestone=%s ms=%.1f",
            slug, outcome.added, count, milestone, (time.perf_counter() - started) * 1000,
            extra={"event": "signed", "slug": slug, "added": outcome.added, "count": count},
        )  # fmt: skip
        self._announce(petition, reached)
        return SignResult(count, self._goal(petition, count), milestone, outcome.added)

    def _sign_pending(
        self,
        petition: Petition,
        signer: Signer,
        key: str,
        signed_at: datetime,
        rate: RateLimit | None,
        secret: bytes,
        started: float,
    ) -> SignResult:
        """Store a pending signature and mail its link (or, for a signer who signed before,
        the same link again, or an "already signed" note, within the limits)."""
        slug, site = petition.slug, self.content.site
        signature = Signature(
            slug,
            key,
            signed_at=signed_at,
            **signer.stored_fields(),
            id=confirmation.new_id(),
            state=PENDING,
            confirmed_at=None,
            expires_at=confirmation.expiry(signed_at, petition.closes, site.time_zone),
            mails=1,
            mailed_at=signed_at,
        )
        outcome = self.store.sign(signature, rate)
        if outcome.added:
            self._send("confirm", signer.email, signature, secret)
        elif outcome.existing is not None:
            self._mail_again(signer.email, outcome.existing, signed_at, secret)
        count = petition.imported.count + outcome.tally.count
        log.info(
            "signature pending slug=%s added=%s count=%d pending=%d ms=%.1f",
            slug, outcome.added, count, outcome.tally.pending,
            (time.perf_counter() - started) * 1000,
            extra={"event": "pending", "slug": slug, "added": outcome.added, "count": count},
        )  # fmt: skip
        return SignResult(count, self._goal(petition, count), None, outcome.added, True)

    def _mail_again(self, address: str, stored: Signature, now: datetime, secret: bytes) -> None:
        """After a duplicate: the link again to a pending signer (at most 5 mails, 10 minutes
        apart), a note to a confirmed one (at most daily), nothing to a rejected one."""
        if stored.state == PENDING and confirmation.may_resend(stored.mails, stored.mailed_at, now):
            kind = "confirm"
        elif stored.state == CONFIRMED and confirmation.may_tell_again(stored.mailed_at, now):
            kind = "already-signed"
        else:
            return
        if self.store.note_mail(stored.slug, stored.email_key, stored.mailed_at, now):
            self._send(kind, address, stored, secret)

    def _send(self, kind: str, address: str, signature: Signature, secret: bytes) -> None:
        """Hand one letter to the mailer; a failure is logged (the signature stands, and
        signing again sends the link again)."""
        links = {"key": signature.email_key}
        if kind == "confirm":
            links["confirm"] = self.confirm_link(signature.slug, signature.email_key, signature.id)
        letter = Letter(kind, address, signature.slug, links)
        try:
            self.mailer.send(letter)
        except MailError as exc:
            log.warning("mail not sent slug=%s kind=%s: %s", signature.slug, kind, exc)
            return
        log.info(
            "mail sent slug=%s kind=%s", signature.slug, kind,
            extra={"event": "mail", "slug": signature.slug, "kind": kind},
        )  # fmt: skip

    def confirm_link(self, slug: str, email_key: str, sid: str) -> str:
        """The absolute address of a signature's confirmation page."""
        site = self.content.site
        api = site.api_url.rstrip("/")
        origin = (
            ""
            if api.startswith(("http://", "https://"))
            else self.settings.public_url(site.base_url)
        )
        ref = confirmation.ref(self.settings.secret(), email_key, sid)
        return f"{origin}{api}/petitions/{slug}/confirm/{ref}"

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
        """Confirm the signature a link names: it counts from now, once however often this
        is called; milestones it reaches are recorded at this time."""
        petition = self.check_link(slug, ref)
        now = self._clock()
        status = effective_status(petition, self.content.site, now)
        if status != "open":
            raise PetitionClosed(slug, status)
        named = confirmation.check(self.settings.secret(), ref)
        change = self.store.confirm(slug, named.email_key, named.sid, now.astimezone(UTC))
        if change.before is None:
            raise LinkNotValid(f"confirmation link for {slug!r}: no such signature")
        if change.before in (REJECTED, BOUNCED):
            return Confirmed(slug, "withdrawn", petition.imported.count + change.tally.count)
        count = petition.imported.count + change.tally.count
        reached: tuple[Milestone, ...] = ()
        if change.before == PENDING:
            reached = self._record_milestones(petition, count, change.tally, now.astimezone(UTC))
            log.info(
                "signature confirmed slug=%s count=%d", slug, count,
                extra={"event": "confirmed", "slug": slug, "count": count},
            )  # fmt: skip
            self._announce(petition, reached)
        return Confirmed(slug, "confirmed", count, reached[-1].count if reached else None)

    def reject(self, slug: str, ref: str) -> Confirmed:
        """ "This wasn't me": the signature stops counting and its address gets no more mail
        about this petition."""
        self.check_link(slug, ref)
        petition = self.petition(slug)
        named = confirmation.check(self.settings.secret(), ref)
        change = self.store.reject(slug, named.email_key, named.sid, self._clock().astimezone(UTC))
        if change.before is None:
            raise LinkNotValid(f"confirmation link for {slug!r}: no such signature")
        count = petition.imported.count + change.tally.count
        log.info(
            "signature withdrawn slug=%s count=%d", slug, count,
            extra={"event": "withdrawn", "slug": slug, "count": count},
        )  # fmt: skip
        return Confirmed(slug, "withdrawn", count)

    def bounce(self, slug: str, email_key: str) -> str | None:
        """A confirmation mail bounced: a pending signature stops waiting; returns its state
        before (None when there was none)."""
        return self.store.bounce(slug, email_key).before

    def _announce(self, petition: Petition, reached: tuple[Milestone, ...]) -> None:
        for m in reached:
            log.info(
                "milestone reached slug=%s count=%d", petition.slug, m.count,
                extra={"event": "milestone", "slug": petition.slug, "count": m.count},
            )  # fmt: skip
        if reached:
            self._notify(petition, reached)

    def _record_milestones(
        self, petition: Petition, count: int, stored: Tally, at: datetime
    ) -> tuple[Milestone, ...]:
        """Record the milestones `count` reached that nobody recorded yet; return those we won."""
        slug = petition.slug
        known = [m.count for m in (*stored.milestones, *petition.imported.milestones)]
        due = milestones.due(count, petition.milestones, petition.imported.count, known)
        won: list[Milestone] = []
        for goal in due:
            try:
                if self.store.record_milestone(slug, goal, at):
                    won.append(Milestone(goal, at))
            except StoreError as error:  # the signature is in; the next request records it
                log.warning("milestone not recorded slug=%s count=%d: %s", slug, goal, error)
        return tuple(won)

    def _notify(self, petition: Petition, reached: tuple[Milestone, ...]) -> None:
        for hook in list(self.on_milestone):
            try:
                hook(petition, reached)
            except Exception:  # a hook must never fail a signature; log and go on
                log.exception("milestone hook failed slug=%s hook=%r", petition.slug, hook)

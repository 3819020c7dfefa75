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
from generator.signing.settings import Settings
from generator.signing.signer import is_bot, mailbox_key, rate_key, validate_signer
from generator.store.base import RateLimit, Signature, Store

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


@dataclass(frozen=True)
class SignResult:
    """What a signature request did, as the client sees it."""

    count: int
    goal: int
    milestone: int | None
    added: bool

    def as_json(self) -> dict[str, Any]:
        """The response body: the same shape for a new signature, a duplicate and a bot."""
        return {"count": self.count, "goal": self.goal, "milestone": self.milestone}


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
    ):
        self.content, self.store, self.settings = content, store, settings
        self._clock = clock or (lambda: datetime.now(UTC))
        self.on_milestone: list[MilestoneHook] = list(on_milestone)

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
            return SignResult(count, self._goal(petition, count), None, added=False)
        signer = validate_signer(data, site, form=form)
        secret = self.settings.secret()
        limit = self.settings.rate_limit(site.rate_limit)
        key = mailbox_key(secret, signer.mailbox)
        signature = Signature(slug, key, signed_at=now.astimezone(UTC), **signer.stored_fields())
        rate = RateLimit(rate_key(secret, address), limit) if limit > 0 else None
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
        for m in reached:
            log.info(
                "milestone reached slug=%s count=%d", slug, m.count,
                extra={"event": "milestone", "slug": slug, "count": m.count},
            )  # fmt: skip
        if reached:
            self._notify(petition, reached)
        return SignResult(count, self._goal(petition, count), milestone, outcome.added)

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

"""The signing service: check a signer, keep one signature per person, record milestones.

Transport-free: the Chalice app parses HTTP into a mapping of fields and maps the errors
raised here to statuses. Signers' names and emails never reach a log or an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from generator import milestones
from generator.errors import PetitionSiteError, StoreError
from generator.model import Content, Milestone, Petition, Site, Tally
from generator.signing.settings import Settings
from generator.store.base import RateLimit, Signature, Store

log = logging.getLogger(__name__)

HONEYPOT = "website"
ALWAYS_ASKED = ("name", "email")
LIMITS = {"name": 100, "email": 254, "postcode": 20, "country": 100, "comment": 1000}
FORMULA_STARTS = ("=", "+", "-", "@")  # a spreadsheet would run these as formulas
FORM_TRUE = frozenset({"on", "yes", "true", "1"})  # what a ticked checkbox may send
FORM_FALSE = frozenset({"", "off", "no", "false", "0"})
_EMAIL = re.compile(
    r"(?!\.)(?!.*\.\.)[\w.!#$%&'*+/=?^`{|}~-]{1,64}(?<!\.)"  # local part, no leading/double dot
    r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?!\d+$)[^\W_][\w-]{0,61}[^\W_]"  # domain labels, TLD
)
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")
_POSTCODE = re.compile(r"[^\W_](?:[^\W_]| |-)*")
_MULTILINE_OK = frozenset("\n\r\t")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BAD_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})
MilestoneHook = Callable[[Petition, tuple[Milestone, ...]], None]


class InvalidField(PetitionSiteError):
    """A signer field is missing, unknown or malformed; `code` says which of those."""

    def __init__(self, field: str, code: str, message: str):
        self.field, self.code, self.message = field, code, message
        super().__init__(f"{field}: {message}")


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


@dataclass(frozen=True, repr=False)  # no repr: a signer's name and email never reach a log
class Signer:
    """A signer's fields after validation: trimmed, bounded and safe to export."""

    name: str
    email: str
    postcode: str = ""
    country: str = ""
    consent: bool = False
    comment: str = ""


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
    for key in sorted(k for k in data if k not in asked and k != HONEYPOT):
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
        if field == "email" and not _EMAIL.fullmatch(text):
            raise InvalidField(field, "invalid_field", "must be an email address")
        if field == "postcode" and not _POSTCODE.fullmatch(text):
            raise InvalidField(field, "invalid_field", "must be letters, digits and spaces")
        values[field] = text
    return Signer(**values)


def _hmac(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


def email_key(secret: bytes, email: str) -> str:
    """The keyed hash that stands for an email (trimmed, lower-cased) in the duplicate check."""
    return _hmac(secret, email.strip().lower())


def rate_key(secret: bytes, address: str) -> str:
    """The keyed hash that stands for a client address in the rate limit."""
    return _hmac(secret, "rate:" + address)


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
            log.info("signature ignored slug=%s reason=honeypot", slug)
            return SignResult(count, self._goal(petition, count), None, added=False)
        signer = validate_signer(data, site, form=form)
        secret = self.settings.secret()
        limit = self.settings.rate_limit(site.rate_limit)
        key = email_key(secret, signer.email)
        signature = Signature(slug, key, signed_at=now.astimezone(UTC), **asdict(signer))
        rate = RateLimit(rate_key(secret, address), limit) if limit > 0 else None
        outcome = self.store.sign(signature, rate)
        count = petition.imported.count + outcome.tally.count
        # Also for a duplicate: a retry then records a milestone a store error made us miss.
        reached = self._record_milestones(petition, count, outcome.tally, signature.signed_at)
        milestone = reached[-1].count if reached else None
        log.info(
            "signature accepted slug=%s added=%s count=%d milestone=%s ms=%.1f",
            slug, outcome.added, count, milestone, (time.perf_counter() - started) * 1000,
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

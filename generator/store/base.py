"""The store interface every implementation honours (checked by tests/store's contract suite)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from generator.model import Tally

PENDING, CONFIRMED, REJECTED, BOUNCED = "pending", "confirmed", "rejected", "bounced"
STATES = (PENDING, CONFIRMED, REJECTED, BOUNCED)
COUNTED = frozenset({CONFIRMED})  # what the count, milestones and exports count


@dataclass(frozen=True)
class Signature:
    """One signature as stored. `email_key` is a keyed hash of the canonical mailbox; `id` a
    random id whose HMAC is the confirmation token (the token itself is never stored)."""

    slug: str
    email_key: str
    name: str
    email: str
    signed_at: datetime  # aware, UTC
    postcode: str = ""
    country: str = ""
    consent: bool = False
    comment: str = ""
    id: str = ""
    state: str = CONFIRMED  # one of STATES
    confirmed_at: datetime | None = (
        None  # when it came to count (signed_at when confirmation is off)
    )
    expires_at: datetime | None = None  # a pending signature is purged after this
    mails: int = 0  # confirmation mails sent for it
    mailed_at: datetime | None = None  # the last one

    def __post_init__(self) -> None:
        if self.state == CONFIRMED and self.confirmed_at is None:  # counted from the start
            object.__setattr__(self, "confirmed_at", self.signed_at)

    def __repr__(self) -> str:  # never let a signer's name or email reach a log
        return (
            f"Signature(slug={self.slug!r}, state={self.state!r},"
            f" signed_at={self.signed_at.isoformat()})"
        )


@dataclass(frozen=True)
class Change:
    """A signature moving between states: `before` was its state (None: it did not exist or
    its id did not match, so nothing changed), `tally` the stored tally after."""

    before: str | None
    tally: Tally


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` signatures per minute for the client whose address hashes to `key`."""

    key: str
    limit: int


@dataclass(frozen=True)
class Rekeyed:
    """What a rekey did to one petition: signatures given a new key, and duplicates merged."""

    changed: int
    merged: int


@dataclass(frozen=True)
class SignOutcome:
    """What a sign call did: `added` is False for a duplicate, whose stored signature is then
    `existing` (its state and mail history decide whether to mail again); `tally` is the
    stored tally after."""

    added: bool
    tally: Tally
    existing: Signature | None = None


class Store(Protocol):
    """Where signatures, counts and recorded milestones live."""

    def init(self) -> None:
        """Create the schema or table if missing; safe to call again."""

    def sign(self, signature: Signature, rate: RateLimit | None = None) -> SignOutcome:
        """Add a signature and its count change together, unless the email_key already signed.

        Raises RateLimited when the client is over its limit (nothing is stored), and
        StoreError when the store cannot be reached or gives up (nothing is counted).
        """

    def note_mail(self, slug: str, email_key: str, last: datetime | None, at: datetime) -> bool:
        """Count one more mail for this signature, sent `at`, if its last mail is still
        `last` (so two requests racing send one mail); True when this caller may send it."""

    def confirm(self, slug: str, email_key: str, sid: str, at: datetime) -> Change:
        """Make the pending signature with this id confirmed at `at` (it then counts); a
        signature confirmed already, or another id, changes nothing (see Change.before)."""

    def reject(self, slug: str, email_key: str, sid: str, at: datetime) -> Change:
        """Mark the signature with this id rejected ("this wasn't me"): uncounted if it was
        confirmed, and no more mail about this petition goes to the address."""

    def bounce(self, slug: str, email_key: str) -> Change:
        """Mark a pending signature bounced (its mail could not be delivered)."""

    def purge_expired(self, now: datetime) -> int:
        """Delete the pending signatures whose `expires_at` has passed; returns how many."""

    def record_milestone(self, slug: str, count: int, reached_at: datetime) -> bool:
        """Record that `slug` reached `count` at `reached_at`; True only for the first caller."""

    def tally(self, slug: str) -> Tally:
        """The stored count and recorded milestones of one petition (imported ones excluded)."""

    def tallies(self) -> dict[str, Tally]:
        """Stored tallies of every petition that has any."""

    def signatures(self, slug: str, states: Iterable[str] | None = None) -> Iterator[Signature]:
        """The stored signatures of one petition in these states (None: all), oldest first."""

    def forget(self, email_key: str, slugs: Iterable[str]) -> list[str]:
        """Delete this signer's signature on each of `slugs`, lowering each count with it.

        Each deletion and its count change commit together. Recorded milestones never
        move. Returns the slugs a signature was removed from, in the order given.
        """

    def recount(self, slug: str) -> int:
        """How many signatures of one petition are stored (counted one by one, not the counter)."""

    def repair(self, slug: str) -> tuple[int, int]:
        """Make the petition's counter equal its recount; returns (counter before, after).

        Safe while people sign: a signature that lands meanwhile is neither lost nor
        counted twice. Recorded milestones never move.
        """

    def rekey(self, slug: str, key_of: Callable[[str], str]) -> Rekeyed:
        """Give each of the petition's signatures the key `key_of(its email)`; where several
        now share a key, keep the oldest, delete the others and lower the count by as many.

        Safe to run again (a second run changes nothing). Recorded milestones never move.
        """

    def anonymise(self, slug: str) -> int:
        """Remove the names, addresses, postcodes and comments of the petition's signatures,
        keeping their keys, times and countries, the count and the milestones; returns how
        many signatures still held any of them."""

    def latest_signature(self, slug: str) -> datetime | None:
        """When the petition's newest stored signature was made, or None without any."""

    def close(self) -> None:
        """Release connections."""

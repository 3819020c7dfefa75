"""The store interface every implementation honours (checked by tests/store's contract suite)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from generator.model import Tally


@dataclass(frozen=True)
class Signature:
    """One signature as stored. `email_key` is a keyed hash of the normalised email."""

    slug: str
    email_key: str
    name: str
    email: str
    signed_at: datetime  # aware, UTC
    postcode: str = ""
    country: str = ""
    consent: bool = False
    comment: str = ""

    def __repr__(self) -> str:  # never let a signer's name or email reach a log
        return f"Signature(slug={self.slug!r}, signed_at={self.signed_at.isoformat()})"


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
    """What a sign call did: `added` is False for a duplicate; `tally` is the stored tally after."""

    added: bool
    tally: Tally


class Store(Protocol):
    """Where signatures, counts and recorded milestones live."""

    def init(self) -> None:
        """Create the schema or table if missing; safe to call again."""

    def sign(self, signature: Signature, rate: RateLimit | None = None) -> SignOutcome:
        """Add a signature and its count change together, unless the email_key already signed.

        Raises RateLimited when the client is over its limit (nothing is stored), and
        StoreError when the store cannot be reached or gives up (nothing is counted).
        """

    def record_milestone(self, slug: str, count: int, reached_at: datetime) -> bool:
        """Record that `slug` reached `count` at `reached_at`; True only for the first caller."""

    def tally(self, slug: str) -> Tally:
        """The stored count and recorded milestones of one petition (imported ones excluded)."""

    def tallies(self) -> dict[str, Tally]:
        """Stored tallies of every petition that has any."""

    def signatures(self, slug: str) -> Iterator[Signature]:
        """Every stored signature of one petition, oldest first (for export)."""

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

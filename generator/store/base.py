"""The store interface every implementation honours (checked by tests/store's contract suite)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from generator.errors import StoreError
from generator.model import Milestone, Tally

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
    country: str = ""  # ISO 3166-1 alpha-2 (signing normalises what was typed), or ""
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
    region: str = ""  # ISO 3166-2, from country and postcode when signed (kept by anonymise)
    version: str = ""  # the text version signed (generator.content.versions); "" from before

    def __post_init__(self) -> None:
        if self.state == CONFIRMED and self.confirmed_at is None:  # counted from the start
            object.__setattr__(self, "confirmed_at", self.signed_at)

    def __repr__(self) -> str:  # never let a signer's name or email reach a log
        return (
            f"Signature(slug={self.slug!r}, state={self.state!r},"
            f" signed_at={self.signed_at.isoformat()})"
        )


class CountsMoved(StoreError):
    """A petition's counts moved since they were read (another batch was applied): nothing
    of this batch was applied."""


@dataclass(frozen=True)
class Transition:
    """What confirming, rejecting or bouncing a signature found: `before` was its state
    (None: no signature with that key and id, so nothing changed)."""

    before: str | None


@dataclass(frozen=True)
class Change:
    """A signature of `slug` going from `before` to `after` (None: it did not exist, or no
    longer does) at `at` (its signing or confirming time), as the change feed reports it,
    with the signature's `country` and `region` (for the totals by place), the text
    `version` it signed (for the totals by version) and its random `signature` id (whose
    keyed hash is its leaf in the petition's public log)."""

    slug: str
    before: str | None
    after: str | None
    at: datetime
    country: str = ""
    region: str = ""
    version: str = ""
    signature: str = ""

    @property
    def counted(self) -> int:
        """What it adds to the petition's count: +1 confirmed, -1 no longer, else 0."""
        return int(self.after == CONFIRMED) - int(self.before == CONFIRMED)

    @property
    def pending(self) -> int:
        """What it adds to the petition's pending count."""
        return int(self.after == PENDING) - int(self.before == PENDING)


@dataclass(frozen=True)
class CountUpdate:
    """One petition's counts moving by (`counted`, `pending`) from `before` (the stored tally
    the update was worked out from), reaching `reached` (milestones, oldest first)."""

    slug: str
    before: Tally
    counted: int
    pending: int
    reached: tuple[Milestone, ...] = ()
    countries: Mapping[str, int] = field(default_factory=dict)  # count moves by country
    regions: Mapping[str, int] = field(default_factory=dict)  # and by region
    versions: Mapping[str, int] = field(default_factory=dict)  # and by text version signed
    seen: Mapping[str, datetime] = field(default_factory=dict)  # each version's first count
    leaves: tuple[bytes, ...] = ()  # the public log's new leaves (generator.log.leaves)

    @property
    def after(self) -> Tally:
        """The stored tally once the update is applied."""
        seen = dict(self.before.version_seen)
        for version, at in self.seen.items():
            seen[version] = min(at, seen.get(version, at))
        return Tally(
            count=self.before.count + self.counted,
            milestones=self.before.milestones + self.reached,
            pending=self.before.pending + self.pending,
            by_country=moved(self.before.by_country, self.countries),
            by_region=moved(self.before.by_region, self.regions),
            by_version=moved(self.before.by_version, self.versions),
            version_seen=dict(sorted(seen.items())),
            log_size=self.before.log_size + len(self.leaves),
            log_base=self.log_base,
            log_net=self.before.log_net + (self.counted if self.leaves else 0),
        )

    @property
    def starts_log(self) -> bool:
        """Whether this update appends the petition's first leaves (its log's base is set)."""
        return bool(self.leaves) and self.before.log_size == 0

    @property
    def log_base(self) -> int:
        """The log's base once applied: the count so far when the log starts with this
        update (signatures counted before it), else as it was."""
        return self.before.count if self.starts_log else self.before.log_base


def moved(totals: Mapping[str, int], deltas: Mapping[str, int]) -> dict[str, int]:
    """Totals by place after `deltas` (places that come to nothing are left out)."""
    after = dict(totals)
    for code, delta in deltas.items():
        after[code] = after.get(code, 0) + delta
    return {code: n for code, n in sorted(after.items()) if n}


@dataclass(frozen=True)
class Feed:
    """A batch of the change feed: its id (the same batch read again has the same id) and
    its changes, in the order they happened."""

    batch: str
    changes: tuple[Change, ...]


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
    `existing` (its state and mail history decide whether to mail again)."""

    added: bool
    existing: Signature | None = None


@dataclass(frozen=True)
class Mailing:
    """Where mailing one update of a petition to its supporters stands: `started` when the
    first run began (signers counted after it are not sent this update), `finished` when a
    run had handed it to every one of them (None: not yet)."""

    slug: str
    update: str  # the update's name
    started: datetime
    finished: datetime | None = None


@dataclass(frozen=True)
class Recipient:
    """A counted signature whose signer consented to hear more, with its notice of one
    update: None (never claimed), else what `mark_notice` last wrote (opaque to the store)."""

    signature: Signature
    notice: str | None = None


class Store(Protocol):
    """Where signatures, counts and recorded milestones live."""

    def init(self) -> None:
        """Create the schema or table if missing; safe to call again."""

    def sign(self, signature: Signature, rate: RateLimit | None = None) -> SignOutcome:
        """Add a signature unless its email_key already signed: one conditional write, no read
        (the change feed brings it to the count).

        Raises RateLimited when the client is over its limit (nothing is stored), and
        StoreError when the store cannot be reached or gives up (nothing is stored).
        """

    def note_mail(self, slug: str, email_key: str, last: datetime | None, at: datetime) -> bool:
        """Count one more mail for this signature, sent `at`, if its last mail is still
        `last` (so two requests racing send one mail); True when this caller may send it."""

    def confirm(self, slug: str, email_key: str, sid: str, at: datetime) -> Transition:
        """Make the pending signature with this id confirmed at `at` (it then counts); a
        signature confirmed already, or another id, changes nothing (see its `before`)."""

    def reject(self, slug: str, email_key: str, sid: str, at: datetime) -> Transition:
        """Mark the signature with this id rejected ("this wasn't me"): uncounted if it was
        confirmed, and no more mail about this petition goes to the address."""

    def bounce(self, slug: str, email_key: str) -> Transition:
        """Mark a pending signature bounced (its mail could not be delivered)."""

    def purge_expired(self, now: datetime) -> int:
        """Delete the pending signatures whose `expires_at` has passed; returns how many."""

    def apply_counts(self, batch: str, updates: Sequence[CountUpdate]) -> bool:
        """Apply one batch of the change feed's updates, all together and once (counts,
        milestones and the log's leaves): False when this batch was applied before. Raises
        CountsMoved (nothing applied) when a petition's stored tally (count, pending, log
        size) is no longer each update's `before`: read the counts again and retry."""

    def log_entries(self, slug: str, start: int, end: int) -> list[bytes]:
        """The leaves `start` to `end` (excluded) of the petition's public log, as appended
        with its counts; fewer when the log is shorter."""

    def claim(self, slug: str, what: str, now: datetime, every: timedelta) -> bool:
        """True for the first caller in each `every` (from any process) to claim `what` for a
        petition: e.g. writing its count file at most once a second."""

    def stale(self, slugs: Iterable[str], what: str) -> list[str]:
        """Those of `slugs` whose counts moved since `what` was last claimed for them (or
        never claimed), read by key: e.g. the petitions whose count file is out of date."""

    def tally(self, slug: str) -> Tally:
        """The stored count, pending count and recorded milestones of one petition (imported
        ones excluded): one read of one item."""

    def counts(self, slugs: Iterable[str]) -> dict[str, Tally]:
        """The stored tallies of these petitions, read by key (every slug asked is in the
        answer; one with nothing stored has an empty tally). For builds and write-backs."""

    def tallies(self) -> dict[str, Tally]:
        """Stored tallies of every petition that has any: a whole-store read, for the daily
        audit (reconcile) only."""

    def signatures(self, slug: str, states: Iterable[str] | None = None) -> Iterator[Signature]:
        """The stored signatures of one petition in these states (None: all), oldest first."""

    def forget(self, email_key: str, slugs: Iterable[str]) -> list[str]:
        """Delete this signer's signature on each of `slugs` (the change feed lowers each
        count). Recorded milestones never move. Returns the slugs a signature was removed
        from, in the order given.
        """

    def recount(self, slug: str) -> int:
        """How many counted signatures of one petition are stored (one by one, not the
        counter)."""

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

    def withdraw_consent(self, slug: str, email_key: str, sid: str) -> bool:
        """Turn off the consent to hear more of the signature with this key and id (an
        unsubscribe; safe to repeat): True when that signature exists."""

    def recipients(self, slug: str, update: str) -> Iterator[Recipient]:
        """The petition's counted signatures whose signers consent to hear more, oldest
        first, each with its notice of `update`; read by the petition's own keys (SQLite's
        index, DynamoDB's export index partitions), never a scan of the store."""

    def mark_notice(
        self, slug: str, update: str, email_key: str, was: str | None, now: str | None
    ) -> bool:
        """Move one signer's notice of `update` from `was` to `now` (None: no notice) if it
        is still `was`, in one conditional write: True when this caller moved it. A notice
        is created (`was` None) only while the signature counts and its signer consents."""

    def mailings(self, slug: str, updates: Iterable[str]) -> dict[str, Mailing]:
        """The started mailings of these updates of a petition, by update name (read by key)."""

    def start_mailing(self, slug: str, update: str, at: datetime) -> Mailing:
        """The update's mailing, started at `at` unless it had started (then as stored)."""

    def finish_mailing(self, slug: str, update: str, at: datetime) -> None:
        """Record that the update's mailing reached everyone it was due to, at `at`."""

    def close(self) -> None:
        """Release connections."""

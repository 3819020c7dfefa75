"""The content model: a site and its petitions, as loaded and validated from content/."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

STATUSES = ("open", "closed", "won")
CONFIRMATION = ("required", "off")  # whether a signature counts only once its email confirms it
SIGNABLE_STATUSES = frozenset({"open"})
OPTIONAL_SIGNER_FIELDS = ("postcode", "country", "consent", "comment")


@dataclass(frozen=True)
class Milestone:
    """A milestone reached: `count` signatures at `reached_at` (aware datetime)."""

    count: int
    reached_at: datetime
    # The size of the petition's public log once the signature that reached it was appended
    # (None: reached before the log, or imported): a milestone anyone can check in the log.
    size: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Tally:
    """A petition's count and the milestones reached so far, oldest first."""

    count: int = 0  # confirmed signatures (all of them when confirmation is off)
    milestones: tuple[Milestone, ...] = ()
    pending: int = 0  # signatures waiting for their email to be confirmed
    updated: datetime | None = field(default=None, compare=False)  # when the store last moved it
    # Confirmed signatures by country (ISO 3166-1 alpha-2) and by region (ISO 3166-2), exact
    # as stored: a breakdown of `count` (outputs hide small groups: generator.regions.publish),
    # so not part of a tally's equality.
    by_country: Mapping[str, int] = field(default_factory=dict, compare=False)
    by_region: Mapping[str, int] = field(default_factory=dict, compare=False)
    # Confirmed signatures by the text version signed (generator.content.versions), and when
    # each version's first one counted: what "N people signed an earlier version" comes from.
    by_version: Mapping[str, int] = field(default_factory=dict, compare=False)
    version_seen: Mapping[str, datetime] = field(default_factory=dict, compare=False)
    # Leaves in the petition's public log (generator.log): moves with the count, together.
    log_size: int = field(default=0, compare=False)
    # Signatures in `count` the log does not list: those counted before the log began (its
    # first leaf states them), restated by a base leaf when a reconcile's repair corrects the
    # count. The count is log_base + log_net (the log's additions less its withdrawals).
    log_base: int = field(default=0, compare=False)
    log_net: int = field(default=0, compare=False)  # what the log's leaves add up to


@dataclass(frozen=True)
class Location:
    """The target's place: a name, an address and optional coordinates."""

    name: str
    address: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class CallToAction:
    """A box beside the petition pointing somewhere else (e.g. a donation)."""

    text: str
    url: str
    button: str = "Take action"  # the link's label: what pressing it does, never the URL


@dataclass(frozen=True)
class Picture:
    """A petition's picture: a JPEG, PNG or WebP file under content/, and what it shows."""

    path: str  # the file as messages name it and the build reads it (as Petition.path)
    alt: str  # what it shows, for people who cannot see it
    width: int  # in pixels, upright (a JPEG's EXIF orientation applied)
    height: int
    digest: str  # sha256 of the file's bytes
    credit: str = ""  # who made it and its licence, shown as its caption


UPDATE_KINDS = ("update", "response", "delivery", "victory")


@dataclass(frozen=True)
class Update:
    """One post in a petition's story: content/petitions/<slug>/updates/<YYYY-MM-DD>-<name>.md."""

    name: str  # the file's name without .md: "2025-03-02-minister-replies", part of its URL
    path: str  # the source file as error messages name it
    title: str
    date: datetime
    kind: str  # one of UPDATE_KINDS
    body: str  # Markdown
    sender: str = ""  # `from` in the file: who it is from, e.g. the Minister's office


@dataclass(frozen=True)
class Site:
    """Settings from content/site.yaml."""

    name: str
    base_url: str  # absolute, no trailing slash
    time_zone: str  # IANA name
    language: str
    milestones: tuple[int, ...]
    organisation: str
    privacy_url: str
    api_url: str = "/api"
    signer_fields: tuple[str, ...] = ()  # subset of OPTIONAL_SIGNER_FIELDS, in that order
    rate_limit: int = 10  # signatures per client address per minute; 0 turns it off
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    per_page: int = 20
    description: str = ""
    merge_email_aliases: bool = True  # +tag and Gmail dots do not make another signer
    retention_days: int = 180  # signers' names and addresses are removed this long after close
    confirmation: str = "required"  # one of CONFIRMATION
    mail_from: str = ""  # the address confirmation mail comes from ("": no-reply@ the site)
    data_licence: str = ""  # the licence of /data/ (e.g. CC-BY-4.0; "": none named)
    log_key: str = ""  # the public key that signs the logs' checkpoints ("": none named)


@dataclass(frozen=True)
class Petition:
    """One petition from content/petitions/<slug>.md."""

    slug: str
    path: str  # the source file as error messages name it (relative to the current folder)
    title: str
    target: str
    ask: str  # Markdown
    body: str  # Markdown: "Why is this important?"
    created: datetime
    milestones: tuple[int, ...]  # the ladder: the petition's own or the site's
    status: str = "open"
    closes: date | None = None
    goal: int | None = None
    location: Location | None = None
    call_to_action: CallToAction | None = None
    image: Picture | None = None
    tags: tuple[str, ...] = ()
    imported: Tally = field(default_factory=Tally)
    source_hash: str = ""  # sha256 of the file's bytes (and its picture's, if any)
    updates: tuple[Update, ...] = ()  # a bundle's updates/, oldest first

    @property
    def signable(self) -> bool:
        """Whether the status takes signatures (the closing date is checked at signing)."""
        return self.status in SIGNABLE_STATUSES


@dataclass(frozen=True)
class Content:
    """A loaded content folder."""

    site: Site
    petitions: tuple[Petition, ...]

    def petition(self, slug: str) -> Petition | None:
        """The petition with this slug, or None."""
        for p in self.petitions:
            if p.slug == slug:
                return p
        return None

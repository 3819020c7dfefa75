"""The content model: a site and its petitions, as loaded and validated from content/."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Tally:
    """A petition's count and the milestones reached so far, oldest first."""

    count: int = 0  # confirmed signatures (all of them when confirmation is off)
    milestones: tuple[Milestone, ...] = ()
    pending: int = 0  # signatures waiting for their email to be confirmed
    updated: datetime | None = field(default=None, compare=False)  # when the store last moved it


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
    image: str | None = None
    tags: tuple[str, ...] = ()
    imported: Tally = field(default_factory=Tally)
    source_hash: str = ""  # sha256 of the file's bytes

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

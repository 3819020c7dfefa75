"""Where a build takes each petition's count and milestones from: the content or a store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from generator.milestones import combine
from generator.model import Content, Tally

if TYPE_CHECKING:
    from generator.store.base import Store


class CountSource(Protocol):
    """Gives the public tally of every petition in a content folder."""

    def tallies(self, content: Content) -> dict[str, Tally]:
        """The tally to show for each petition, by slug (every petition has one)."""
        ...


class ContentCounts:
    """Counts as the content says: each petition's `imported` block, nothing more."""

    def tallies(self, content: Content) -> dict[str, Tally]:
        """Each petition's imported tally, by slug."""
        return {p.slug: p.imported for p in content.petitions}


class StoreCounts:
    """Counts baked from a store: imported figures plus the signatures stored since."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def tallies(self, content: Content) -> dict[str, Tally]:
        """Imported plus stored tally of each petition, by slug: the content's petitions'
        count items read by key (never a scan of the store)."""
        stored = self.store.counts(p.slug for p in content.petitions)
        return {p.slug: combine(p.imported, stored.get(p.slug, Tally())) for p in content.petitions}


def tally_digest(tally: Tally) -> str:
    """A stable text form of a tally, for build keys (same tally, same text)."""
    marks = ",".join(f"{m.count}@{m.reached_at.isoformat()}" for m in tally.milestones)
    updated = tally.updated.isoformat() if tally.updated else ""  # the count file shows it
    places = sorted({**tally.by_country, **tally.by_region}.items())  # the page shows them
    versions = sorted(tally.by_version.items())  # "N people signed an earlier version"
    seen = sorted((v, t.isoformat()) for v, t in tally.version_seen.items())  # the history
    return f"{tally.count};{marks};{tally.pending};{updated};{places};{versions};{seen}"

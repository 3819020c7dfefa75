"""What a petition's page says about changes to its text, and its history page's versions.

From the text's versions (generator.content.versions: git's, else the store's) and the
petition's tally (its counted signatures by the version signed). Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from generator.content.versions import TextVersion, earlier_signers, from_store
from generator.model import Petition, Tally
from generator.render.textdiff import Piece, word_diff

FIELDS = (("title", "Title"), ("target", "To"), ("ask", "What we ask"))


def history_path(slug: str) -> str:
    """Where a petition's history page is written."""
    return f"petitions/{slug}/history/index.html"


@dataclass(frozen=True)
class Notice:
    """What the page says: "The text changed on <changed>; <earlier> people signed an
    earlier version"."""

    changed: datetime | None  # None: the change is not dated (not yet committed)
    earlier: int


@dataclass(frozen=True)
class Shown:
    """One version as the history page shows it."""

    number: int  # 1 for the first text
    version: TextVersion
    fields: tuple[tuple[str, Sequence[Piece]], ...]  # (label, its words against the last)
    compared: bool  # whether `fields` are a diff against the version before
    current: bool


def versions_of(
    petition: Petition, tally: Tally, history: Sequence[TextVersion] | None
) -> tuple[TextVersion, ...]:
    """The versions to show: git's `history` when there is one, else what the store saw."""
    return tuple(history) if history else from_store(petition, tally.version_seen)


def notice(versions: Sequence[TextVersion], tally: Tally) -> Notice | None:
    """What the petition's page says when some counted signatures are of an earlier text;
    None when none are."""
    earlier = earlier_signers(versions, tally.by_version)
    if not earlier:
        return None
    now = versions[-1]
    changed = now.date if len(versions) > 1 else None
    return Notice(changed or tally.version_seen.get(now.digest), earlier)


def shown(versions: Sequence[TextVersion]) -> list[Shown]:
    """The versions newest first, each with its words against the one before (when both
    are known). No counts: the page changes only when the text or its history does, so a
    write-back that cannot read git's history leaves the build's page as it is."""
    out: list[Shown] = []
    last = len(versions) - 1
    for n in range(last, -1, -1):
        version = versions[n]
        before = versions[n - 1] if n else None
        compared = before is not None and before.known and version.known
        fields = tuple(
            (label, _pieces(before if compared else None, version, name)) for name, label in FIELDS
        )
        out.append(Shown(n + 1, version, fields, compared, n == last))
    return out


def _pieces(before: TextVersion | None, version: TextVersion, name: str) -> list[Piece]:
    new = getattr(version, name)
    if before is None:
        return [Piece("same", new)] if new else []
    return word_diff(getattr(before, name), new)

"""The counter's arithmetic: a batch of changes and the stored tallies before it give each
petition's update. Pure: no store, no clock.

Within a batch the changes are taken in time order (the feed keeps each signature's own
changes in order; across signatures their times decide). A petition's count moves by one
at each confirmation; when its public count (imported plus stored) first reaches a
milestone of its ladder, the milestone is reached at the time of that change. Counts that go
down never take a milestone back, and a milestone already recorded is not recorded again.
The count's moves are also summed by the signatures' country and region (where known), so
the totals by place move in the same update, under the same once-only guarantee; so do the
totals by the text version signed, with the time each version first counted.

With the log's id key, each change that moves the count is also a leaf of the petition's
public log (an addition or a withdrawal, generator.log.leaves), in the same order, and each
milestone records the log's size once the leaf that reached it was appended. A log that
begins on a count already there opens with a base leaf stating it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from generator import milestones
from generator.log.leaves import Kind, base_leaf, encode, leaf_for
from generator.model import Milestone, Petition, Tally
from generator.store.base import Change, CountUpdate


def aggregate(
    changes: Iterable[Change],
    stored: Mapping[str, Tally],
    petitions: Mapping[str, Petition],
    id_key: bytes | None = None,
) -> list[CountUpdate]:
    """Each petition's update from `changes`, given the `stored` tallies before them (a
    petition missing from `stored` has none yet). A petition not in `petitions` (removed
    from the content) is counted but reaches no milestone. With `id_key`, the update carries
    the log's leaves for its changes. Sorted by slug; petitions whose changes add up to
    nothing are left out."""
    by_slug: dict[str, list[Change]] = {}
    for change in sorted(changes, key=lambda c: c.at):  # stable: the feed's order on ties
        if change.counted or change.pending:
            by_slug.setdefault(change.slug, []).append(change)
    return [
        _update(slug, by_slug[slug], stored.get(slug, Tally()), petitions.get(slug), id_key)
        for slug in sorted(by_slug)
    ]


def _update(
    slug: str, changes: list[Change], before: Tally, petition: Petition | None,
    id_key: bytes | None,
) -> CountUpdate:  # fmt: skip
    count = before.count
    imported = petition.imported if petition is not None else Tally()
    known = {m.count for m in (*before.milestones, *imported.milestones)}
    ladder = petition.milestones if petition is not None else ()
    reached: list[Milestone] = []
    leaves: list[bytes] = []
    if id_key is not None and before.log_size == 0 and before.count and changes:
        # the log begins on a count that was there before it: its first leaf says so
        leaves.append(encode(base_leaf(before.count, changes[0].at)))
    for change in changes:
        count += change.counted
        if change.counted and id_key is not None:
            leaves.append(_leaf(change, id_key))
        if change.counted <= 0:
            continue
        size = before.log_size + len(leaves) if id_key is not None else None
        for goal in milestones.due(imported.count + count, ladder, imported.count, known):
            reached.append(Milestone(goal, change.at, size))
            known.add(goal)
    return CountUpdate(
        slug=slug,
        before=before,
        counted=sum(c.counted for c in changes),
        pending=sum(c.pending for c in changes),
        reached=tuple(reached),
        countries=_by(changes, lambda c: c.country),
        regions=_by(changes, lambda c: c.region),
        versions=_by(changes, lambda c: c.version),
        seen=_first_counted(changes),
        leaves=tuple(leaves),
    )


def _leaf(change: Change, id_key: bytes) -> bytes:
    """The log's leaf for a change that moves the count: an addition or a withdrawal of the
    signature whose random id the change carries."""
    kind = Kind.ADD if change.counted > 0 else Kind.WITHDRAW
    return encode(leaf_for(kind, change.signature, change.at, change.version, id_key))


def _first_counted(changes: list[Change]) -> dict[str, datetime]:
    """When each text version's first signature counted in these changes (time order)."""
    seen: dict[str, datetime] = {}
    for change in changes:
        if change.counted > 0 and change.version:
            seen.setdefault(change.version, change.at)
    return dict(sorted(seen.items()))


def _by(changes: list[Change], place: Callable[[Change], str]) -> dict[str, int]:
    """How the count moves in each place (by code; places where it does not move left out)."""
    moves: dict[str, int] = {}
    for change in changes:
        if change.counted and place(change):
            moves[place(change)] = moves.get(place(change), 0) + change.counted
    return {code: n for code, n in sorted(moves.items()) if n}

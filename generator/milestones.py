"""Milestone arithmetic: goals, crossings and timelines. Pure functions only."""

from __future__ import annotations

from collections.abc import Iterable

from generator.model import Milestone, Tally

_STEPS = (1, 2, 5)


def beyond_ladder(count: int) -> int:
    """The next round number above `count` in the series 1, 2, 5, 10, 20, 50, ..."""
    scale = 1
    while True:
        for step in _STEPS:
            if step * scale > count:
                return step * scale
        scale *= 10


def next_goal(count: int, ladder: Iterable[int], goal: int | None = None) -> int:
    """The goal to show: a set goal until passed, then the next milestone above the count."""
    if goal is not None and goal > count:
        return goal
    above = [m for m in ladder if m > count]
    return min(above) if above else beyond_ladder(count)


def due(count: int, ladder: Iterable[int], imported_count: int, known: Iterable[int]) -> list[int]:
    """Milestones this count has reached that are not yet recorded, smallest first.

    Milestones at or below the imported count belong to the imported history and are
    never recorded by this site, even when the history does not list them.
    """
    seen = set(known)
    return sorted(m for m in set(ladder) if imported_count < m <= count and m not in seen)


def combine(imported: Tally, stored: Tally) -> Tally:
    """The public tally: imported signatures and milestones plus those gathered here."""
    by_count: dict[int, Milestone] = {m.count: m for m in imported.milestones}
    for m in stored.milestones:
        by_count.setdefault(m.count, m)
    return Tally(
        count=imported.count + stored.count,
        milestones=tuple(sorted(by_count.values(), key=lambda m: (m.reached_at, m.count))),
        pending=stored.pending,
        updated=stored.updated,
        by_country=stored.by_country,  # imported signatures come without whereabouts
        by_region=stored.by_region,
        by_version=stored.by_version,  # and without the text version they signed
        version_seen=stored.version_seen,
        log_size=stored.log_size,
        log_base=stored.log_base,
        log_net=stored.log_net,
    )


def timeline(tally: Tally) -> list[Milestone]:
    """Milestones newest first, as the page shows them."""
    return sorted(tally.milestones, key=lambda m: (m.reached_at, m.count), reverse=True)


def progress(count: int, goal: int) -> float:
    """Fraction of the goal reached, between 0 and 1."""
    return 0.0 if goal <= 0 else max(0.0, min(1.0, count / goal))

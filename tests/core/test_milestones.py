"""Milestone arithmetic as a supporter meets it: the goal a page shows, the milestones a
signature reaches, the public tally, the timeline and the progress bar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from generator.milestones import beyond_ladder, combine, due, next_goal, progress, timeline
from generator.model import Milestone, Tally

NZST = timezone(timedelta(hours=12))
LADDER = (10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)


def at(day: int, hour: int = 12, zone: timezone = NZST) -> datetime:
    return datetime(2017, 4, day, hour, tzinfo=zone)


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 1), (1, 2), (4, 5), (5, 10), (9, 10), (10, 20), (99, 100), (100, 200), (150, 200),
     (123_456, 200_000), (500_000, 1_000_000)],
)  # fmt: skip
def test_beyond_the_ladder_the_goal_is_the_next_round_number(count: int, expected: int) -> None:
    assert beyond_ladder(count) == expected


def test_beyond_the_ladder_is_always_above_the_count_and_round() -> None:
    for count in range(0, 20_000, 7):
        goal = beyond_ladder(count)
        digits = str(goal)
        assert goal > count
        assert digits[0] in "125" and set(digits[1:]) <= {"0"}, goal


def test_a_set_goal_shows_until_the_count_reaches_it() -> None:
    assert next_goal(731, LADDER, goal=1000) == 1000
    assert next_goal(999, LADDER, goal=1000) == 1000


def test_a_reached_or_passed_goal_gives_way_to_the_next_milestone() -> None:
    assert next_goal(1000, LADDER, goal=1000) == 2500
    assert next_goal(843, LADDER, goal=500) == 1000


def test_without_a_goal_the_next_milestone_above_the_count_shows() -> None:
    assert next_goal(0, LADDER) == 10
    assert next_goal(10, LADDER) == 25  # a milestone reached is no longer a goal
    assert next_goal(11, iter(LADDER)) == 25  # any iterable, read once


def test_past_the_top_of_the_ladder_the_goal_keeps_rising() -> None:
    assert next_goal(10_000, LADDER) == 20_000
    assert next_goal(31_000, LADDER, goal=5000) == 50_000
    assert next_goal(3, ()) == 5


def test_a_signature_reaching_milestones_makes_them_due_smallest_first() -> None:
    assert due(9, LADDER, 0, ()) == []
    assert due(10, LADDER, 0, ()) == [10]  # reached exactly
    assert due(60, (50, 10, 25), 0, ()) == [10, 25, 50]  # several at once, in order


def test_milestones_already_recorded_are_not_due_again() -> None:
    assert due(60, LADDER, 0, [10, 25]) == [50]
    assert due(60, LADDER, 0, iter([10, 25, 50])) == []


def test_milestones_within_the_imported_count_belong_to_the_imported_history() -> None:
    # 612 signatures were imported, with a history that skips 250: it is never recorded here.
    assert due(613, LADDER, 612, [10, 25, 100, 500]) == []
    assert due(1000, LADDER, 612, [10, 25, 100, 500]) == [1000]


def test_the_public_tally_adds_the_stored_count_and_milestones_to_the_imported() -> None:
    imported = Tally(731, (Milestone(10, at(14, 14)), Milestone(500, at(20, 6, UTC))))
    stored = Tally(300, (Milestone(1000, at(25)),))

    tally = combine(imported, stored)

    assert tally.count == 1031
    assert [m.count for m in tally.milestones] == [10, 500, 1000]


def test_combined_milestones_run_oldest_first_by_the_moment_not_the_written_time() -> None:
    # 18:00 +1200 (06:00 UTC) is before 07:00 UTC, though "18" reads later than "07".
    evening_nz = Milestone(25, datetime(2017, 4, 14, 18, tzinfo=NZST))
    morning_utc = Milestone(50, datetime(2017, 4, 14, 7, tzinfo=UTC))

    tally = combine(Tally(30, (evening_nz,)), Tally(30, (morning_utc,)))

    assert tally.milestones == (evening_nz, morning_utc)


def test_the_imported_history_wins_when_both_record_a_milestone() -> None:
    imported = Tally(20, (Milestone(10, at(14)),))
    stored = Tally(5, (Milestone(10, at(16)),))

    assert combine(imported, stored).milestones == (Milestone(10, at(14)),)


def test_the_timeline_shows_the_newest_milestone_first() -> None:
    tally = Tally(
        731,
        (Milestone(10, at(14, 14)), Milestone(100, at(14, 18)), Milestone(500, at(20, 6, UTC))),
    )

    assert [m.count for m in timeline(tally)] == [500, 100, 10]


def test_milestones_reached_at_the_same_moment_show_the_larger_first() -> None:
    same = at(14)
    tally = Tally(30, (Milestone(10, same), Milestone(25, same)))

    assert [m.count for m in timeline(tally)] == [25, 10]
    assert [m.count for m in combine(tally, Tally()).milestones] == [10, 25]


@pytest.mark.parametrize(
    ("count", "goal", "fraction"),
    [(731, 1000, 0.731), (0, 5000, 0.0), (1000, 1000, 1.0), (1500, 1000, 1.0), (-5, 10, 0.0),
     (10, 0, 0.0), (10, -1, 0.0)],
)  # fmt: skip
def test_progress_is_the_fraction_of_the_goal_between_0_and_1(
    count: int, goal: int, fraction: float
) -> None:
    assert progress(count, goal) == pytest.approx(fraction)

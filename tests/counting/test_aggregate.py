"""The counter's arithmetic: what a batch of changes does to each petition's counts and
milestones, given what is stored. Pure: no store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from generator.counting.aggregate import aggregate
from generator.model import Milestone, Petition, Tally
from generator.store.base import BOUNCED, CONFIRMED, PENDING, REJECTED, Change

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SLUG = "save-the-park"


def petition(
    slug: str = SLUG, ladder: tuple[int, ...] = (3, 5, 10), imported: Tally | None = None
) -> Petition:
    return Petition(
        slug=slug, path=f"content/petitions/{slug}.md", title="Save the park", target="Council",
        ask="Save it", body="", created=T0, milestones=ladder, imported=imported or Tally(),
    )  # fmt: skip


def signed(n: int, slug: str = SLUG, state: str = CONFIRMED) -> Change:
    """The n-th signature arriving (n seconds after T0)."""
    return Change(slug, None, state, T0 + timedelta(seconds=n))


def test_each_confirmed_signature_adds_one_and_pending_ones_wait() -> None:
    changes = [signed(1), signed(2, state=PENDING), signed(3), signed(4, state=PENDING)]

    [update] = aggregate(changes, {}, {SLUG: petition()})

    assert (update.counted, update.pending) == (2, 2)
    assert update.after == Tally(count=2, pending=2)


def test_a_confirmation_moves_a_signature_from_pending_to_the_count() -> None:
    confirmed = Change(SLUG, PENDING, CONFIRMED, T0 + timedelta(minutes=5))

    stored = Tally(count=4, pending=3, milestones=(Milestone(3, T0),))

    [update] = aggregate([confirmed], {SLUG: stored}, {SLUG: petition()})

    assert update.after == Tally(5, (Milestone(3, T0), Milestone(5, confirmed.at)), pending=2)


def test_withdrawn_forgotten_and_bounced_signatures_leave_the_counts() -> None:
    changes = [
        Change(SLUG, CONFIRMED, REJECTED, T0),  # "this wasn't me"
        Change(SLUG, CONFIRMED, None, T0),  # forgotten
        Change(SLUG, PENDING, BOUNCED, T0),
        Change(SLUG, PENDING, None, T0),  # expired and purged
    ]

    [update] = aggregate(changes, {SLUG: Tally(count=7, pending=2)}, {SLUG: petition()})

    assert update.after == Tally(count=5, pending=0)


def test_a_milestone_is_reached_at_the_time_of_the_signature_that_reached_it() -> None:
    changes = [signed(n) for n in range(1, 12)]

    [update] = aggregate(changes, {}, {SLUG: petition()})

    assert update.reached == (
        Milestone(3, T0 + timedelta(seconds=3)),
        Milestone(5, T0 + timedelta(seconds=5)),
        Milestone(10, T0 + timedelta(seconds=10)),
    )


def test_changes_are_taken_in_time_order_whatever_order_the_batch_has() -> None:
    changes = [signed(n) for n in (5, 1, 4, 2, 3)]

    [update] = aggregate(changes, {}, {SLUG: petition()})

    assert update.reached == (
        Milestone(3, T0 + timedelta(seconds=3)),
        Milestone(5, T0 + timedelta(seconds=5)),
    )


def test_milestones_already_recorded_are_not_recorded_again() -> None:
    stored = Tally(count=2, milestones=(Milestone(3, T0),))  # recorded, then one withdrew

    [update] = aggregate([signed(10), signed(11), signed(12)], {SLUG: stored}, {SLUG: petition()})

    assert update.reached == (Milestone(5, T0 + timedelta(seconds=12)),)


def test_a_count_going_down_and_up_again_reaches_nothing_twice() -> None:
    changes = [
        Change(SLUG, CONFIRMED, REJECTED, T0 + timedelta(seconds=1)),  # 3 -> 2
        signed(2),  # 2 -> 3 again: 3 was recorded already
        signed(3),
        signed(4),  # 5
    ]
    stored = Tally(count=3, milestones=(Milestone(3, T0),))

    [update] = aggregate(changes, {SLUG: stored}, {SLUG: petition()})

    assert update.after.count == 5
    assert update.reached == (Milestone(5, T0 + timedelta(seconds=4)),)


def test_imported_signatures_count_towards_milestones_but_their_own_are_never_recorded() -> None:
    imported = Tally(count=4, milestones=(Milestone(3, T0 - timedelta(days=9)),))

    [update] = aggregate([signed(1), signed(2)], {}, {SLUG: petition(imported=imported)})

    assert update.after.count == 2  # stored: the imported 4 stay in the content
    assert update.reached == (Milestone(5, T0 + timedelta(seconds=1)),)


def test_each_petition_is_counted_apart_and_unknown_ones_reach_no_milestone() -> None:
    changes = [signed(n, slug) for n in range(1, 4) for slug in ("a", "b", "gone")]

    updates = aggregate(changes, {}, {"a": petition("a"), "b": petition("b", (2,))})

    assert [(u.slug, u.counted, [m.count for m in u.reached]) for u in updates] == [
        ("a", 3, [3]),
        ("b", 3, [2]),
        ("gone", 3, []),
    ]


def test_changes_that_move_no_count_make_no_update() -> None:
    changes = [Change(SLUG, PENDING, PENDING, T0), Change(SLUG, REJECTED, None, T0)]

    assert aggregate(changes, {}, {SLUG: petition()}) == []


def placed(n: int, before: str | None, after: str | None, country: str, region: str = "") -> Change:
    """The n-th change of a signature from `country` (and `region`)."""
    return Change(SLUG, before, after, T0 + timedelta(seconds=n), country, region)


def test_confirmed_signatures_count_by_country_and_region_and_uncounting_takes_them_off() -> None:
    changes = [
        placed(1, None, CONFIRMED, "NZ", "NZ-WGN"),
        placed(2, None, CONFIRMED, "NZ", "NZ-WGN"),
        placed(3, None, CONFIRMED, "NZ"),  # no region known (no postcode, or none that matched)
        placed(4, None, CONFIRMED, "AU"),
        placed(5, None, PENDING, "GB"),  # waiting: not counted anywhere yet
        placed(6, CONFIRMED, REJECTED, "NZ", "NZ-AUK"),  # "this wasn't me"
        placed(7, CONFIRMED, None, "AU"),  # forgotten
        placed(8, None, CONFIRMED, ""),  # no country given
    ]
    stored = Tally(count=5, by_country={"NZ": 5, "AU": 1}, by_region={"NZ-AUK": 5})

    [update] = aggregate(changes, {SLUG: stored}, {SLUG: petition()})

    assert update.countries == {"NZ": 2}  # +3 -1; AU +1 -1 moves nothing
    assert update.regions == {"NZ-AUK": -1, "NZ-WGN": 2}
    assert update.after.count == 8
    assert update.after.by_country == {"AU": 1, "NZ": 7}
    assert update.after.by_region == {"NZ-AUK": 4, "NZ-WGN": 2}


def test_a_batch_that_moves_places_but_not_the_count_is_still_an_update() -> None:
    changes = [placed(1, None, CONFIRMED, "NZ"), placed(2, CONFIRMED, None, "AU")]

    [update] = aggregate(changes, {SLUG: Tally(1, by_country={"AU": 1})}, {})

    assert update.counted == 0
    assert update.after.by_country == {"NZ": 1}  # AU came to nothing and is left out

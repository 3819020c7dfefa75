"""No group of fewer than 5 signers is ever given as a number."""

from __future__ import annotations

from generator.regions.publish import COUNT_HIDDEN, SMALLEST_GROUP, hidden, shown


def test_groups_under_five_are_left_out_and_five_is_shown() -> None:
    totals = {"NZ": 5, "AU": 4, "GB": 1, "US": 0, "FR": -1, "": 9}

    assert SMALLEST_GROUP == 5
    assert shown(totals) == {"NZ": 5}  # "" is no place: signers who gave none
    assert hidden(totals) == ["AU", "GB"]
    assert COUNT_HIDDEN == "<5"


def test_shown_groups_come_in_code_order() -> None:
    assert list(shown({"NZ": 9, "AU": 7, "GB": 8})) == ["AU", "GB", "NZ"]

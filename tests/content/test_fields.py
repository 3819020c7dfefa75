"""The compound field kinds (generator/content/fields.py) on small YAML snippets: ladders,
word lists, milestone dates, and mappings of declared fields, every problem reported at its
own line, all of them at once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import yaml

from generator.content.fields import (
    Field,
    Ladder,
    Mapping,
    MilestoneDates,
    Words,
    read_mapping,
    unknown_field,
)
from generator.content.kinds import INVALID, Int, Kind, Text
from generator.content.report import Report, Values
from generator.model import Location

NZST = timezone(timedelta(hours=12))
SIGNER_FIELDS = Words(
    options=("postcode", "country", "consent", "comment"), never=("name", "email")
)
PLACE = (
    Field("name", Text(20), "the place's name", True),
    Field("address", Text(), "its street address"),
)


def read(kind: Kind, text: str) -> tuple[Any, list[str]]:
    """What `kind` reads from the snippet (the field is `f`, the file line 1 is the snippet's
    first), and every error reported."""
    report = Report("x.yaml", 1)
    value = kind.read(yaml.compose(text), "f", report)
    return value, [str(e) for e in report.errors]


def mapping(text: str, fields: tuple[Field, ...] = PLACE) -> tuple[Any, list[str]]:
    """read_mapping of a snippet (None when it is empty), missing fields reported at line 1."""
    report = Report("x.yaml", 1)
    values = read_mapping(yaml.compose(text), fields, "", report, 1)
    return values, [str(e) for e in report.errors]


class TestLadder:
    def test_takes_strictly_increasing_whole_numbers(self) -> None:
        assert read(Ladder(), "[10, 25, 50]") == ((10, 25, 50), [])

    def test_refuses_an_empty_list_or_a_single_number(self) -> None:
        assert read(Ladder(), "[]") == (
            INVALID, ["x.yaml:1: f: expected a non-empty list of integers, got a list"]
        )  # fmt: skip
        assert read(Ladder(), "100")[1] == [
            "x.yaml:1: f: expected a non-empty list of integers, got the number 100"
        ]

    def test_reports_every_step_down_at_its_own_line(self) -> None:
        value, errors = read(Ladder(), "- 10\n- 10\n- 50\n- 5\n- ten\n")

        assert value is INVALID
        assert errors == [
            "x.yaml:2: f: 10 must be above the milestone before it (10)",
            "x.yaml:4: f: 5 must be above the milestone before it (50)",
            "x.yaml:5: f: expected integer (≥ 1), got 'ten'",
        ]


class TestWords:
    def test_takes_distinct_short_texts_in_the_order_given(self) -> None:
        assert read(Words(), "[transport, schools]") == (("transport", "schools"), [])

    def test_refuses_a_word_listed_twice_and_one_too_long(self) -> None:
        value, errors = read(Words(max_len=5), "[bus, bus, railways]")

        assert value is INVALID
        assert errors == [
            "x.yaml:1: f: 'bus' is listed twice",
            "x.yaml:1: f: is 8 characters long; at most 5 allowed",
        ]

    def test_refuses_a_single_word_not_in_a_list(self) -> None:
        assert read(Words(), "transport")[1] == [
            "x.yaml:1: f: expected list of text, got 'transport'"
        ]

    def test_words_from_a_set_come_back_in_the_sets_order(self) -> None:
        assert read(SIGNER_FIELDS, "[consent, postcode]") == (("postcode", "consent"), [])

    def test_words_outside_the_set_are_refused_listing_the_set(self) -> None:
        assert read(SIGNER_FIELDS, "[phone]")[1] == [
            "x.yaml:1: f: expected one of postcode, country, consent, comment, got 'phone'"
        ]

    def test_fields_always_asked_are_refused_as_such(self) -> None:
        value, errors = read(SIGNER_FIELDS, "[email, postcode]")

        assert value is INVALID
        assert errors == ["x.yaml:1: f: email is always asked; list only optional fields"]


class TestMilestoneDates:
    def test_takes_milestones_with_the_date_and_time_each_was_reached(self) -> None:
        value, errors = read(
            MilestoneDates(), "10: 2017-04-14T14:35:51+12:00\n25: 2017-04-14T15:12:51+12:00\n"
        )

        assert errors == []
        assert dict(value) == {
            10: datetime(2017, 4, 14, 14, 35, 51, tzinfo=NZST),
            25: datetime(2017, 4, 14, 15, 12, 51, tzinfo=NZST),
        }
        assert value.lines == {10: 1, 25: 2}  # for later checks against the imported count

    def test_reports_each_bad_entry_under_its_milestone(self) -> None:
        text = "ten: 2017-04-14T14:35:51+12:00\n25: 2017-04-14\n25: 2017-04-15T10:00:00+12:00\n"

        value, errors = read(MilestoneDates(), text)

        assert value is INVALID
        assert errors == [
            "x.yaml:1: f.ten: expected integer (≥ 1), got 'ten'",
            "x.yaml:2: f.25: expected a date and time with an offset,"
            " e.g. 2017-04-14T13:20:00+12:00",
        ]

    def test_a_milestone_given_twice_names_the_first_line(self) -> None:
        text = "10: 2017-04-14T14:35:51+12:00\n10: 2017-04-15T10:00:00+12:00\n"

        assert read(MilestoneDates(), text)[1] == [
            "x.yaml:2: f.10: duplicate milestone; first given on line 1"
        ]

    def test_refuses_a_list(self) -> None:
        assert read(MilestoneDates(), "[10, 25]")[1] == [
            "x.yaml:1: f: expected mapping of milestone to date-time, got a list"
        ]


class TestMappings:
    def test_reads_declared_fields_with_their_lines(self) -> None:
        values, errors = mapping("name: Harbour Pool\naddress: 12 Tide Street\n")

        assert errors == []
        assert dict(values) == {"name": "Harbour Pool", "address": "12 Tide Street"}
        assert values.lines == {"name": 1, "address": 2}

    def test_reports_every_problem_in_the_mapping_at_once(self) -> None:
        text = "nmae: Harbour Pool\naddress: 12 Tide Street\naddress: 14 Tide Street\n3: x\n"

        _, errors = mapping(text)

        assert errors == [
            "x.yaml:1: nmae: unknown field; expected one of name, address; did you mean 'name'?",
            "x.yaml:3: address: duplicate field; first given on line 2",
            "x.yaml:4: ?: expected a field name, got the number 3",
            "x.yaml:1: name: required field missing: the place's name",
        ]

    def test_a_required_field_left_empty_says_so(self) -> None:
        assert mapping("name:\n")[1] == [
            "x.yaml:1: name: required field is empty: the place's name"
        ]

    def test_an_empty_optional_field_is_as_if_not_given(self) -> None:
        assert mapping("name: Pool\naddress: ~\n") == ({"name": "Pool"}, [])

    def test_an_empty_document_misses_every_required_field(self) -> None:
        assert mapping("")[1] == ["x.yaml:1: name: required field missing: the place's name"]

    def test_a_document_that_is_not_a_mapping_is_refused(self) -> None:
        assert mapping("- name: Pool\n")[1] == [
            "x.yaml:1: front matter: expected fields, got a list"
        ]

    def test_a_nested_mapping_builds_its_model_or_reports_under_its_name(self) -> None:
        place = Mapping(PLACE, build=lambda values, report, field: Location(**values))

        assert read(place, "{name: Harbour Pool}") == (Location("Harbour Pool"), [])
        value, errors = read(place, "name: A name far too long for it\ncolour: blue\n")
        assert value is INVALID
        assert errors == [
            "x.yaml:1: f.name: is 26 characters long; at most 20 allowed",
            "x.yaml:2: f.colour: unknown field; expected one of name, address",
        ]

    def test_a_nested_mapping_without_a_model_gives_its_values(self) -> None:
        value, errors = read(Mapping((Field("count", Int(0), "how many", True),)), "count: 3")

        assert errors == []
        assert isinstance(value, Values) and dict(value) == {"count": 3}


def test_an_unknown_field_suggests_a_close_name_only() -> None:
    known = {f.name: f for f in PLACE}

    assert unknown_field("adress", known).endswith("; did you mean 'address'?")
    assert unknown_field("colour", known) == "unknown field; expected one of name, address"

"""Each field kind (generator/content/kinds.py) on small YAML snippets: what it accepts, and
what it refuses with the message an organiser reads, at the line of the offending value."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
import yaml

from generator.content.kinds import (
    INVALID,
    Choice,
    Int,
    Kind,
    Language,
    Number,
    Text,
    Url,
    describe,
)
from generator.content.report import Report
from generator.content.times import Date, DateTime, TimeZone

NZST = timezone(timedelta(hours=12))


def read(kind: Kind, text: str, first_line: int = 1) -> tuple[Any, list[str]]:
    """The value `kind` reads from a YAML snippet, and every error it reports."""
    report = Report("site.yaml", first_line)
    node = yaml.compose(text)
    assert node is not None, "an empty snippet has no node"
    value = kind.read(node, "field", report)
    return value, [str(e) for e in report.errors]


def accepted(kind: Kind, text: str) -> Any:
    """The value read; the test fails if anything was reported."""
    value, errors = read(kind, text)
    assert errors == []
    return value


def refused(kind: Kind, text: str) -> str:
    """The message of the one error reading reports (its location and field checked)."""
    value, errors = read(kind, text)
    assert value is INVALID
    assert len(errors) == 1, errors
    prefix = "site.yaml:1: field: "
    assert errors[0].startswith(prefix), errors[0]
    return errors[0].removeprefix(prefix)


def test_an_error_is_reported_at_the_values_own_line() -> None:
    _, errors = read(Int(1), "\n\n  0\n", first_line=5)

    assert errors == ["site.yaml:7: field: expected integer (≥ 1), got the number 0"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("{a: 1}", "a mapping"),
        ("[1, 2]", "a list"),
        ("pending", "'pending'"),
        ("~", "nothing"),
        ("2017", "the number 2017"),
        ("2.5", "the number 2.5"),
        ("yes", "the true/false value yes"),
        ("2017-04-14", "the date 2017-04-14"),
        ("x" * 61, "'" + "x" * 57 + "...'"),
    ],
)
def test_a_value_is_described_as_the_organiser_wrote_it(text: str, shown: str) -> None:
    node = yaml.compose(text)
    assert node is not None
    assert describe(node) == shown


class TestText:
    def test_takes_text_and_strips_it(self) -> None:
        assert accepted(Text(), "Fix the footpath") == "Fix the footpath"
        assert accepted(Text(), "'  Fix it  '") == "Fix it"
        assert accepted(Text(10), "'1234567890'") == "1234567890"

    def test_refuses_empty_text(self) -> None:
        assert refused(Text(), "'   '") == "must not be empty"

    def test_refuses_text_over_its_limit_saying_how_long_it_is(self) -> None:
        assert refused(Text(10), "Fix the footpath") == "is 16 characters long; at most 10 allowed"

    @pytest.mark.parametrize(
        ("text", "got"),
        [("2017", "the number 2017"), ("yes", "the true/false value yes"),
         ("2017-04-14", "the date 2017-04-14")],
    )  # fmt: skip
    def test_asks_for_quotes_around_numbers_dates_and_booleans(self, text: str, got: str) -> None:
        quote = "put it in quotes to make it text"
        assert refused(Text(), text) == f"expected text, got {got}; {quote}"

    def test_refuses_a_list_or_mapping_naming_its_limit(self) -> None:
        assert refused(Text(100), "[a, b]") == "expected text (≤ 100 characters), got a list"
        assert refused(Text(), "{a: b}") == "expected text, got a mapping"


class TestChoice:
    STATUS = Choice(("open", "closed", "won"))

    def test_takes_one_of_its_words(self) -> None:
        assert accepted(self.STATUS, "won") == "won"

    @pytest.mark.parametrize(
        ("text", "got"), [("pending", "'pending'"), ("Open", "'Open'"), ("1", "the number 1")]
    )
    def test_refuses_anything_else_listing_the_words(self, text: str, got: str) -> None:
        assert refused(self.STATUS, text) == f"expected one of open, closed, won, got {got}"


class TestInt:
    def test_takes_whole_numbers_from_its_minimum(self) -> None:
        assert accepted(Int(1), "1") == 1
        assert accepted(Int(0), "0") == 0
        assert accepted(Int(1), "5000") == 5000

    @pytest.mark.parametrize(
        ("text", "got"),
        [("0", "the number 0"), ("-3", "the number -3"), ("2.5", "the number 2.5"),
         ("'5'", "'5'"), ("five", "'five'"), ("[5]", "a list")],
    )  # fmt: skip
    def test_refuses_numbers_below_it_fractions_and_text(self, text: str, got: str) -> None:
        assert refused(Int(1), text) == f"expected integer (≥ 1), got {got}"

    @pytest.mark.parametrize("text", ["1000000000001", "1" + "0" * 5000, "0x" + "f" * 5000])
    def test_refuses_numbers_too_large_for_a_page_to_print(self, text: str) -> None:
        assert refused(Int(1), text) == "is too large; at most 1,000,000,000,000"


class TestNumber:
    LATITUDE = Number(-90, 90)

    def test_takes_numbers_in_its_range_whole_or_not(self) -> None:
        assert accepted(self.LATITUDE, "-41.2784") == -41.2784
        assert accepted(self.LATITUDE, "90") == 90.0

    @pytest.mark.parametrize(
        ("text", "got"),
        [("90.5", "the number 90.5"), (".nan", "the number .nan"), (".inf", "the number .inf"),
         ("'-41.2'", "'-41.2'")],
    )  # fmt: skip
    def test_refuses_numbers_outside_it_and_text(self, text: str, got: str) -> None:
        assert refused(self.LATITUDE, text) == f"expected number (-90 to 90), got {got}"


class TestDateTime:
    def test_takes_a_date_and_time_with_an_offset_quoted_or_not(self) -> None:
        when = datetime(2017, 4, 14, 13, 20, tzinfo=NZST)
        assert accepted(DateTime(), "2017-04-14T13:20:00+12:00") == when
        assert accepted(DateTime(), "'2017-04-14T13:20:00+12:00'") == when
        assert accepted(DateTime(), "2017-04-20T06:05:41Z") == datetime(
            2017, 4, 20, 6, 5, 41, tzinfo=UTC
        )

    def test_refuses_a_date_without_a_time(self) -> None:
        assert refused(DateTime(), "2017-04-14") == (
            "expected a date and time with an offset, e.g. 2017-04-14T13:20:00+12:00"
        )

    def test_refuses_a_time_without_an_offset_showing_how_to_add_one(self) -> None:
        assert refused(DateTime(), "2017-04-14T13:20:00") == (
            "2017-04-14T13:20:00 needs an offset from UTC, e.g. 2017-04-14T13:20:00+12:00"
        )

    def test_refuses_what_is_not_a_date_and_time(self) -> None:
        assert refused(DateTime(), "next tuesday") == (
            "expected date-time with offset (e.g. 2017-04-14T13:20:00+12:00), got 'next tuesday'"
        )

    def test_refuses_a_month_the_calendar_does_not_have_naming_the_value(self) -> None:
        assert "2017-13-01T00:00:00+12:00" in refused(DateTime(), "'2017-13-01T00:00:00+12:00'")

    @pytest.mark.parametrize("text", ["1899-12-31T23:00:00Z", "9999-01-01T00:00:00+12:00"])
    def test_refuses_years_pages_cannot_show(self, text: str) -> None:
        assert refused(DateTime(), text) == (
            f"{text} is out of range; expected a year from 1900 to 9998"
        )


class TestDate:
    def test_takes_a_calendar_date(self) -> None:
        assert accepted(Date(), "2023-05-31") == date(2023, 5, 31)
        assert accepted(Date(), "'2024-02-29'") == date(2024, 2, 29)

    def test_refuses_a_day_the_calendar_does_not_have(self) -> None:
        message = refused(Date(), "2023-02-29")
        assert message.startswith("2023-02-29 is not a ") and "day" in message

    @pytest.mark.parametrize("text", ["2023-05-31T10:00:00+12:00", "'31 May 2023'", "20230531"])
    def test_refuses_anything_but_a_date(self, text: str) -> None:
        assert refused(Date(), text).startswith("expected date (e.g. 2017-05-01), got ")


class TestUrl:
    WEB = Url(("http", "https"))
    API = Url(("http", "https"), paths=True)
    TILES = Url(("https",), placeholders=("{z}", "{x}", "{y}"))

    def test_takes_web_addresses(self) -> None:
        assert accepted(self.WEB, "https://example.org/donate") == "https://example.org/donate"
        assert accepted(self.WEB, "http://example.org") == "http://example.org"

    @pytest.mark.parametrize(
        "text", ["ftp://example.org/x", "javascript:alert(1)", "https:///no-host", "example.org"]
    )
    def test_refuses_other_schemes_and_addresses_without_a_host(self, text: str) -> None:
        assert refused(self.WEB, text) == f"expected URL (http or https), got {text!r}"

    def test_refuses_spaces(self) -> None:
        assert refused(self.WEB, "'https://example.org/a b'") == (
            "expected URL (http or https) without spaces, got 'https://example.org/a b'"
        )

    def test_takes_a_path_on_the_site_only_when_allowed(self) -> None:
        assert accepted(self.API, "/api") == "/api"
        assert refused(self.WEB, "/api") == "expected URL (http or https), got '/api'"
        assert refused(self.API, "//evil.example/api") == (
            "expected URL (http or https, or a path starting with /), got '//evil.example/api'"
        )

    def test_requires_its_placeholders(self) -> None:
        tiles = "https://tiles.example/{z}/{x}/{y}.png"
        assert accepted(self.TILES, tiles) == tiles
        assert refused(self.TILES, "https://tiles.example/{z}/{x}.png") == (
            "must contain {y}, got 'https://tiles.example/{z}/{x}.png'"
        )


class TestTimeZone:
    def test_takes_an_iana_zone(self) -> None:
        assert accepted(TimeZone(), "Pacific/Auckland") == "Pacific/Auckland"

    def test_refuses_a_misspelt_zone_suggesting_the_right_one(self) -> None:
        assert refused(TimeZone(), "Pacific/Aukland") == (
            "unknown time zone 'Pacific/Aukland'; did you mean 'Pacific/Auckland'?"
        )

    @pytest.mark.parametrize("text", ["../../etc/passwd", "'/etc/localtime'"])
    def test_refuses_paths_posing_as_zones(self, text: str) -> None:
        assert refused(TimeZone(), text).startswith("unknown time zone ")


class TestLanguage:
    @pytest.mark.parametrize("tag", ["en-NZ", "mi", "en", "zh-Hant-TW", "es-419"])
    def test_takes_bcp_47_tags(self, tag: str) -> None:
        assert accepted(Language(), tag) == tag

    @pytest.mark.parametrize("tag", ["english", "en_NZ", "'en NZ'", "e"])
    def test_refuses_what_is_not_a_tag(self, tag: str) -> None:
        assert refused(Language(), tag).startswith(
            "expected BCP 47 language tag (e.g. en-NZ), got '"
        )


@pytest.mark.parametrize(("text", "value"), [("0x10", 16.0), ("017", 15.0), ("-0x1a", -26.0)])
def test_a_coordinate_in_another_base_is_read(text: str, value: float) -> None:
    from generator.content.kinds import Number

    assert Number(-90, 90).parse(yaml.compose(text)) == value


@pytest.mark.parametrize("text", ["0x" + "f" * 5000, "9" * 5000, "0x5b"])
def test_a_coordinate_out_of_range_or_too_long_is_refused_not_a_crash(text: str) -> None:
    from generator.content.kinds import Invalid, Number

    with pytest.raises(Invalid, match="expected number"):
        Number(-90, 90).parse(yaml.compose(text))

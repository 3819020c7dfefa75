"""Time field kinds: a date-time with its offset from UTC, a calendar date, an IANA zone.

Each says which part of an impossible date is out of range, and a time written without an
offset is told the offset the site's zone has on that date.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from difflib import get_close_matches
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from yaml.nodes import Node, ScalarNode

from generator.content.kinds import INVALID, STR, TIMESTAMP, Invalid, Kind
from generator.content.report import Report

MIN_YEAR, MAX_YEAR = 1900, 9998  # shifting by any time zone stays within datetime's range
DATETIME_EXAMPLE = "2017-04-14T13:20:00+12:00"
_DATE_ONLY = re.compile(r"\d{4}-\d\d-\d\d")
_DATE_PARTS = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)"
    r"(?:[T ](?P<hour>\d\d)(?::(?P<minute>\d\d)(?::(?P<second>\d\d))?)?)?"
)
# C0 controls but tab and newline, DEL and C1: they break XML (the feed) and mean nothing on
# a page. Bidirectional overrides can make a title or target read as something it is not.


def calendar_problem(text: str) -> str | None:
    """Which part of a date (and time) written as YYYY-MM-DD[THH:MM[:SS]] is out of range,
    e.g. "day 30 is not in February 2025 (28 days)", or None when none is."""
    found = _DATE_PARTS.match(text)
    if found is None:
        return None
    year, month, day = (int(found.group(n)) for n in ("year", "month", "day"))
    if not 1 <= month <= 12:
        return f"month {month} is out of range (1 to 12)"
    days = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= days:
        return f"day {day} is not in {calendar.month_name[month]} {year} ({days} days)"
    limits = {"hour": 23, "minute": 59, "second": 59}
    for part, highest in limits.items():
        value = found.group(part)
        if value is not None and int(value) > highest:
            return f"{part} {int(value)} is out of range (0 to {highest})"
    return None


class MissingOffset(Invalid):
    """A date-time without its offset from UTC; `naive` is the time as written."""

    def __init__(self, text: str, naive: datetime) -> None:
        self.text, self.naive = text, naive
        super().__init__(f"{text} needs an offset from UTC, e.g. {text}+12:00")

    def suggest(self, zone_name: str) -> str:
        """The message, suggesting the offset `zone_name` has at that time."""
        try:
            offset = self.naive.replace(tzinfo=ZoneInfo(zone_name)).utcoffset()
        except (ZoneInfoNotFoundError, ValueError, OverflowError):
            return str(self)
        if offset is None:
            return str(self)
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        hours, rest = divmod(abs(minutes), 60)
        given = f"{sign}{hours:02d}:{rest:02d}"
        return (
            f"{self.text} needs an offset from UTC; in {zone_name} on that date it is"
            f" {given}: {self.text}{given}"
        )


class DateTime(Kind):
    """A date and time with an offset from UTC, e.g. 2017-04-14T13:20:00+12:00."""

    label = "date-time with offset"
    limit = f"e.g. {DATETIME_EXAMPLE}"

    def read(self, node: Node, field: str, report: Report) -> Any:
        """The aware datetime, or INVALID after reporting why (a missing offset is suggested
        in the site's zone when the report knows it)."""
        try:
            return self.parse(node)
        except MissingOffset as e:
            report.add(node, field, e.suggest(report.zone) if report.zone else str(e))
        except Invalid as e:
            report.add(node, field, str(e))
        return INVALID

    def parse(self, node: Node) -> datetime:
        """The aware datetime."""
        if not (isinstance(node, ScalarNode) and node.tag in (STR, TIMESTAMP)):
            raise self.expected(node)
        text = node.value.strip()
        if _DATE_ONLY.fullmatch(text):
            raise Invalid(f"expected a date and time with an offset, e.g. {DATETIME_EXAMPLE}")
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            problem = calendar_problem(text)
            if problem is not None:
                raise Invalid(f"{text} is not a real time: {problem}") from None
            raise self.expected(node) from None
        if value.tzinfo is None:
            raise MissingOffset(text, value)
        if not MIN_YEAR <= value.year <= MAX_YEAR:  # pages show it in other zones and in UTC
            raise Invalid(f"{text} is out of range; expected a year from {MIN_YEAR} to {MAX_YEAR}")
        return value


class Date(Kind):
    """A calendar date, e.g. 2017-05-01."""

    label = "date"
    limit = "e.g. 2017-05-01"

    def parse(self, node: Node) -> date:
        """The date."""
        if not (isinstance(node, ScalarNode) and node.tag in (STR, TIMESTAMP)):
            raise self.expected(node)
        text = node.value.strip()
        if not _DATE_ONLY.fullmatch(text):
            raise self.expected(node)
        try:
            return date.fromisoformat(text)
        except ValueError as e:
            problem = calendar_problem(text) or str(e)
            raise Invalid(f"{text} is not a real date: {problem}") from None


class TimeZone(Kind):
    """An IANA time zone name known to the zone database."""

    label = "IANA time zone"
    limit = "e.g. Pacific/Auckland"

    def parse(self, node: Node) -> str:
        """The zone name."""
        name = self.text(node)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            close = get_close_matches(name, available_timezones(), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise Invalid(f"unknown time zone {name!r}{hint}") from None
        return name

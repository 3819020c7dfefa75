"""Field kinds for content files: each reads one YAML node into a value or reports why not.

Nodes come from `yaml.compose`, so each problem is reported at its own node's line.
fields.py holds the compound kinds; schema.py declares the fields.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date, datetime
from difflib import get_close_matches
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.content.report import Report

STR, INT, FLOAT, BOOL, NULL, TIMESTAMP = (
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")
)
MAX_INT = 10**12  # far above any count or goal; bounds what a page must print
MIN_YEAR, MAX_YEAR = 1900, 9998  # shifting by any time zone stays within datetime's range
# The value of a field that failed to read; its problem is reported. Typed Any on purpose: it
# stands in wherever a field's value would, whatever that field's type.
INVALID: Any = object()
DATETIME_EXAMPLE = "2017-04-14T13:20:00+12:00"
_SCALARS = SafeConstructor()  # only its stateless scalar converters are used
_NOT_TEXT = {INT: "the number", FLOAT: "the number", BOOL: "the true/false value"}
_DATE_ONLY = re.compile(r"\d{4}-\d\d-\d\d")
_DATE_PARTS = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)"
    r"(?:[T ](?P<hour>\d\d)(?::(?P<minute>\d\d)(?::(?P<second>\d\d))?)?)?"
)
# C0 controls but tab and newline, DEL and C1: they break XML (the feed) and mean nothing on
# a page. Bidirectional overrides can make a title or target read as something it is not.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI_OVERRIDE = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?(-[a-z\d]{5,8})*", re.I)


class Invalid(ValueError):
    """A node's value is not what its field expects; the message says what was expected."""


def describe(node: Node) -> str:
    """How a node reads in a message: 'a list', "'pending'", 'the number 2017'."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    value = node.value if len(node.value) <= 60 else node.value[:57] + "..."
    if node.tag == STR:
        return repr(value)
    if node.tag == NULL:
        return "nothing"
    if node.tag == TIMESTAMP:
        return f"the date {value}"
    return f"{_NOT_TEXT.get(node.tag, 'a value tagged ' + node.tag)} {value}"


def control_at(text: str) -> int | None:
    """Where the first control character is in a text (CRLF read as one newline), or None."""
    found = _CONTROL.search(text.replace("\r\n", "\n"))
    return None if found is None else found.start()


def control_character(text: str) -> str | None:
    """Why a text may not be published as it is (a control character in it), or None."""
    at = control_at(text)
    if at is None:
        return None
    code = ord(text.replace("\r\n", "\n")[at])
    return f"contains the control character U+{code:04X}; remove it"


def bidi_override(text: str) -> str | None:
    """Why a text may not be a title or target (a bidirectional override in it), or None."""
    found = _BIDI_OVERRIDE.search(text)
    if found is None:
        return None
    code = f"U+{ord(found.group()):04X}"
    return f"contains the bidirectional control {code}, which can disguise the text; remove it"


def is_null(node: Node) -> bool:
    """Whether the node is YAML's null (an empty value or ~)."""
    return isinstance(node, ScalarNode) and node.tag == NULL


class Kind:
    """What a field holds: a label and limit for the docs, and how to read a node."""

    label = "value"
    limit = ""

    def read(self, node: Node, field: str, report: Report) -> Any:
        """The node's value, or INVALID after reporting why it is not acceptable."""
        try:
            return self.parse(node)
        except Invalid as e:
            report.add(node, field, str(e))
            return INVALID

    def parse(self, node: Node) -> Any:
        """The value of a scalar node; raises Invalid saying what was expected."""
        raise NotImplementedError

    def expected(self, node: Node, hint: str = "") -> Invalid:
        """The error for a node of the wrong type."""
        wanted = f"{self.label} ({self.limit})" if self.limit else self.label
        return Invalid(f"expected {wanted}, got {describe(node)}{hint}")

    def text(self, node: Node) -> str:
        """A string scalar's text, stripped; numbers, dates and booleans must be quoted."""
        if isinstance(node, ScalarNode) and node.tag == STR:
            text: str = node.value  # a scalar node's value is its text
            problem = control_character(text)
            if problem is not None:
                raise Invalid(problem)
            return text.strip()
        if isinstance(node, ScalarNode) and node.tag in (INT, FLOAT, BOOL, TIMESTAMP):
            raise self.expected(node, "; put it in quotes to make it text")
        raise self.expected(node)


class Text(Kind):
    """A non-empty string, optionally with a length limit."""

    def __init__(
        self, max_len: int | None = None, label: str = "text", *, bidi: bool = True
    ) -> None:
        self.max_len = max_len
        self.label = label
        self.bidi = bidi  # False: bidirectional overrides are refused
        self.limit = f"≤ {max_len} characters" if max_len else ""

    def parse(self, node: Node) -> str:
        """The stripped text."""
        value = self.text(node)
        if not value:
            raise Invalid("must not be empty")
        if not self.bidi and (problem := bidi_override(value)) is not None:
            raise Invalid(problem)
        if self.max_len is not None and len(value) > self.max_len:
            raise Invalid(f"is {len(value)} characters long; at most {self.max_len} allowed")
        return value


class Bool(Kind):
    """A true/false value (YAML's true or false, unquoted)."""

    label = "true or false"

    def parse(self, node: Node) -> bool:
        """The value."""
        if isinstance(node, ScalarNode) and node.tag == BOOL:
            return bool(_SCALARS.construct_yaml_bool(node))
        raise self.expected(node)


class Choice(Kind):
    """One of a fixed set of words."""

    label = "one of"

    def __init__(self, options: tuple[str, ...]) -> None:
        self.options = options
        self.limit = ", ".join(options)

    def parse(self, node: Node) -> str:
        """The chosen word."""
        if isinstance(node, ScalarNode) and node.tag == STR and node.value in self.options:
            word: str = node.value
            return word
        raise Invalid(f"expected one of {self.limit}, got {describe(node)}")


class Int(Kind):
    """A whole number at or above a minimum."""

    label = "integer"

    def __init__(self, minimum: int) -> None:
        self.minimum = minimum
        self.limit = f"≥ {minimum}"

    def parse(self, node: Node) -> int:
        """The number."""
        if not (isinstance(node, ScalarNode) and node.tag == INT):
            raise self.expected(node)
        try:
            value: int = _SCALARS.construct_yaml_int(node)
        except ValueError:  # over Python's limit of digits in a number's text
            raise Invalid(f"is too large; at most {MAX_INT:,}") from None
        if value < self.minimum:
            raise self.expected(node)
        if value > MAX_INT:  # pages show it with separators, which fails for huge numbers
            raise Invalid(f"is too large; at most {MAX_INT:,}")
        return value


class Number(Kind):
    """A number within a closed range (e.g. a latitude)."""

    label = "number"

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high
        self.limit = f"{low:g} to {high:g}"

    def parse(self, node: Node) -> float:
        """The number as a float."""
        if not (isinstance(node, ScalarNode) and node.tag in (INT, FLOAT)):
            raise self.expected(node)
        try:  # an int-tagged node may be hex or octal, which the float constructor refuses
            if node.tag == INT:
                value = float(_SCALARS.construct_yaml_int(node))
            else:
                value = float(_SCALARS.construct_yaml_float(node))
        except (ValueError, OverflowError):  # e.g. too many digits for Python to convert
            raise self.expected(node) from None
        if not (math.isfinite(value) and self.low <= value <= self.high):
            raise self.expected(node)
        return value


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


class Url(Kind):
    """A URL with one of some schemes, or (when allowed) a path on the site itself."""

    label = "URL"

    def __init__(
        self, schemes: tuple[str, ...], paths: bool = False, placeholders: tuple[str, ...] = ()
    ) -> None:
        self.schemes, self.paths, self.placeholders = schemes, paths, placeholders
        self.limit = ", ".join(schemes[:-1]) + f" or {schemes[-1]}"
        self.limit += ", or a path starting with /" if paths else ""
        if placeholders:
            self.limit += ", containing " + " ".join(placeholders)

    def parse(self, node: Node) -> str:
        """The URL as written."""
        value = self.text(node)
        if any(c.isspace() for c in value):
            raise Invalid(f"expected {self.label} ({self.limit}) without spaces, got {value!r}")
        if self.paths and value.startswith("/") and not value.startswith("//"):
            return value
        try:
            parts = urlsplit(value)
        except ValueError:
            raise self.expected(node) from None
        missing = [p for p in self.placeholders if p not in value]
        needs_host = parts.scheme in ("http", "https") and not parts.netloc
        if parts.scheme not in self.schemes or needs_host or not (parts.netloc or parts.path):
            raise self.expected(node)
        if missing:
            raise Invalid(f"must contain {' '.join(missing)}, got {value!r}")
        return value


class Email(Kind):
    """An email address, e.g. petitions@example.org (checked by email-validator)."""

    label = "email address"
    limit = "e.g. petitions@example.org"

    def parse(self, node: Node) -> str:
        """The address as written."""
        from email_validator import EmailNotValidError, validate_email

        value = self.text(node)
        try:
            validate_email(value, check_deliverability=False, strict=True)
        except EmailNotValidError as e:
            raise Invalid(f"{value!r} is not an email address: {e}") from None
        return value


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


class Language(Kind):
    """A BCP 47 language tag such as en-NZ or mi."""

    label = "BCP 47 language tag"
    limit = "e.g. en-NZ"

    def parse(self, node: Node) -> str:
        """The tag."""
        tag = self.text(node)
        if not _LANGUAGE.fullmatch(tag):
            raise self.expected(node)
        return tag

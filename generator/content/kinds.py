"""Field kinds for content files: each reads one YAML node into a value or reports why not.

Nodes come from `yaml.compose`, so each problem is reported at its own node's line.
fields.py holds the compound kinds; schema.py declares the fields.
"""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urlsplit

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.content.report import Report

STR, INT, FLOAT, BOOL, NULL, TIMESTAMP = (
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")
)
MAX_INT = 10**12  # far above any count or goal; bounds what a page must print
# The value of a field that failed to read; its problem is reported. Typed Any on purpose: it
# stands in wherever a field's value would, whatever that field's type.
INVALID: Any = object()
_SCALARS = SafeConstructor()  # only its stateless scalar converters are used
_NOT_TEXT = {INT: "the number", FLOAT: "the number", BOOL: "the true/false value"}
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


class Url(Kind):
    """A URL with one of some schemes, or (when allowed) a path on the site itself."""

    label = "URL"

    def __init__(
        self,
        schemes: tuple[str, ...],
        paths: bool = False,
        placeholders: tuple[str, ...] = (),
        off: str | None = None,
    ) -> None:
        """`off`: a word that stands for no URL at all (parsed as "")."""
        self.schemes, self.paths, self.placeholders, self.off = schemes, paths, placeholders, off
        self.limit = ", ".join(schemes[:-1]) + f" or {schemes[-1]}"
        self.limit += ", or a path starting with /" if paths else ""
        if placeholders:
            self.limit += ", containing " + " ".join(placeholders)
        if off:
            self.limit += f", or {off}"

    def parse(self, node: Node) -> str:
        """The URL as written ("" for the `off` word)."""
        value = self.text(node)
        if self.off is not None and value == self.off:
            return ""
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


class LogKey(Kind):
    """The public key of the logs' checkpoints, as a signed-note verifier key."""

    label = "log verifier key"
    limit = "<name>+<8 hex digits>+<base64 Ed25519 key>"

    def parse(self, node: Node) -> str:
        """The key as written (checked: name, ID and key agree)."""
        from generator.errors import LogError
        from generator.log.note import Verifier  # cryptography only when a key is named

        value = self.text(node)
        try:
            Verifier.parse(value)
        except LogError as e:
            raise Invalid(f"{value!r} is not a verifier key: {e.message}") from None
        return value


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

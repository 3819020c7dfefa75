"""Compound field kinds: lists, mappings of declared fields, and the mapping walker.

A mapping is read field by field: unknown, duplicate, missing and invalid fields are all
reported (each at its own node's line), then the values are built into model objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.content.kinds import (
    INVALID,
    STR,
    Choice,
    Int,
    Kind,
    Text,
    describe,
    is_null,
)
from generator.content.report import Report, Values
from generator.content.times import DateTime


class Ladder(Kind):
    """Milestones: a non-empty list of positive whole numbers, strictly increasing."""

    label = "list of integers"
    limit = "each ≥ 1, strictly increasing"

    def read(self, node: Node, field: str, report: Report) -> Any:
        """The ladder as a tuple, or INVALID after reporting each bad item."""
        if not isinstance(node, SequenceNode) or not node.value:
            report.add(node, field, f"expected a non-empty {self.label}, got {describe(node)}")
            return INVALID
        out: list[int] = []
        ok = True
        for item in node.value:
            value = Int(1).read(item, field, report)
            if value is INVALID:
                ok = False
            elif out and value <= out[-1]:
                report.add(
                    item, field, f"{value} must be above the milestone before it ({out[-1]})"
                )
                ok = False
            else:
                out.append(value)
        return tuple(out) if ok else INVALID


class Words(Kind):
    """A list of distinct short texts, or of words from a fixed set (kept in the set's order)."""

    def __init__(
        self, max_len: int = 40, options: tuple[str, ...] = (), never: tuple[str, ...] = ()
    ) -> None:
        self.item = Choice(options) if options else Text(max_len)
        self.options, self.never = options, never
        self.label = "list of words" if options else "list of text"
        self.limit = f"from {', '.join(options)}" if options else f"each ≤ {max_len} characters"

    def read(self, node: Node, field: str, report: Report) -> Any:
        """The items as a tuple, or INVALID after reporting each bad item."""
        if not isinstance(node, SequenceNode):
            report.add(node, field, f"expected {self.label}, got {describe(node)}")
            return INVALID
        out: list[str] = []
        ok = True
        for item in node.value:
            if isinstance(item, ScalarNode) and item.value in self.never:
                report.add(item, field, f"{item.value} is always asked; list only optional fields")
                ok = False
                continue
            value = self.item.read(item, field, report)
            if value in out:
                report.add(item, field, f"{value!r} is listed twice")
            if value is INVALID or value in out:
                ok = False
            else:
                out.append(value)
        if self.options:
            out.sort(key=self.options.index)
        return tuple(out) if ok else INVALID


class MilestoneDates(Kind):
    """A mapping of milestone (a whole number ≥ 1) to the date-time it was reached."""

    label = "mapping of milestone to date-time"
    limit = "e.g. 500: 2017-04-20T18:05:41+12:00"

    def read(self, node: Node, field: str, report: Report) -> Any:
        """Values keyed by milestone, or INVALID after reporting each bad entry."""
        if not isinstance(node, MappingNode):
            report.add(node, field, f"expected {self.label}, got {describe(node)}")
            return INVALID
        values = Values()
        ok = True
        for key, value in node.value:
            path = f"{field}.{key.value}" if isinstance(key, ScalarNode) else field
            count = Int(1).read(key, path, report)
            when = DateTime().read(value, path, report)
            if count in values:
                report.add(
                    key, path, f"duplicate milestone; first given on line {values.lines[count]}"
                )
            if INVALID in (count, when) or count in values:
                ok = False
                continue
            values[count] = when
            values.lines[count] = report.line(key)
        return values if ok else INVALID


@dataclass(frozen=True)
class Field:
    """One declared field: its name, kind, one-line meaning, and whether it must be given."""

    name: str
    kind: Kind
    doc: str
    required: bool = False
    default: str = ""  # for the docs when the model's default does not say it


Build = Callable[[Values, Report, str], Any]


class Mapping(Kind):
    """A mapping of declared fields; `build` turns the values into a model object."""

    label = "mapping"

    def __init__(self, fields: tuple[Field, ...], build: Build | None = None, model: Any = None):
        self.fields, self.build, self.model = fields, build, model

    def read(self, node: Node, field: str, report: Report) -> Any:
        """The built object (or the Values), or INVALID after reporting every problem."""
        before = len(report.errors)
        values = read_mapping(node, self.fields, field + ".", report, report.line(node))
        if values is INVALID or len(report.errors) > before:
            return INVALID
        return self.build(values, report, field) if self.build else values


def read_mapping(
    node: Node | None, fields: tuple[Field, ...], prefix: str, report: Report, missing_line: int
) -> Any:
    """Values of declared fields, reporting unknown, duplicate, missing and invalid ones."""
    if node is None:  # an empty document
        node = MappingNode("tag:yaml.org,2002:map", [])
    if not isinstance(node, MappingNode):
        report.add(
            node, prefix.rstrip(".") or "front matter", f"expected fields, got {describe(node)}"
        )
        return INVALID
    by_name = {f.name: f for f in fields}
    values = Values()
    seen: dict[str, int] = {}
    for key, value in node.value:
        if not (isinstance(key, ScalarNode) and key.tag == STR):
            report.add(key, prefix + "?", f"expected a field name, got {describe(key)}")
            continue
        path = prefix + key.value
        if key.value in seen:
            report.add(key, path, f"duplicate field; first given on line {seen[key.value]}")
            continue
        seen[key.value] = report.line(key)
        spec = by_name.get(key.value)
        if spec is None:
            report.add(key, path, unknown_field(key.value, by_name))
        elif is_null(value):
            if spec.required:
                report.add(value, path, f"required field is empty: {spec.doc}")
        elif (result := spec.kind.read(value, path, report)) is not INVALID:
            values[key.value] = result
            values.lines[key.value] = report.line(value)
    for spec in fields:
        if spec.required and spec.name not in seen:
            report.add(missing_line, prefix + spec.name, f"required field missing: {spec.doc}")
    return values


def unknown_field(name: str, known: dict[str, Field]) -> str:
    """The message for a field that is not declared, with a suggestion when one is close."""
    message = f"unknown field; expected one of {', '.join(known)}"
    close = get_close_matches(name, known, n=1, cutoff=0.6)
    return message + (f"; did you mean '{close[0]}'?" if close else "")

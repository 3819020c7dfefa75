"""The problems found in one content file, and the values read from a mapping with their lines."""

from __future__ import annotations

from typing import Any

from yaml.nodes import Node

from generator.errors import ContentError


class Report:
    """The problems found in one file, with YAML's 0-based marks turned into file lines."""

    def __init__(self, path: str, first_line: int, zone: str | None = None) -> None:
        self.path = path
        self.first_line = first_line  # the file line holding the YAML text's first line
        self.zone = zone  # the site's time zone, for hints about times (None: not known)
        self.errors: list[ContentError] = []

    def line(self, node: Node) -> int:
        """The file line a node starts on."""
        return node.start_mark.line + self.first_line

    def add(self, where: Node | int, field: str, message: str) -> None:
        """Record a problem at a node (or a file line number)."""
        line = where if isinstance(where, int) else self.line(where)
        self.errors.append(ContentError(self.path, line, field, message))


class Values(dict[Any, Any]):
    """Values read from a mapping, plus the file line of each value for later checks."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}

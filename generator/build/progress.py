"""How a build reports its progress: a phase with a number of items, then items done.

The engine only calls these; the command line decides what a person sees (a bar on a
terminal, nothing otherwise). `Silent` is the default and costs nothing.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives a build's progress."""

    def phase(self, name: str, total: int) -> None:
        """A phase of `total` items begins (e.g. "reading", "rendering")."""

    def advance(self, done: int) -> None:
        """`done` more items of the current phase are finished."""

    def close(self) -> None:
        """The build is over (whether it succeeded or not)."""


class Silent:
    """Progress that shows nothing."""

    def phase(self, name: str, total: int) -> None:
        """Nothing to show."""

    def advance(self, done: int) -> None:
        """Nothing to show."""

    def close(self) -> None:
        """Nothing to close."""


SILENT = Silent()

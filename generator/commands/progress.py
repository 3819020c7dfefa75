"""A progress bar for long builds on a terminal (tqdm, on stderr); nothing when not a TTY.

tqdm waits `delay` seconds before drawing, so a quick build still prints only its one
summary line; the bar is cleared when the build ends.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Never, TextIO

from generator.build.progress import SILENT, Progress

if TYPE_CHECKING:
    from tqdm import tqdm

DELAY = 0.5  # seconds before a bar appears at all


class Bar:
    """Progress drawn as one tqdm bar per phase."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._bar: tqdm[Never] | None = None

    def phase(self, name: str, total: int) -> None:
        """Start a bar for the phase."""
        from tqdm import tqdm

        self.close()
        self._bar = tqdm(
            total=total, desc=name, unit="petition", file=self.stream, delay=DELAY, leave=False
        )

    def advance(self, done: int) -> None:
        """Move the bar on."""
        if self._bar is not None:
            self._bar.update(done)

    def close(self) -> None:
        """Clear the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def for_terminal(stream: TextIO | None = None, *, quiet: bool = False) -> Progress:
    """A bar when `stream` (default: stderr as it is now) is a terminal and not quiet."""
    out = sys.stderr if stream is None else stream
    if quiet or not out.isatty():
        return SILENT
    return Bar(out)

"""The few exceptions the project raises, each carrying where and why."""

from __future__ import annotations

from dataclasses import dataclass


class PetitionSiteError(Exception):
    """Base of every error this project raises on purpose."""


@dataclass
class ContentError(PetitionSiteError):
    """One problem in one content file, printed like a compiler message."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class ContentErrors(PetitionSiteError):
    """Every problem found in a content folder; the build writes nothing."""

    def __init__(self, errors: list[ContentError]):
        self.errors = sorted(errors, key=lambda e: (e.path, e.line, e.field))
        super().__init__("\n".join(str(e) for e in self.errors))

    def report(self, outcome: str) -> str:
        """Every error compiler-style, one a line, then how many and what followed, e.g.
        `2 errors in 1 file; nothing was written`."""
        files = len({e.path for e in self.errors})
        count = f"{_plural(len(self.errors), 'error')} in {_plural(files, 'file')}; {outcome}"
        return "\n".join([*(str(e) for e in self.errors), count])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class ConfigError(PetitionSiteError):
    """A setting is missing or malformed (store URL, secret, environment)."""


class StoreError(PetitionSiteError):
    """The store could not do what was asked; the client may retry."""


class RateLimited(PetitionSiteError):
    """A client sent more signatures than its limit allows this minute."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"rate limited; retry after {retry_after} s")


class LogError(PetitionSiteError):
    """A petition's public log failed a check or could not be read: `where` names the file
    (a tile's path, `checkpoint`) or the part that failed (a proof, a key)."""

    def __init__(self, where: str, message: str):
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")

"""How every command ends: the project's errors as compiler-style messages and an exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable

from generator.errors import ContentErrors, PetitionSiteError

FAILED = 1


def print_content_errors(errors: ContentErrors, outcome: str) -> None:
    """Print every content error to stderr, then how many and what followed."""
    print(errors.report(outcome), file=sys.stderr)


def reported(work: Callable[[], int], *, outcome: str, after: str = "") -> int:
    """Run a command's work and return its exit status; the project's errors are printed.

    Content errors are listed compiler-style and followed by `outcome` (what was left
    undone); any other error of ours, or of the file system, is one `error: …` line with
    `after` appended (e.g. "; the output was left as it was"), then exit status 1.
    """
    try:
        return work()
    except BrokenPipeError:  # the reader went away; main() ends quietly
        raise
    except ContentErrors as exc:
        print_content_errors(exc, outcome)
    except (PetitionSiteError, OSError) as exc:
        print(f"error: {exc}{after}", file=sys.stderr)
        for note in getattr(exc, "__notes__", ()):
            print(f"  {note}", file=sys.stderr)
    return FAILED

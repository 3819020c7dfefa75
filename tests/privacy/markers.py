"""Personal data the tests sign with, and sweeps that look for it where it must never be.

Tests register the distinctive names and emails they sign with (`register`); at the end
of the session `session_sweep` (called from tests/conftest.py) looks for them in every
built site under pytest's temporary folder and in test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

NAME = "Zzyzx Privacyname"
EMAIL = "zzyzx.privacy@example.org"
SECOND_EMAIL = "zzyzx.second@example.org"
# What gives a signer away, compared case-insensitively: each email, the name, and each
# part of the name on its own (a truncated or re-cased copy is still a leak).
NAME_MARKERS = ("zzyzx", "privacyname")
EMAIL_MARKERS = ("zzyzx.privacy", "zzyzx.second", "privacy@example")
SITE_FOLDERS = ("_site", "out")  # what the build and `serve` (tests/serve/launcher.py) write

_registered: set[str] = set()


def register(*markers: str) -> None:
    """Remember markers of personal data signed with, for the end-of-session sweep."""
    _registered.update(m.lower() for m in markers if m)


def registered() -> frozenset[str]:
    """Every marker registered so far."""
    return frozenset(_registered)


def found_in(data: bytes | str, markers: Iterable[str]) -> list[str]:
    """The markers that occur in `data`, ignoring case."""
    text = data.lower() if isinstance(data, str) else data.decode("utf-8", "replace").lower()
    return sorted({m for m in markers if m.lower() in text})


def sweep(folder: Path, markers: Iterable[str], skip: Iterable[Path] = ()) -> list[str]:
    """`path: marker` for each file under `folder` (not in `skip`) that holds a marker."""
    wanted = list(markers)
    skipped = {p.resolve() for p in skip}
    leaks = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.resolve() not in skipped:
            leaks.extend(f"{path}: {m}" for m in found_in(path.read_bytes(), wanted))
    return leaks


def session_sweep(basetemp: Path, artifacts: Path) -> list[str]:
    """Leaks of any registered marker into a built site under `basetemp` or into `artifacts`."""
    markers = registered()
    folders = [artifacts] if artifacts.is_dir() else []
    if basetemp.is_dir():
        folders += [p for name in SITE_FOLDERS for p in basetemp.rglob(name) if p.is_dir()]
    return [leak for folder in folders for leak in sweep(folder, markers)]

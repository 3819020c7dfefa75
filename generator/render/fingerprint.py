"""What shapes a page besides its content: the code of the render stage, the milestone
arithmetic and the model it reads, and the versions of the libraries that write the HTML.

A build keys every page on these, so an edit to any render module (not just a listed few),
to the goal arithmetic or to the sanitiser's allow-list, or an upgrade of markdown, nh3 or
jinja2 (or of Pillow, which makes the pictures and share cards), re-renders what it may
have changed. Read once per process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path

RENDER_DIR = Path(__file__).resolve().parent
CORE_DIR = RENDER_DIR.parent
# Every module of the render stage, plus the core modules whose values pages print.
SHAPING_FILES = ("milestones.py", "model.py", "content/versions.py")  # versions: the form's
PAGE_LIBRARIES = ("jinja2", "markdown", "nh3", "pillow", "pycountry")  # pycountry: place names
MARKUP_LIBRARIES = ("markdown", "nh3")  # what turns Markdown into the cached HTML


def library_versions(names: Iterable[str]) -> dict[str, str]:
    """The installed version of each library ("unknown" where it has no metadata)."""
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "unknown"
    return found


def digest(files: Iterable[Path], versions: Mapping[str, str]) -> str:
    """sha256 over the files' names and bytes and the library versions, in a stable order."""
    h = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.as_posix()):
        h.update(f"{path.parent.name}/{path.name}\0".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    for name, version in sorted(versions.items()):
        h.update(f"{name}=={version}\0".encode())
    return h.hexdigest()


def shaping_files() -> list[Path]:
    """The source files whose code shapes pages: every module of generator/render, the core's,
    and generator/regions with its tables (the names and maps of "Where supporters are")."""
    folder = CORE_DIR / "regions"
    regions = sorted([*folder.glob("*.py"), *(folder / "data").glob("*.csv")])
    return [
        *sorted(RENDER_DIR.glob("*.py")), *(CORE_DIR / name for name in SHAPING_FILES), *regions,
    ]  # fmt: skip


@cache
def code_fingerprint() -> str:
    """The fingerprint of the code and libraries that shape pages (see the module doc)."""
    return digest(shaping_files(), library_versions(PAGE_LIBRARIES))


@cache
def markup_fingerprint() -> str:
    """The fingerprint of what turns Markdown into sanitised HTML: markup.py, markdown, nh3."""
    return digest([RENDER_DIR / "markup.py"], library_versions(MARKUP_LIBRARIES))[:16]

"""Where petitions are in content/petitions: a file `<slug>.md`, or a folder `<slug>/` (a page
bundle, as Hugo calls it) holding `index.md`, its pictures and `updates/`.

A folder there is always a petition or an error, never silently passed over: one without
index.md is an error naming the folder, and so is a Markdown file in it that nothing would
read (anything but index.md and updates/*.md). Other files (pictures, notes) may sit in a
bundle; only the picture `image.file` names is published. Only the standard library, so the
build can scan for changes without importing the loader.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import NamedTuple

from generator.content.paths import display_path
from generator.errors import ContentError

INDEX = "index.md"  # a bundle's petition file
UPDATES = "updates"  # a bundle's folder of updates
Stat = tuple[int, int]  # size and mtime_ns of a file; a digest of them for a bundle


class Found(NamedTuple):
    """One petition found in content/petitions."""

    name: str  # its file relative to content/petitions: "<slug>.md" or "<slug>/index.md"
    stat: Stat  # changes whenever any file of the petition (a bundle's every file) does
    links: tuple[Path, ...]  # the symbolic links on the way to it (its file, its folder)


def is_bundle(path: Path) -> bool:
    """Whether a petition file is a bundle's index.md (its folder's name is the slug)."""
    return path.name == INDEX


def slug_of(path: Path) -> str:
    """The slug a petition file gives: its folder's name for a bundle, else its own name."""
    return path.parent.name if is_bundle(path) else path.stem


def content_root(petition: Path) -> Path:
    """The content folder a petition file is in (content/ of content/petitions/<slug>.md and
    of content/petitions/<slug>/index.md)."""
    petitions = petition.parent.parent if is_bundle(petition) else petition.parent
    return petitions.parent


def _is_markdown(name: str) -> bool:
    return name.lower().endswith(".md")


def bundle_stat(folder: Path) -> Stat:
    """A stat of a whole bundle: its files' total size and a digest of every file's and
    folder's name, size and mtime (so an edit, a new file, a rename or a removal shows)."""
    h = hashlib.sha256()
    total = 0
    for where, dirs, files in os.walk(folder):
        dirs.sort()
        for name in [".", *sorted(files)]:
            path = os.path.join(where, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            if name != ".":
                total += st.st_size
            h.update(f"{os.path.relpath(path, folder)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return total, int.from_bytes(h.digest()[:8], "big")


def _folder_problem(folder: Path, index: Path) -> ContentError | None:
    """Why a folder in content/petitions is not a petition, or None when it is one."""
    if index.is_file():
        return None
    message = (
        f"a folder in {display_path(folder.parent)}/ is a petition and needs an {INDEX}"
        f" ({display_path(index)}), beside its pictures and {UPDATES}/; add one, or move the"
        " folder out"
    )
    return ContentError(display_path(folder), 1, "folder", message)


def find_petitions(folder: Path) -> tuple[list[Found], list[ContentError]]:
    """The petitions in content/petitions, by name, and the problems of what else is there:
    a folder without index.md, a file called index.md (the name is a bundle's)."""
    found: list[Found] = []
    problems: list[ContentError] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return found, problems
    for e in entries:
        if e.name.startswith("."):
            continue
        path = folder / e.name
        link = (path,) if e.is_symlink() else ()
        if e.is_dir():
            index = path / INDEX
            problem = _folder_problem(path, index)
            if problem is not None:
                problems.append(problem)
                continue
            links = (*link, index) if index.is_symlink() else link
            found.append(Found(f"{e.name}/{INDEX}", bundle_stat(path), links))
        elif _is_markdown(e.name) and e.is_file():
            if e.name.lower() == INDEX:
                message = (
                    f"{INDEX} is a bundle's file name: name the file after its slug"
                    f" (<slug>.md), or put it in a folder, <slug>/{INDEX}"
                )
                problems.append(ContentError(display_path(path), 1, "file", message))
                continue
            st = e.stat()
            found.append(Found(e.name, (st.st_size, st.st_mtime_ns), link))
    return found, problems


def stray_files(bundle: Path) -> list[ContentError]:
    """An error for each Markdown file in a bundle that nothing reads: anything but its
    index.md and what is in updates/ (updates/ is checked with the updates)."""
    errors = []
    for where, dirs, files in os.walk(bundle):
        here = Path(where)
        skipped = [d for d in dirs if d.startswith(".") or (here == bundle and d == UPDATES)]
        dirs[:] = sorted(set(dirs) - set(skipped))
        for name in sorted(files):
            if name.startswith(".") or (here == bundle and name == INDEX):
                continue
            if _is_markdown(name):
                message = (
                    f"only {INDEX} is read in a petition's folder; an update goes in"
                    f" {UPDATES}/ as YYYY-MM-DD-<name>.md"
                )
                errors.append(ContentError(display_path(here / name), 1, "file", message))
    return errors

"""Paths of content files: as messages show them, whether one leads outside content/, and
whether a petition's picture file changed since it was read.

Apart from loading.py so that the file a petition names (its picture) is checked by the same
rules as the files the loader finds itself; only the standard library, so the build's
content cache can ask about pictures without importing the loader.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from generator.model import Petition


def display_path(path: Path) -> str:
    """The path as messages show it: relative to the current directory when under it."""
    absolute = Path(os.path.abspath(path))
    cwd = os.getcwd()
    return str(absolute.relative_to(cwd)) if absolute.is_relative_to(cwd) else str(path)


def outside(root: Path, path: Path) -> bool:
    """Whether `path` (under `root`) leads, through links, to somewhere outside `root`."""
    try:
        return not path.resolve(strict=False).is_relative_to(root.resolve(strict=False))
    except (OSError, RuntimeError):  # a loop of links leads nowhere good either
        return True


Stat = tuple[int, int]  # size, mtime_ns
PictureStat = tuple[str, Stat]  # a petition's picture file (Picture.path) and its Stat
_UNKNOWN: Stat = (-1, -1)  # matches no file: the petition is read again next time


def picture_stat(petition: Petition) -> PictureStat | None:
    """The stat of a petition's picture file as it was read (None: it has none). Taken after
    reading, so the bytes are hashed again: a picture changed in between gets a stat that
    matches nothing, and the next build reads the petition again."""
    if petition.image is None:
        return None
    path = petition.image.path
    try:
        st = os.stat(path)
        with open(path, "rb") as f:
            same = hashlib.file_digest(f, "sha256").hexdigest() == petition.image.digest
    except OSError:
        return path, _UNKNOWN
    return path, (st.st_size, st.st_mtime_ns) if same else _UNKNOWN


def picture_moved(picture: PictureStat | None) -> bool:
    """Whether a petition's picture file is no longer as it was when the petition was read."""
    if picture is None:
        return False
    path, was = picture
    try:
        st = os.stat(path)
    except OSError:
        return True
    return (st.st_size, st.st_mtime_ns) != was

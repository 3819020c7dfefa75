"""A petition's `image`: a picture file in the repository, with its alt text and credit.

    image:
      file: pictures/pool.jpg
      alt: Children swimming at Kowhai Bay pool
      credit: Photo by Jane Doe (CC BY 4.0)

The field is read as written (`PictureKind`), then `find_picture` finds the file beside the
petition or under content/, refuses one that leads outside content/, and checks that it is
a JPEG, PNG or WebP picture big enough to show; every problem at the `file` line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from yaml.nodes import MappingNode, Node

from generator.content.bundles import content_root
from generator.content.fields import Field, Mapping
from generator.content.imagesize import image_info
from generator.content.kinds import INVALID, Text, describe
from generator.content.paths import display_path, outside
from generator.content.report import Report, Values
from generator.model import Picture

MIN_LONG_SIDE, MIN_SHORT_SIDE = 480, 240  # pixels: smaller is blurred at the page's width
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; beyond it resizing needs too much memory
MAX_BYTES = 20_000_000
FORMATS = "JPEG, PNG or WebP"
_FILE_NAME = re.compile(r"\S+\.(jpe?g|png|webp|gif|avif)", re.I)
_EXAMPLE = "e.g. file: pictures/pool.jpg and alt: Children swimming at the pool"


@dataclass(frozen=True)
class PictureSource:
    """The `image` mapping as written: the file it names, not yet found."""

    file: str
    alt: str
    credit: str = ""
    line: int = 0  # the file line of `file`, where problems with the file are reported


def _source(values: Values, report: Report, field: str) -> Any:
    """A PictureSource, once the alt text says what the picture shows (not its file name)."""
    if _FILE_NAME.fullmatch(values["alt"]):
        message = "say what the picture shows, for people who cannot see it; not its file name"
        report.add(values.lines["alt"], f"{field}.alt", message)
        return INVALID
    return PictureSource(
        values["file"], values["alt"], values.get("credit", ""), values.lines["file"]
    )


class PictureKind(Mapping):
    """The `image` field: a mapping of file, alt and credit; a bare file name or URL is
    refused with what to write instead, since alt text is required."""

    label = "picture"

    def __init__(self) -> None:
        super().__init__(
            fields=(
                Field(
                    "file",
                    Text(300, label="file path"),
                    f"a {FORMATS} file beside the petition or under content/ (e.g."
                    f" pictures/pool.jpg), at least {MIN_LONG_SIDE} pixels on its longer side"
                    f" and {MIN_SHORT_SIDE} on its shorter",
                    True,
                ),
                Field(
                    "alt", Text(300), "what the picture shows, for people who cannot see it", True
                ),
                Field("credit", Text(200), "who made it and its licence, shown as its caption"),
            ),
            build=_source,
            model=PictureSource,
        )

    def read(self, node: Node, field: str, report: Report) -> Any:
        """The PictureSource, or INVALID after reporting every problem."""
        if not isinstance(node, MappingNode):
            message = (
                f"expected a picture with file and alt text ({_EXAMPLE}), got {describe(node)}"
            )
            report.add(node, field, message)
            return INVALID
        return super().read(node, field, report)


def candidates(file: str, petition: Path) -> list[Path]:
    """Where a picture's file may be, in order: beside the petition file (in its folder for a
    bundle), then under the content folder; only the latter for a path from `/`."""
    content = content_root(petition)
    written = PurePosixPath(file)
    if written.is_absolute():
        return [content / written.relative_to("/")]
    return list(dict.fromkeys([petition.parent / written, content / written]))


def find_picture(source: PictureSource, petition: Path, report: Report) -> Picture | None:
    """The Picture a petition's `image` names, or None after reporting why it cannot be shown
    (at the line of `file`, as field image.file)."""
    content = content_root(petition)
    places = candidates(source.file, petition)
    found = next((p for p in places if _exists(p)), None)

    def refuse(message: str) -> None:
        report.add(source.line, "image.file", message)

    if found is None:
        tried = " or ".join(display_path(p) for p in places)
        refuse(f"no such file: looked for {tried}")
        return None
    shown = display_path(found)
    if outside(content, found):
        refuse(f"{shown} is outside {display_path(content)}/; pictures must be under it")
        return None
    if not _is_file(found):
        refuse(f"{shown} is not a file")
        return None
    try:
        size = found.stat().st_size
        data = found.read_bytes() if size <= MAX_BYTES else b""
    except OSError as e:
        refuse(f"{shown} cannot be read: {e.strerror}")
        return None
    if size > MAX_BYTES:
        refuse(f"{shown} is {size / 1e6:.1f} MB; at most {MAX_BYTES / 1e6:.0f} MB")
        return None
    info = image_info(data)
    if info is None:
        refuse(f"{shown} is not a {FORMATS} picture")
        return None
    long_side, short_side = max(info.width, info.height), min(info.width, info.height)
    dimensions = f"{info.width} × {info.height} pixels"
    if long_side < MIN_LONG_SIDE or short_side < MIN_SHORT_SIDE:
        refuse(
            f"{shown} is too small ({dimensions}); at least {MIN_LONG_SIDE} on its longer side"
            f" and {MIN_SHORT_SIDE} on its shorter"
        )
        return None
    if info.width * info.height > MAX_PIXELS:
        refuse(f"{shown} is too large ({dimensions}); at most {MAX_PIXELS // 1_000_000} megapixels")
        return None
    digest = hashlib.sha256(data).hexdigest()
    return Picture(shown, source.alt, info.width, info.height, digest, source.credit)


def _exists(path: Path) -> bool:
    """Whether something is at `path`; False also for a name the system refuses (too long)."""
    try:
        return path.exists()
    except OSError:
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False

"""A petition's picture resized for its page: a few widths, each as WebP and as JPEG.

`variants(picture)` says which files there are (widths, heights, names) from the Picture
alone, without decoding it, so any page can link them; `encode(data, wanted)` makes their
bytes (Pillow, imported only then). Pure: the same bytes in, the same bytes out.

Widths are 480, 800 and 1200 pixels, never above the picture's own width (a narrower picture
gets its own width instead of the ones it cannot fill). WebP is what browsers take; JPEG
is the fallback of `<img>`. AVIF is left out: Pillow encodes it 10-20 times slower than WebP
for a few per cent fewer bytes at these sizes. Names carry a hash of the picture's bytes, so
a file may be cached for a year: a new picture is a new name. (Not of the recipe: the content
cache keeps the index cards' picture URLs, which must not go stale when this code changes;
a changed recipe re-encodes the same picture at the same size, under the same name.)
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from generator.model import Picture
from generator.render.fingerprint import digest, library_versions

if TYPE_CHECKING:
    from PIL.Image import Image

WIDTHS = (480, 800, 1200)
NEAR = 0.9  # a width within 10 % of the picture's own is left to the picture's own
Format = Literal["webp", "jpeg"]
FORMATS: tuple[Format, ...] = ("webp", "jpeg")
SUFFIX = {"webp": "webp", "jpeg": "jpg"}
MIME = {"webp": "image/webp", "jpeg": "image/jpeg"}
WEBP_QUALITY, JPEG_QUALITY = 80, 82
VARIANT_NAME = re.compile(r"picture-\d+\.[0-9a-f]{12}\.(webp|jpg)")  # never changes: cacheable
WHITE = (255, 255, 255)


class PictureDecodeError(ValueError):
    """The picture's bytes are not a picture Pillow can read (though its header looked so)."""


@dataclass(frozen=True)
class Variant:
    """One resized file of a picture."""

    width: int
    height: int
    format: Format
    name: str  # the file's name in the petition's folder, e.g. picture-800.1f2e3d4c5b6a.webp

    @property
    def mime(self) -> str:
        """Its media type, as a <source type> says it."""
        return MIME[self.format]


@cache
def recipe() -> str:
    """What shapes the files besides the picture: this module's code and Pillow's version
    (part of where media.py keeps them)."""
    return digest([Path(__file__)], library_versions(["pillow"]))[:16]


def widths(width: int) -> tuple[int, ...]:
    """The widths a picture `width` pixels wide is resized to, narrowest first."""
    widest = min(width, WIDTHS[-1])
    return (*(w for w in WIDTHS if w <= widest * NEAR), widest)


def variants(picture: Picture) -> tuple[Variant, ...]:
    """Every file of a picture: each width as WebP, then each as JPEG."""
    tag = picture.digest[:12]
    sized = [(w, max(1, round(picture.height * w / picture.width))) for w in widths(picture.width)]
    return tuple(
        Variant(w, h, fmt, f"picture-{w}.{tag}.{SUFFIX[fmt]}") for fmt in FORMATS for w, h in sized
    )


def srcset(files: Sequence[Variant], urls: str) -> str:
    """A srcset of these files under the folder URL `urls` (ending in /), widest last."""
    return ", ".join(f"{urls}{v.name} {v.width}w" for v in files)


def encode(data: bytes, wanted: Sequence[Variant]) -> dict[str, bytes]:
    """The bytes of each wanted variant of the picture `data`, by name (decoded once)."""
    if not wanted:
        return {}
    upright = _upright(data, max(v.width for v in wanted), max(v.height for v in wanted))
    profile = upright.info.get("icc_profile")
    out = {}
    for v in wanted:
        resized = upright.resize((v.width, v.height), _lanczos(), reducing_gap=3.0)
        buffer = io.BytesIO()
        if v.format == "webp":
            resized.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4, icc_profile=profile)
        else:
            resized.save(
                buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True,
                icc_profile=profile,
            )  # fmt: skip
        out[v.name] = buffer.getvalue()
    return out


def _lanczos() -> int:
    from PIL import Image

    return Image.Resampling.LANCZOS


def _upright(data: bytes, width: int, height: int) -> Image:
    """The picture decoded in RGB, turned upright (a JPEG's EXIF orientation), transparency
    laid on white; a JPEG is decoded at a reduced scale when the widest file allows it."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        opened = Image.open(io.BytesIO(data))
        picture: Image.Image = opened
        if opened.format == "JPEG":
            sideways = opened.getexif().get(0x0112, 1) in (5, 6, 7, 8)
            opened.draft("RGB", (height, width) if sideways else (width, height))
            picture = ImageOps.exif_transpose(opened)
        else:
            opened.seek(0)  # an animated WebP shows its first frame
        profile = picture.info.get("icc_profile")
        if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
            rgba = picture.convert("RGBA")
            flat = Image.new("RGB", rgba.size, WHITE)
            flat.paste(rgba, mask=rgba.getchannel("A"))
            picture = flat
        else:
            picture = picture.convert("RGB")
        picture.load()
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as e:
        raise PictureDecodeError(str(e) or type(e).__name__) from e
    if profile:
        picture.info["icc_profile"] = profile
    return picture

"""What kind of picture a file holds and its size in pixels, read from its first bytes.

Only the standard library: the signing function loads content (and so checks pictures)
at cold start without an imaging library. JPEG, PNG and WebP are recognised. A JPEG's EXIF
orientation is applied (phones store a portrait photo on its side and say so there), as
the build applies it when it resizes the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG's start-of-frame markers (baseline, progressive, lossless, ...); C4, C8 and CC are not.
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_STANDALONE = frozenset({0x01, 0xD8, *range(0xD0, 0xD8)})  # markers without a length
_SIDEWAYS = frozenset({5, 6, 7, 8})  # EXIF orientations that turn the picture a quarter
_ORIENTATION_TAG = 0x0112


@dataclass(frozen=True)
class ImageInfo:
    """A picture's format and its upright size in pixels."""

    format: Literal["jpeg", "png", "webp"]
    width: int
    height: int


def image_info(data: bytes) -> ImageInfo | None:
    """The format and upright size of a JPEG, PNG or WebP file's bytes; None for anything
    else (or a file cut short before its size)."""
    found: ImageInfo | None = None
    if data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR" and len(data) >= 24:
        found = ImageInfo("png", _big(data[16:20]), _big(data[20:24]))
    elif data.startswith(b"\xff\xd8"):
        found = _jpeg(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        found = _webp(data)
    if found is None or found.width < 1 or found.height < 1:
        return None
    return found


def _big(raw: bytes) -> int:
    return int.from_bytes(raw, "big")


def _little(raw: bytes) -> int:
    return int.from_bytes(raw, "little")


def _jpeg(data: bytes) -> ImageInfo | None:
    """Walk the segments to the frame header, noting the EXIF orientation on the way."""
    at, orientation = 2, 1
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker in _STANDALONE:
            at += 2
            continue
        length = _big(data[at + 2 : at + 4])
        segment = data[at + 4 : at + 2 + length]
        if length < 2 or len(segment) < length - 2:
            return None
        if marker == 0xE1 and segment.startswith(b"Exif\0\0"):
            orientation = _orientation(segment[6:])
        elif marker in _SOF:
            if len(segment) < 5:
                return None
            height, width = _big(segment[1:3]), _big(segment[3:5])
            if orientation in _SIDEWAYS:
                width, height = height, width
            return ImageInfo("jpeg", width, height)
        elif marker == 0xDA:  # image data before any frame header
            return None
        at += 2 + length
    return None


def _orientation(tiff: bytes) -> int:
    """The orientation tag of an EXIF block's first directory (1, upright, when absent)."""
    order: Literal["little", "big"]
    if tiff[:2] == b"II":
        order = "little"
    elif tiff[:2] == b"MM":
        order = "big"
    else:
        return 1
    if len(tiff) < 8:
        return 1
    start = int.from_bytes(tiff[4:8], order)
    if start + 2 > len(tiff):
        return 1
    for n in range(int.from_bytes(tiff[start : start + 2], order)):
        entry = start + 2 + 12 * n
        if entry + 12 > len(tiff):
            break
        if int.from_bytes(tiff[entry : entry + 2], order) == _ORIENTATION_TAG:
            return int.from_bytes(tiff[entry + 8 : entry + 10], order)
    return 1


def _webp(data: bytes) -> ImageInfo | None:
    """The canvas of a lossy (VP8), lossless (VP8L) or extended (VP8X) WebP file."""
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a" and len(data) >= 30:
        return ImageInfo("webp", _little(data[26:28]) & 0x3FFF, _little(data[28:30]) & 0x3FFF)
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = _little(data[21:25])
        return ImageInfo("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X" and len(data) >= 30:
        return ImageInfo("webp", _little(data[24:27]) + 1, _little(data[27:30]) + 1)
    return None

"""Pictures for tests: drawn by Pillow (the same bytes every run), and the fixture's."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from generator.content.imagesize import image_info
from generator.model import Picture
from tests.support.fixture_site import CONTENT

FIXTURE_PICTURE = CONTENT / "pictures" / "harbour-pool.jpg"  # 1000 by 600, the harbour pool
FIXTURE_ALT = "The Harbour Pool's lanes on a clear winter morning, the hills behind"


def picture_bytes(width: int, height: int, fmt: str = "JPEG", shade: int = 0, **save: Any) -> bytes:
    """A picture of this size: a gradient and a disc (`shade` moves their colours, so two
    shades are two different pictures)."""
    mode = "RGBA" if fmt == "PNG" and save.pop("alpha", False) else "RGB"
    image = Image.new(mode, (width, height), (200, 220, 240))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 8):
        draw.rectangle((0, y, width, y + 8), fill=((y + shade) % 256, 120, (255 - y) % 256))
    draw.ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=(250, 200, 60))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def write_picture(path: Path, width: int = 1000, height: int = 600, **kwargs: Any) -> Path:
    """picture_bytes written to `path` (folders made); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(picture_bytes(width, height, **kwargs))
    return path


def picture_of(path: Path, alt: str = FIXTURE_ALT, credit: str = "") -> Picture:
    """The Picture the content loader makes of a file (no checks)."""
    data = path.read_bytes()
    info = image_info(data)
    assert info is not None, f"{path} is not a picture"
    digest = hashlib.sha256(data).hexdigest()
    return Picture(str(path), alt, info.width, info.height, digest, credit)

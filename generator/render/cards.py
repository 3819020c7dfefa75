"""A petition's share card: the 1200 by 630 PNG that social sites show for a shared link.

The target, the title, the count and the site's name in DejaVu Sans, and the petition's
picture, when it has one, on the right. A long title wraps and shrinks to fit its box, and
at the smallest size is cut with an ellipsis: nothing overflows. Everything is drawn in
shades of one ink on white, so a card without a picture is a palette PNG (a third of the
bytes and of the time of a full-colour one). Pure: the same text, picture and fonts always
give the same bytes (Pillow's basic layout, no system shaping library involved).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from generator.render.fonts import Fonts

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageFont import FreeTypeFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
PANEL = 440  # the picture's width, at the right; the text keeps the rest
BAR = 14  # the ink bar along the top
PAPER, INK = (255, 255, 255), (17, 42, 79)
FULL, SOFT = 255, 165  # shades of ink: 0 is paper, 255 ink
TITLE_SIZES = (68, 60, 52, 46, 40, 36)  # pixels, tried in turn until the title fits
LEADING = 1.2  # line height as a multiple of the font size
TITLE_TOP, TITLE_BOTTOM = 128, 468
ELLIPSIS = "…"


@dataclass(frozen=True)
class CardText:
    """What a card says."""

    title: str
    target: str
    count: str  # e.g. "731 signatures" (count_line)
    site: str


def count_line(count: int, status: str) -> str:
    """The count as a card says it, with the outcome of a finished petition."""
    noun = "signature" if count == 1 else "signatures"
    outcome = {"won": "Won · ", "closed": "Closed · "}.get(status, "")
    return f"{outcome}{count:,} {noun}"


def render_card(text: CardText, fonts: Fonts, picture: bytes | None = None) -> bytes:
    """The card's PNG bytes; `picture` (any format Pillow reads) is cropped into the panel."""
    from PIL import Image, ImageDraw

    inner = WIDTH - 2 * MARGIN - (PANEL if picture else 0)
    canvas = Image.new("L", (WIDTH, HEIGHT), 0)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, WIDTH - (PANEL if picture else 0), BAR - 1), fill=FULL)
    small = _font(str(fonts.regular), 32)
    target = ellipsize(f"To: {' '.join(text.target.split())}", small, inner)
    draw.text((MARGIN, 62), target, font=small, fill=SOFT, anchor="la")
    font, lines = fit_title(text.title, str(fonts.bold), inner, TITLE_BOTTOM - TITLE_TOP)
    step = round(font.size * LEADING)
    for n, line in enumerate(lines):
        draw.text((MARGIN, TITLE_TOP + n * step), line, font=font, fill=FULL, anchor="la")
    count = _font(str(fonts.bold), 44)
    draw.text((MARGIN, 494), ellipsize(text.count, count, inner), font=count, fill=FULL)
    site = _font(str(fonts.regular), 30)
    draw.text((MARGIN, 562), ellipsize(text.site, site, inner), font=site, fill=SOFT)
    card = Image.frombytes("P", canvas.size, canvas.tobytes())
    card.putpalette(_palette())
    if picture:
        card = card.convert("RGB")
        card.paste(_panel(picture), (WIDTH - PANEL, 0))
    out = io.BytesIO()
    card.save(out, "PNG", compress_level=3)  # twice as quick as 6, a fifth more bytes
    return out.getvalue()


def fit_title(title: str, bold: str, width: int, height: int) -> tuple[FreeTypeFont, list[str]]:
    """The largest title size whose wrapped lines fit the box, and those lines; at the
    smallest size, the lines that fit, the last one ending in an ellipsis."""
    for size in TITLE_SIZES:
        font = _font(bold, size)
        lines = wrap(title, font, width)
        if len(lines) * round(size * LEADING) <= height:
            return font, lines
    keep = max(1, height // round(size * LEADING))
    return font, [
        *lines[: keep - 1],
        ellipsize(" ".join(lines[keep - 1 :]) + " ", font, width, True),
    ]


def wrap(text: str, font: FreeTypeFont, width: int) -> list[str]:
    """The text in lines no wider than `width`, broken at spaces (inside a word only when the
    word alone is wider)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        joined = f"{line} {word}" if line else word
        if font.getlength(joined) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        while len(word) > 1 and font.getlength(word) > width:
            cut = max(1, _fitting(word, font, width))
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    return [*lines, line] if line else lines


def ellipsize(text: str, font: FreeTypeFont, width: int, cut: bool = False) -> str:
    """The text if it fits in `width`, else as much of it as fits with an ellipsis after
    (`cut`: the ellipsis whether or not it fits, since more text followed)."""
    if not cut and font.getlength(text) <= width:
        return text
    kept = text.rstrip()
    while kept and font.getlength(kept + ELLIPSIS) > width:
        kept = kept[:-1].rstrip()
    return kept + ELLIPSIS


def _fitting(word: str, font: FreeTypeFont, width: int) -> int:
    """How many of the word's first characters fit in `width`."""
    n = 0
    while n < len(word) and font.getlength(word[: n + 1]) <= width:
        n += 1
    return n


@lru_cache(maxsize=32)
def _font(path: str, size: int) -> FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=1)
def _palette() -> list[int]:
    """Shade n of 256 as a colour: paper blended towards ink."""
    return [
        round(p + (i - p) * n / 255) for n in range(256) for p, i in zip(PAPER, INK, strict=True)
    ]


def _panel(picture: bytes) -> Image:
    """The picture cropped to fill the panel, centred."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(picture)) as opened:
        return ImageOps.fit(opened.convert("RGB"), (PANEL, HEIGHT), Image.Resampling.LANCZOS)

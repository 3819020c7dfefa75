"""A petition's count badge, `petitions/<slug>/badge.svg`: "signatures | 1,234" in the
flat style of shields.io, for READMEs and newsletters.

Re-rendered with the petition's page, so it moves with the count (a minute behind at most,
as the page). The text is laid out with Verdana's advance widths and pinned with
`textLength`, so it fits whichever font the reader's system substitutes. Pure: numbers in,
bytes out.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

LABEL = "signatures"
HEIGHT = 20
PADDING = 6  # either side of each text
COLOURS = {"open": "#a3124f", "won": "#1b6b34", "closed": "#555"}  # white text on each: AA
# Advance widths of Verdana at 11 px (what shields.io measures with), for what badges hold.
WIDTHS = {
    **dict.fromkeys("0123456789", 7.0),
    ",": 3.6, ".": 3.6, " ": 3.9,
    "a": 6.7, "e": 6.6, "g": 6.9, "i": 3.0, "n": 7.0, "r": 4.7, "s": 5.7, "t": 4.3, "u": 7.0,
}  # fmt: skip
DEFAULT_WIDTH = 7.0


def text_width(text: str) -> float:
    """The width in pixels `text` takes in Verdana at 11 px."""
    return sum(WIDTHS.get(c, DEFAULT_WIDTH) for c in text)


def badge_svg(count: int, title: str, status: str = "open") -> bytes:
    """The badge for a petition titled `title` with `count` signatures (its colour by status)."""
    value = f"{count:,}"
    noun = "signature" if count == 1 else "signatures"
    described = f"{title}: {value} {noun}"
    label_w, value_w = (round(text_width(t)) + 2 * PADDING for t in (LABEL, value))
    width = label_w + value_w
    colour = COLOURS.get(status, COLOURS["closed"])

    def text(x: float, content: str) -> str:
        # At 10x scale, as shields.io does, so the text is placed to a tenth of a pixel.
        length = round(text_width(content) * 10)
        return (
            f'<text x="{round(x * 10)}" y="140" transform="scale(.1)" '
            f'textLength="{length}">{escape(content)}</text>'
        )

    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label={quoteattr(described)}>'
        f"<title>{escape(described)}</title>"
        f'<clipPath id="r"><rect width="{width}" height="{HEIGHT}" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{label_w}" height="{HEIGHT}" fill="#555"/>'
        f'<rect x="{label_w}" width="{value_w}" height="{HEIGHT}" fill="{colour}"/></g>'
        f'<g fill="#fff" text-anchor="middle" font-size="110" '
        f'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision">'
        f"{text(label_w / 2, LABEL)}{text(label_w + value_w / 2, value)}</g></svg>\n"
    )
    return svg.encode("utf-8")

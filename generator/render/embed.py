"""Putting a petition on other sites: its embed page for an `<iframe>`, its count badge, and
the code to copy for each (shown on the petition's page).

The embed page (`petitions/<slug>/embed/`) is the one page of the site that other sites may
frame; its link to sign opens the petition in a new tab, never inside the frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

EMBED_FOLDER = "embed"
BADGE_FILE = "badge.svg"
FRAME_WIDTH, FRAME_HEIGHT = 360, 280  # what the copied <iframe> asks for, in CSS pixels


@dataclass(frozen=True)
class EmbedCodes:
    """What the petition page offers to copy, and the addresses they point at."""

    iframe: str  # an <iframe> of the embed page, for a web page
    badge_markdown: str  # the badge linking to the petition, for a README
    badge_html: str  # the same in HTML, for a newsletter
    embed_url: str
    badge_url: str


def embed_path(slug: str) -> str:
    """Output path of a petition's embed page."""
    return f"petitions/{slug}/{EMBED_FOLDER}/index.html"


def badge_path(slug: str) -> str:
    """Output path of a petition's count badge."""
    return f"petitions/{slug}/{BADGE_FILE}"


def embed_codes(canonical: str, title: str) -> EmbedCodes:
    """The code to copy for the petition at absolute URL `canonical` (ending in /)."""
    embed_url, badge_url = canonical + EMBED_FOLDER + "/", canonical + BADGE_FILE
    alt = f"Signatures for {title}"
    markdown_alt = alt.replace("\\", "").replace("[", "(").replace("]", ")")
    return EmbedCodes(
        iframe=(
            f'<iframe src="{embed_url}" title="{escape(title)}" width="{FRAME_WIDTH}" '
            f'height="{FRAME_HEIGHT}" style="border:0;max-width:100%" loading="lazy"></iframe>'
        ),
        badge_markdown=f"[![{markdown_alt}]({badge_url})]({canonical})",
        badge_html=f'<a href="{canonical}"><img src="{badge_url}" alt="{escape(alt)}"></a>',
        embed_url=embed_url,
        badge_url=badge_url,
    )

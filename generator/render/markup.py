"""Markdown to safe HTML: Python-Markdown renders, nh3 keeps only an allow-list.

Organisers' Markdown is trusted to be well meant, not to be safe: whatever raw HTML or
odd link it holds, only the tags, attributes and URL schemes below reach the page.
"""

from __future__ import annotations

import html
import re
import threading
import xml.etree.ElementTree as ET

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor

# The body sits under the page's <h2>, so its own headings start at <h3>.
TOP_HEADING = 3

# "extra" without md_in_html (Markdown inside raw HTML), attr_list (author-set ids,
# classes and attributes) and footnotes (ids that could clash with the page's own).
EXTENSIONS = ("abbr", "def_list", "fenced_code", "tables", "sane_lists")

TAGS = frozenset(
    {
        "p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote", "code",
        "pre", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
        "img", "abbr", "dl", "dt", "dd", "del", "sup", "sub",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"

_HEADING = re.compile(r"h([1-6])")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_TAG = re.compile(
    r"</?(?:p|br|li|ul|ol|h[1-6]|hr|blockquote|pre|table|tr|th|td|dl|dt|dd)\b[^>]*>"
)
_SPACE = re.compile(r"\s+")
# nh3's output quotes every attribute value and escapes '"', '<' and '>' inside it.
_IMG = re.compile(r'<img((?:\s[\w-]+(?:="[^"]*")?)*)\s*/?>')
_ATTRIBUTE = re.compile(r'\s([\w-]+)(?:="[^"]*")?')


class _ShiftHeadings(Treeprocessor):
    """Moves headings down so the first is TOP_HEADING and none skips a level."""

    def run(self, root: ET.Element) -> None:
        headings = [
            (el, int(m.group(1))) for el in root.iter() if (m := _HEADING.fullmatch(el.tag))
        ]
        if not headings:
            return
        shift = TOP_HEADING - min(level for _, level in headings)
        previous = TOP_HEADING - 1
        for element, level in headings:
            new = min(level + shift, previous + 1, 6)
            element.tag = f"h{new}"
            previous = new


class _ShiftHeadingsExtension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ShiftHeadings(md), "shift_headings", 1)


_local = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's Markdown instance, created once and reset between documents."""
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(extensions=[*EXTENSIONS, _ShiftHeadingsExtension()])
        _local.md = md
    return md


def sanitise(fragment: str) -> str:
    """The HTML fragment with everything outside the allow-list removed."""
    return nh3.clean(
        fragment,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        strip_comments=True,
    )


def _with_alt(match: re.Match[str]) -> str:
    attributes = match.group(1)
    names = _ATTRIBUTE.findall(attributes)
    return match.group(0) if "alt" in names else f'<img alt=""{attributes}>'


def render_markdown(text: str) -> str:
    """Safe HTML for a piece of organiser-written Markdown (a petition's ask or body)."""
    md = _converter()
    try:
        rendered = md.convert(text)
    finally:
        md.reset()
    # An image without alt text (raw HTML) is taken as decorative rather than left invalid.
    return _IMG.sub(_with_alt, sanitise(rendered))


def plain_text(fragment: str, limit: int | None = None) -> str:
    """The words of an HTML fragment on one line, cut at a word to at most `limit` characters."""
    words = _TAG.sub("", _BLOCK_TAG.sub(" ", fragment))
    text = _SPACE.sub(" ", html.unescape(words)).strip()
    if limit is None or len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"

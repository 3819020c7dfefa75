"""Find live script in built output: script elements, event handlers, javascript: URLs.

`live_script(html)` lists what a browser would run in a page or fragment; `site_problems(out)`
does so for every HTML file of a built site, for the HTML inside its Atom feed (readers
render `type="html"` text as HTML), and checks that the feed and sitemap are well-formed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# the site's own and only scripts: signing and the live count, and the receipt's check
SITE_SCRIPT = re.compile(r"/assets/(?:sign|receipt)\.[0-9a-f]+\.js")
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcset", "background"}
)
_IGNORED = re.compile(r"[\x00-\x20]")  # browsers skip these inside a URL's scheme


def _scripted_url(value: str) -> bool:
    return _IGNORED.sub("", value).lower().startswith(("javascript:", "vbscript:", "data:text"))


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>: event handler")
            if name in URL_ATTRIBUTES and _scripted_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>: script URL")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append(f"<meta http-equiv=refresh content={values.get('content')!r}>")
        if tag in ("iframe", "object", "embed", "base", "frame"):
            self.problems.append(f"<{tag}>: embeds or redirects content")
        if tag == "script":
            self._in_script = True
            if not SITE_SCRIPT.fullmatch(values.get("src", "")):
                self.problems.append(f"<script src={values.get('src')!r}>: not the site's script")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"<script> with inline code {data[:60]!r}")


def live_script(html: str) -> list[str]:
    """What a browser would run in this HTML: one description per script, handler or URL."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems


def _feed_problems(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    problems = []
    for element in root.iter():
        if element.get("type") in ("html", "xhtml") and element.text:
            problems += [f"{element.tag}: {p}" for p in live_script(element.text)]
        href = element.get("href")
        if href is not None and _scripted_url(href):
            problems.append(f"{element.tag} href={href!r}: script URL")
    return problems


def _sitemap_problems(path: Path, base_url: str) -> list[str]:
    root = ET.parse(path).getroot()
    return [
        f"sitemap loc {loc.text!r} is not under {base_url}"
        for loc in root.iter(f"{SITEMAP}loc")
        if not (loc.text or "").startswith(base_url + "/")
    ]


def site_problems(out: Path, base_url: str) -> list[str]:
    """Live script anywhere in a built site, as `file: problem` lines (empty when clean)."""
    problems: list[str] = []
    for path in sorted(out.rglob("*.html")):
        rel = path.relative_to(out)
        problems += [f"{rel}: {p}" for p in live_script(path.read_text(encoding="utf-8"))]
    problems += [f"feed.xml: {p}" for p in _feed_problems(out / "feed.xml")]
    problems += [f"sitemap.xml: {p}" for p in _sitemap_problems(out / "sitemap.xml", base_url)]
    return problems

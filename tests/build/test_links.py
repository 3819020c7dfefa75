"""Every internal link and asset in the built fixture site leads to a file that exists."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.support.fixture_site import build_fixture

API_PREFIX = "/api/"  # the signing app's routes: served by the function, not files


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.urls.append(value)


def target(site: Path, url: str) -> Path:
    """The file a root-relative URL names: `/x/` is `x/index.html`."""
    path = unquote(urlsplit(url).path)
    return site / (path.lstrip("/") + "index.html" if path.endswith("/") else path.lstrip("/"))


def broken_links(site: Path) -> list[str]:
    """`page: url` for every root-relative href/src in the site without a file behind it."""
    broken = []
    for page in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text("utf-8"))
        for url in parser.urls:
            internal = url.startswith("/") and not url.startswith("//")
            if internal and not url.startswith(API_PREFIX) and not target(site, url).is_file():
                broken.append(f"{page.relative_to(site)}: {url}")
    return broken


def test_fixture_site_has_no_broken_internal_links(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_fixture(site, tmp_path / "cache")
    pages = list(site.rglob("*.html"))
    # the index, 404, the receipt, seven pages of each of the four petitions (its own, four
    # landing pages, its embed, its text's history), two updates' pages, the three status
    # lists, the page of tags and the seven tags' pages (the timeline links the updates: these
    # links are checked)
    assert len(pages) == 44
    assert broken_links(site) == []


def test_checker_finds_a_broken_link(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<a href="/a/">ok</a> <img src="/gone.png">')
    assert broken_links(tmp_path) == ["a/index.html: /gone.png"]

"""Site-wide pages: the index and its pages, the feed, the sitemap, robots.txt, 404, assets."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from generator.errors import ConfigError
from generator.model import Milestone, Tally
from generator.render.feeds import page_links
from generator.render.pages import Entry, Renderer
from tests.pages.factories import TEMPLATES, make_entry, make_petition, make_site, seed_tally
from tests.pages.html_tree import Node, parse
from tests.pages.test_script import BUDGET as SCRIPT_BUDGET

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def entry(slug: str, title: str, status: str = "open", count: int = 0, day: int = 1) -> Entry:
    created = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=day)
    return make_entry(
        make_petition(slug, title=title, status=status, created=created), Tally(count)
    )


def many(n: int) -> list[Entry]:
    return [entry(f"p{i:02d}", f"Petition {i:02d}", count=1000 - i, day=i) for i in range(n)]


def listed(doc: Node) -> list[str]:
    return [li.find("h2").text for li in doc.find("ol", class_="cards").find_all("li")]


def home_pages(pages: dict[str, bytes]) -> list[str]:
    """The index's own pages (not the status and tag lists)."""
    return [p for p in pages if p == "index.html" or p.startswith("page/")]


def test_index_lists_open_then_won_then_closed_by_count_then_title(renderer: Renderer) -> None:
    entries = [
        entry("c", "Closed big", "closed", 9000),
        entry("w", "Won", "won", 50),
        entry("a", "Bravo", "open", 10),
        entry("b", "Alpha", "open", 10),
        entry("d", "Most", "open", 700),
    ]
    doc = parse(renderer.site_pages(entries)["index.html"])
    assert listed(doc) == ["Most", "Alpha", "Bravo", "Won", "Closed big"]
    first = doc.find("li", class_="card card-open")
    assert first.find("a").attrs["href"] == "/petitions/d/"
    assert "To: The Ministry of Foreign Affairs and Trade" in first.text
    assert first.find("span", class_="badge badge-open").text == "Open"
    assert "700 signatures" in first.text
    won = doc.find("ol", class_="cards").find_all("li")[3]
    assert won.find("span", class_="badge badge-won").text == "Victory"


def test_index_is_paginated_with_prev_and_next(renderer: Renderer) -> None:
    pages = renderer.site_pages(many(45))
    assert home_pages(pages) == ["index.html", "page/2/index.html", "page/3/index.html"]
    one, two, three = (
        parse(pages[p]) for p in ("index.html", "page/2/index.html", "page/3/index.html")
    )
    assert [len(listed(d)) for d in (one, two, three)] == [20, 20, 5]
    assert listed(one)[0] == "Petition 00" and listed(three)[-1] == "Petition 44"

    def rel(doc: Node, kind: str) -> list[str]:
        return [n.attrs["href"] for n in doc.find_all("link", rel=kind)]

    assert (rel(one, "prev"), rel(one, "next")) == ([], ["/page/2/"])
    assert (rel(two, "prev"), rel(two, "next")) == (["/"], ["/page/3/"])
    assert (rel(three, "prev"), rel(three, "next")) == (["/page/2/"], [])
    nav = two.find("nav", class_="pagination")
    assert nav.attrs["aria-label"]
    assert nav.find("a", aria_current="page").text == "2"
    assert nav.find("a", rel="next").attrs["href"] == "/page/3/"
    assert (
        two.find("link", rel="canonical").attrs["href"] == "https://petitions.example.org/page/2/"
    )


def test_per_page_comes_from_the_site() -> None:
    renderer = Renderer(make_site(per_page=5), TEMPLATES)
    pages = renderer.site_pages(many(11))
    assert "page/3/index.html" in pages and "page/4/index.html" not in pages


def pagination(doc: Node) -> str:
    """The pagination bar as people read it: each item's text, links and gaps alike."""
    nav = doc.find("nav", class_="pagination")
    return " ".join(li.text.strip() for li in nav.find_all("li"))


def test_pagination_shows_first_last_and_two_either_side_with_gaps() -> None:
    pages = Renderer(make_site(per_page=5), TEMPLATES).site_pages(many(45))
    fifth = parse(pages["page/5/index.html"])
    assert pagination(fifth) == "Previous 1 … 3 4 5 6 7 … 9 Next"
    nav = fifth.find("nav", class_="pagination")
    links = {a.text: a.attrs["href"] for a in nav.find_all("a")}
    assert links == {
        "Previous": "/page/4/",
        "1": "/",
        "3": "/page/3/",
        "4": "/page/4/",
        "5": "/page/5/",
        "6": "/page/6/",
        "7": "/page/7/",
        "9": "/page/9/",
        "Next": "/page/6/",
    }
    gaps = [li for li in nav.find_all("li") if li.text.strip() == "…"]
    assert len(gaps) == 2 and not [g for g in gaps if g.find_all("a")]  # gaps are not links
    assert nav.find("a", aria_current="page").text == "5"
    assert nav.find("a", aria_current="page").attrs["aria-label"] == "Page 5"
    assert nav.find("a", rel="prev").attrs["href"] == "/page/4/"
    assert nav.find("a", rel="next").attrs["href"] == "/page/6/"
    assert [n.attrs["href"] for n in fifth.find_all("link", rel="prev")] == ["/page/4/"]
    assert [n.attrs["href"] for n in fifth.find_all("link", rel="next")] == ["/page/6/"]
    assert pagination(parse(pages["index.html"])) == "1 2 3 … 9 Next"
    assert pagination(parse(pages["page/4/index.html"])) == "Previous 1 2 3 4 5 6 … 9 Next"
    assert pagination(parse(pages["page/9/index.html"])) == "Previous 1 … 7 8 9"


def test_every_index_page_stays_small_however_many_pages_there_are() -> None:
    pages = Renderer(make_site(per_page=1), TEMPLATES).site_pages(many(300))
    sizes = {p: len(pages[p]) for p in home_pages(pages)}
    assert len(sizes) == 300
    middle = parse(pages["page/150/index.html"])
    assert pagination(middle) == "Previous 1 … 148 149 150 151 152 … 300 Next"
    assert max(sizes.values()) < 2 * min(sizes.values())


def test_page_links_window() -> None:
    assert page_links(1, 1) == [1]
    assert page_links(2, 2) == [1, 2]
    assert page_links(1, 7) == [1, 2, 3, None, 7]
    assert page_links(4, 7) == [1, 2, 3, 4, 5, 6, 7]
    assert page_links(5, 9) == [1, None, 3, 4, 5, 6, 7, None, 9]
    assert page_links(9, 9) == [1, None, 7, 8, 9]


def test_empty_site_still_has_an_index_and_a_valid_feed(renderer: Renderer) -> None:
    pages = renderer.site_pages([])
    assert "No petitions yet." in parse(pages["index.html"]).find("main").text
    feed = ET.fromstring(pages["feed.xml"])
    assert feed.find(f"{ATOM}updated").text == "1970-01-01T00:00:00Z"


def test_atom_feed(renderer: Renderer) -> None:
    seed = make_entry()
    newer = entry("newer", "A <newer> petition", day=3000)
    feed = ET.fromstring(renderer.site_pages([seed, newer])["feed.xml"])
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text == "https://petitions.example.org/"
    assert feed.find(f"{ATOM}title").text == "Action Station"
    self_link = [ln for ln in feed.findall(f"{ATOM}link") if ln.get("rel") == "self"]
    assert self_link[0].get("href") == "https://petitions.example.org/feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "A <newer> petition",
        seed.petition.title,
    ]
    for e in entries:
        assert e.find(f"{ATOM}id").text.startswith("https://petitions.example.org/petitions/")
        assert e.find(f"{ATOM}updated").text.endswith("Z")
    assert entries[1].find(f"{ATOM}updated").text == "2017-04-20T06:05:41Z"  # newest milestone
    assert entries[0].find(f"{ATOM}updated").text == "2032-03-19T00:00:00Z"  # created
    assert feed.find(f"{ATOM}updated").text == "2032-03-19T00:00:00Z"
    assert entries[1].find(f"{ATOM}summary").text.startswith("<p>We call on you")


def feed_titles(feed: ET.Element) -> list[str]:
    return [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]


def test_feed_carries_the_50_most_recently_updated_petitions(renderer: Renderer) -> None:
    entries = many(60)  # p00 created on day 0 ... p59 on day 59, none with milestones
    late = Milestone(1000, datetime(2024, 12, 1, tzinfo=UTC))  # p03 updated last of all
    entries[3] = replace(entries[3], tally=Tally(1000, (late,)))
    pages = renderer.site_pages(entries)
    feed = ET.fromstring(pages["feed.xml"])
    titles = feed_titles(feed)
    assert len(titles) == 50
    assert titles == ["Petition 03"] + [f"Petition {i:02d}" for i in range(59, 10, -1)]
    assert feed.find(f"{ATOM}updated").text == "2024-12-01T00:00:00Z"
    urlset = ET.fromstring(pages["sitemap.xml"])
    locs = {u.find(f"{SITEMAP}loc").text for u in urlset}
    assert {f"https://petitions.example.org/petitions/p{i:02d}/" for i in range(60)} <= locs


def test_feed_breaks_ties_by_slug(renderer: Renderer) -> None:
    same_day = [entry(f"s{i:02d}", f"Same {i:02d}", day=5) for i in reversed(range(55))]
    titles = feed_titles(ET.fromstring(renderer.site_pages(same_day)["feed.xml"]))
    assert titles == [f"Same {i:02d}" for i in range(50)]


def test_sitemap_lists_index_and_petition_pages_not_thanks(renderer: Renderer) -> None:
    urlset = ET.fromstring(renderer.site_pages(many(25))["sitemap.xml"])
    assert urlset.tag == f"{SITEMAP}urlset"
    locs = [u.find(f"{SITEMAP}loc").text for u in urlset]
    base = "https://petitions.example.org"
    # The index's pages, the open petitions' (none won or closed), then each petition's.
    assert locs[:4] == [f"{base}/", f"{base}/page/2/", f"{base}/open/", f"{base}/open/page/2/"]
    assert f"{base}/petitions/p07/" in locs and len(locs) == 29
    assert not [loc for loc in locs if "embed" in loc]  # its canonical is the petition's page
    assert not [loc for loc in locs if "thanks" in loc]
    assert all(u.find(f"{SITEMAP}lastmod").text.endswith("Z") for u in urlset)


def test_robots_txt(renderer: Renderer) -> None:
    robots = renderer.site_pages([])["robots.txt"].decode()
    assert robots.splitlines() == [
        "User-agent: *",
        "Allow: /",
        "Disallow: /petitions/*/thanks/",
        "",
        "Sitemap: https://petitions.example.org/sitemap.xml",
    ]


def test_404_page_links_home(renderer: Renderer) -> None:
    doc = parse(renderer.site_pages([])["404.html"])
    assert doc.find("h1").text == "Page not found"
    assert doc.find("main").find("a").attrs["href"] == "/"
    assert doc.find("meta", name="robots").attrs["content"] == "noindex"


def test_assets_are_fingerprinted_small_and_linked(renderer: Renderer) -> None:
    pages = renderer.site_pages([])
    assets = {p: data for p, data in pages.items() if p.startswith("assets/")}
    css = next(p for p in assets if p.startswith("assets/style."))
    js = next(p for p in assets if p.startswith("assets/sign."))
    icon = next(p for p in assets if p.endswith(".svg"))
    assert len(assets) == 5 and any(p.startswith("assets/embed.") for p in assets)
    assert js.endswith(".js") and any(p.startswith("assets/receipt.") for p in assets)
    assert css.endswith(".css")
    assert icon.startswith("assets/icon.")
    # one stylesheet for every page (cards, embed snippet, dark scheme, print): 14 KB as
    # written; the petition page's whole budget, 15 KB gzipped, is test_campaign_page's
    assert len(assets[css]) < 14 * 1024 and len(assets[icon]) < 1024
    assert len(assets[js]) < SCRIPT_BUDGET  # served as written: no minifier
    doc = parse(pages["index.html"])
    assert doc.find("link", rel="stylesheet").attrs["href"] == "/" + css
    assert doc.find("script").attrs["src"] == "/" + js
    # A named icon keeps browsers from asking for /favicon.ico, which the site lacks.
    assert doc.find("link", rel="icon").attrs == {
        "rel": "icon", "type": "image/svg+xml", "href": "/" + icon
    }  # fmt: skip


def test_fingerprint_follows_templates(tmp_path, site) -> None:
    copy = tmp_path / "templates"
    for source in TEMPLATES.rglob("*"):
        if source.is_file():
            target = copy / source.relative_to(TEMPLATES)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    before = Renderer(site, copy)
    assert before.fingerprint == Renderer(site, TEMPLATES).fingerprint
    style = copy / "static" / "style.css"
    style.write_text(style.read_text() + "\n/* changed */\n")
    after = Renderer(site, copy)
    assert after.fingerprint != before.fingerprint
    old_css = [p for p in before.site_pages([]) if p.endswith(".css")]
    new_css = [p for p in after.site_pages([]) if p.endswith(".css")]
    assert old_css != new_css


def test_site_pages_are_deterministic(site) -> None:
    entries = [*many(30), make_entry(make_petition("seed"), seed_tally())]
    late = Milestone(1000, datetime(2017, 5, 1, tzinfo=UTC))
    entries.append(make_entry(make_petition("z"), replace(seed_tally(1200), milestones=(late,))))
    first = Renderer(site, TEMPLATES).site_pages(entries)
    assert first == Renderer(site, TEMPLATES).site_pages(list(reversed(entries)))


def test_a_missing_templates_folder_is_a_clear_error(tmp_path, site) -> None:
    with pytest.raises(ConfigError, match="missing: expected a templates folder"):
        Renderer(site, tmp_path / "missing")

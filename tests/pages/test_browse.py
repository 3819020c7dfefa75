"""Browsing petitions: the index's cards, the status filters (/open/, /won/, /closed/) and
the tag pages (/tags/ and /tags/<tag>/), as a visitor without JavaScript reads them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from generator.model import Tally
from generator.render.browse import tag_slug, tag_url
from generator.render.listing import entry_listing
from generator.render.opendata import PETITIONS_FILE
from generator.render.pages import Entry, Renderer
from tests.pages.factories import TEMPLATES, make_entry, make_petition, make_site, render_petition
from tests.pages.html_tree import Node, parse

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://petitions.example.org"


def entry(
    slug: str, status: str = "open", count: int = 0, tags: tuple[str, ...] = (), day: int = 1
) -> Entry:
    created = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=day)
    petition = make_petition(
        slug, title=f"Petition {slug}", status=status, created=created, tags=tags, goal=None
    )
    return make_entry(petition, Tally(count))


def mixed() -> list[Entry]:
    """Five open, three won and one closed petition, some tagged."""
    return [
        *(entry(f"open-{i}", "open", 500 - i, ("Transport",) if i % 2 else ()) for i in range(5)),
        *(entry(f"won-{i}", "won", 900 - i, ("transport", "Schools")) for i in range(3)),
        entry("closed-0", "closed", 50, ("Māori",)),
    ]


def pages(entries: list[Entry], per_page: int = 2) -> dict[str, bytes]:
    return Renderer(make_site(per_page=per_page), TEMPLATES).site_pages(entries)


def cards(doc: Node) -> list[Node]:
    return doc.find("ol", class_="cards").find_all("li") if doc.find_all("ol") else []


def slugs(doc: Node) -> list[str]:
    """The petitions a list page shows, by slug, in order."""
    return [c.find("h2").find("a").attrs["href"].split("/")[2] for c in cards(doc)]


def listed(site: dict[str, bytes], folder: str) -> list[str]:
    """Every petition a paginated list shows, page after page."""
    found: list[str] = []
    n = 1
    while (rel := f"{folder}{'' if n == 1 else f'page/{n}/'}index.html") in site:
        found += slugs(parse(site[rel]))
        n += 1
    return found


def test_a_card_shows_the_ask_the_count_the_progress_and_the_status(renderer: Renderer) -> None:
    petition = make_petition("bus", title="Free buses", goal=1000, tags=("transport",))
    doc = parse(renderer.site_pages([make_entry(petition, Tally(731))])["index.html"])
    (card,) = cards(doc)
    assert card.find("h2").find("a").attrs["href"] == "/petitions/bus/"
    assert card.find("p", class_="target").text == "To: The Ministry of Foreign Affairs and Trade"
    summary = card.find("p", class_="card-summary").text
    assert summary.startswith("We call on you to urge Russia") and len(summary) <= 160
    assert summary.endswith("…")  # the ask is longer: its first words, cut at a word
    assert card.find("span", class_="badge badge-open").text == "Open"
    assert "731 signatures" in card.find("p", class_="card-tally").text
    progress = card.find("progress")
    assert (progress.attrs["value"], progress.attrs["max"]) == ("731", "1000")
    assert card.find("label", for_=progress.attrs["id"]).text == "Next goal: 1,000"
    assert [a.attrs["href"] for a in card.find("p", class_="tags").find_all("a")] == [
        "/tags/transport/"
    ]


def test_a_victory_is_shown_as_a_victory(renderer: Renderer) -> None:
    site = renderer.site_pages([entry("won-0", "won", 843), entry("closed-0", "closed", 12)])
    won, closed = cards(parse(site["index.html"]))
    assert "card-won" in won.attrs["class"]
    assert won.find("span", class_="badge badge-won").text == "Victory"
    assert closed.find("span", class_="badge badge-closed").text == "Closed"
    assert not won.find_all("progress") and not closed.find_all("progress")  # no goal left
    assert "843 signatures" in won.text


def test_each_status_page_holds_exactly_the_petitions_with_that_status() -> None:
    site = pages(mixed())
    assert listed(site, "open/") == [f"open-{i}" for i in range(5)]  # 3 pages of 2
    assert "open/page/3/index.html" in site and "open/page/4/index.html" not in site
    assert listed(site, "won/") == ["won-0", "won-1", "won-2"]
    assert listed(site, "closed/") == ["closed-0"]
    assert listed(site, "") == listed(site, "open/") + listed(site, "won/") + ["closed-0"]


def test_the_status_nav_marks_the_list_shown() -> None:
    site = pages(mixed())

    def nav(rel: str) -> dict[str, str | None]:
        links = parse(site[rel]).find("nav", class_="filters").find_all("a")
        return {a.text: a.attrs.get("aria-current") for a in links}

    assert nav("index.html") == {
        "All": "page", "Open": None, "Victories": None, "Closed": None, "Tags": None
    }  # fmt: skip
    assert nav("won/index.html")["Victories"] == "page"
    assert nav("open/page/2/index.html")["Open"] == "true"  # in that list, not its first page
    hrefs = [a.attrs["href"] for a in parse(site["index.html"]).find("nav").find_all("a")]
    assert hrefs == ["/", "/open/", "/won/", "/closed/", "/tags/"]
    won = parse(site["won/index.html"])
    assert won.find("h1").text == "Victories"
    assert won.find("title").text == "Victories — Action Station"
    assert won.find("link", rel="canonical").attrs["href"] == f"{BASE}/won/"
    second = parse(site["open/page/2/index.html"])
    assert second.find("h1").text == "Open petitions, page 2 of 3"
    assert [a.attrs["href"] for a in second.find_all("link", rel="prev")] == ["/open/"]
    assert [a.attrs["href"] for a in second.find_all("link", rel="next")] == ["/open/page/3/"]


def test_a_status_with_no_petitions_still_has_its_page() -> None:
    site = pages([entry("a"), entry("b")])
    doc = parse(site["closed/index.html"])
    assert not cards(doc) and "None yet." in doc.find("main").text
    assert "tags/index.html" not in site  # no tags: no page of tags, and no link to one
    assert "Tags" not in parse(site["index.html"]).find("nav", class_="filters").text


def test_each_tag_page_holds_exactly_the_petitions_with_that_tag() -> None:
    site = pages(mixed())
    # "Transport" and "transport" are one tag; the spelling most petitions use names it.
    assert listed(site, "tags/transport/") == ["open-1", "open-3", "won-0", "won-1", "won-2"]
    assert listed(site, "tags/schools/") == ["won-0", "won-1", "won-2"]
    assert listed(site, "tags/maori/") == ["closed-0"]
    doc = parse(site["tags/transport/index.html"])
    assert doc.find("h1").text == "Petitions tagged “transport”"
    assert doc.find("link", rel="canonical").attrs["href"] == f"{BASE}/tags/transport/"
    assert [a.attrs["href"] for a in doc.find("p", class_="filters-back").find_all("a")] == [
        "/tags/",
        "/",
    ]


def test_the_page_of_tags_lists_each_tag_with_how_many_petitions_it_has() -> None:
    doc = parse(pages(mixed())["tags/index.html"])
    items = doc.find("ul", class_="tag-list").find_all("li")
    shown = [(li.find("a").attrs["href"], li.text) for li in items]
    assert shown == [
        ("/tags/maori/", "Māori 1 petition"),
        ("/tags/schools/", "Schools 3 petitions"),
        ("/tags/transport/", "transport 5 petitions"),
    ]


def test_tag_slugs_fold_case_accents_and_punctuation() -> None:
    assert tag_slug("Public Transport") == tag_slug("public-transport") == "public-transport"
    assert tag_slug("Māori") == "maori"
    assert tag_slug("交通") == "交通"
    assert tag_url("交通") == "/tags/%E4%BA%A4%E9%80%9A/"  # the file is tags/交通/index.html
    assert tag_slug("!!!").startswith("tag-") and tag_slug("!!!") != tag_slug("???")


def test_the_petition_page_links_its_tags(renderer: Renderer) -> None:
    petition = make_petition(tags=("Public Transport", "Māori"))
    doc = parse(render_petition(renderer, make_entry(petition))["petitions/chechnya/index.html"])
    links = doc.find("p", class_="tags").find_all("a")
    assert [(a.text, a.attrs["href"]) for a in links] == [
        ("Public Transport", "/tags/public-transport/"),
        ("Māori", "/tags/maori/"),
    ]


def test_the_sitemap_names_the_status_and_tag_pages_that_list_something() -> None:
    urlset = ET.fromstring(pages(mixed())["sitemap.xml"])
    locs = [u.findtext(f"{SITEMAP}loc") for u in urlset]
    for path in ("/open/", "/open/page/3/", "/won/", "/won/page/2/", "/closed/", "/tags/",
                 "/tags/transport/", "/tags/transport/page/3/", "/tags/maori/"):  # fmt: skip
        assert BASE + path in locs, path
    assert len(locs) == len(set(locs))
    empty = ET.fromstring(pages([entry("a")])["sitemap.xml"])
    assert f"{BASE}/won/" not in [u.findtext(f"{SITEMAP}loc") for u in empty]


def test_a_tag_added_changes_its_cards_and_its_tag_pages_only() -> None:
    renderer = Renderer(make_site(per_page=2), TEMPLATES)
    before = mixed()
    after = list(before)
    after[0] = entry("open-0", "open", 500, ("Schools",))
    old, new = renderer.plan_site(before), renderer.plan_site(after)
    changed = {rel for rel in new.inputs if old.inputs.get(rel) != new.inputs[rel]}
    assert changed == {
        "index.html", "open/index.html",  # open-0's card now shows the tag
        "tags/schools/index.html", "tags/schools/page/2/index.html",  # it is listed first
        "tags/index.html",  # four petitions in "Schools" now
    }  # fmt: skip
    old_bytes, new_bytes = renderer.render_site(old), renderer.render_site(new)
    assert {rel for rel in new_bytes if old_bytes.get(rel) != new_bytes[rel]} == changed


def test_a_count_changes_the_tag_pages_listing_it_not_the_others() -> None:
    renderer = Renderer(make_site(per_page=2), TEMPLATES)
    before = mixed()
    after = list(before)
    after[8] = entry("closed-0", "closed", 51, ("Māori",))
    old, new = renderer.plan_site(before), renderer.plan_site(after)
    changed = {rel for rel in new.inputs if old.inputs.get(rel) != new.inputs[rel]}
    lists = {"page/5/index.html", "closed/index.html", "tags/maori/index.html"}
    assert changed == lists | {PETITIONS_FILE}  # and the open data, which shows every count


def test_the_card_picture_hook_shows_a_decorative_picture(renderer: Renderer) -> None:
    zone = renderer._zone
    item = entry_listing(entry("a"), zone)._replace(picture="/pictures/a-640.jpg")
    plan = renderer.plan_listings([item], lambda slugs: {s: "" for s in slugs})
    (card,) = cards(parse(renderer.render_site(plan, ["index.html"])["index.html"]))
    image = card.find("img")
    assert image.attrs["src"] == "/pictures/a-640.jpg" and image.attrs["alt"] == ""
    assert image.attrs["loading"] == "lazy"
    assert not cards(parse(renderer.site_pages([entry("a")])["index.html"]))[0].find_all("img")

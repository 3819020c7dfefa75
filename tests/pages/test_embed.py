"""Putting a petition on other sites: its embed page, its count badge, and the code to copy."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from generator.model import Tally
from generator.render.pages import Renderer
from generator.writeback.publish import PAGE_CACHE, cache_control, content_type
from tests.pages.factories import SEED_TITLE, make_entry, make_petition, render_petition
from tests.pages.html_tree import Node, parse

EMBED = "petitions/chechnya/embed/index.html"
BADGE = "petitions/chechnya/badge.svg"
PAGE = "petitions/chechnya/index.html"
CANONICAL = "https://petitions.example.org/petitions/chechnya/"
SVG = "{http://www.w3.org/2000/svg}"


def embed(renderer: Renderer, count: int = 731, **petition: object) -> Node:
    entry = make_entry(make_petition(**petition), Tally(count))
    return parse(render_petition(renderer, entry)[EMBED])


def badge(renderer: Renderer, count: int, **petition: object) -> bytes:
    entry = make_entry(make_petition(**petition), Tally(count))
    return render_petition(renderer, entry)[BADGE]


def test_the_embed_page_shows_title_count_progress_and_a_link_out_to_sign(
    renderer: Renderer,
) -> None:
    doc = embed(renderer, 731)
    main = doc.find("main")
    assert main.find("h1").text == SEED_TITLE
    assert doc.by_id("count").text == "731"
    progress = doc.by_id("progress")
    assert (progress.attrs["value"], progress.attrs["max"]) == ("731", "1000")
    assert doc.find("label", for_="progress").text == "Next goal: 1,000"
    (link,) = main.find_all("a")
    assert link.attrs["href"] == CANONICAL
    # Signing happens on the petition's own page, never inside someone else's frame.
    assert link.attrs["target"] == "_blank" and "noopener" in link.attrs["rel"]
    assert link.text == "Sign the petition (opens in a new tab)"
    assert doc.find("link", rel="canonical").attrs["href"] == CANONICAL
    assert doc.find("html").attrs["lang"] == "en-NZ"


def test_the_embed_page_is_small_and_loads_only_the_sites_own_files(renderer: Renderer) -> None:
    doc = embed(renderer)
    assert not doc.find_all("header") and not doc.find_all("form") and not doc.find_all("footer")
    sheet = doc.find("link", rel="stylesheet").attrs["href"] or ""
    assert sheet.startswith("/assets/embed.") and sheet.endswith(".css")
    (script,) = doc.find_all("script")
    assert (script.attrs["src"] or "").startswith("/assets/sign.")  # polls count.json
    assert not [n for n in doc.iter() if n.attrs.get("style") is not None]
    tally = doc.by_id("tally")
    assert tally.attrs["data-counts"] == "/petitions/chechnya/count.json"
    assert tally.attrs["data-live"] == "true"
    # What the script updates is all there (it writes the pending count too).
    for element in ("count", "count-noun", "goal", "progress", "pending", "pending-count"):
        doc.by_id(element)


def test_a_closed_or_won_petitions_embed_is_static_and_says_so(renderer: Renderer) -> None:
    won = embed(renderer, status="won")
    assert "Victory! This petition won" in won.find("main").text
    assert not won.find_all("script")
    assert won.by_id("tally").attrs["data-live"] == "false"
    link = won.find("main").find("a")
    assert link.text.startswith("Read the petition") and link.attrs["target"] == "_blank"
    closed = embed(renderer, status="closed")
    assert "This petition is closed" in closed.find("main").text


def test_the_embed_stylesheet_is_a_fingerprinted_asset(renderer: Renderer) -> None:
    pages = renderer.site_pages([])
    (sheet,) = [p for p in pages if p.startswith("assets/embed.")]
    assert len(pages[sheet]) < 2 * 1024
    assert "/" + sheet == embed(renderer).find("link", rel="stylesheet").attrs["href"]


def test_the_petition_page_offers_the_embed_and_badge_code_to_copy(renderer: Renderer) -> None:
    doc = parse(render_petition(renderer, make_entry())[PAGE])
    section = doc.find("section", class_="embed-code")
    assert section.find("h2").text == "Embed this petition"
    boxes = {box.attrs["id"]: box for box in section.find_all("textarea")}
    assert set(boxes) == {"embed-iframe", "embed-badge", "embed-badge-html"}
    for name, box in boxes.items():
        assert "readonly" in box.attrs
        assert section.find("label", for_=name).text
        assert section.find("button", data_copy=name).attrs["type"] == "button"
    frame = parse(boxes["embed-iframe"].text).find("iframe")
    assert frame.attrs["src"] == CANONICAL + "embed/"
    assert frame.attrs["title"] == SEED_TITLE
    assert boxes["embed-badge"].text == (
        f"[![Signatures for {SEED_TITLE}]({CANONICAL}badge.svg)]({CANONICAL})"
    )
    image = parse(boxes["embed-badge-html"].text).find("img")
    assert image.attrs["src"] == CANONICAL + "badge.svg"
    assert image.attrs["alt"] == f"Signatures for {SEED_TITLE}"


def test_the_snippet_escapes_a_title_that_holds_markup(renderer: Renderer) -> None:
    title = 'Say "no" to <script>'
    doc = parse(render_petition(renderer, make_entry(make_petition(title=title)))[PAGE])
    code = doc.by_id("embed-iframe").text
    assert parse(code).find("iframe").attrs["title"] == title
    assert "<script>" not in code
    markdown = doc.by_id("embed-badge").text
    assert markdown.startswith(f"[![Signatures for {title}](")


def test_the_badge_is_an_svg_image_that_reads_signatures_and_the_count(
    renderer: Renderer,
) -> None:
    root = ET.fromstring(badge(renderer, 1234))
    assert root.tag == f"{SVG}svg"
    assert root.attrib["role"] == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == f"{SEED_TITLE}: 1,234 signatures"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["signatures", "1,234"]
    assert int(root.attrib["height"]) == 20


def test_the_badge_moves_with_the_count_and_widens_with_it(renderer: Renderer) -> None:
    small, larger, large = (badge(renderer, n) for n in (9, 731, 1_234_567))
    assert small != larger != large
    widths = [int(ET.fromstring(b).attrib["width"]) for b in (small, larger, large)]
    assert widths == sorted(widths) and len(set(widths)) == 3
    one = ET.fromstring(badge(renderer, 1)).find(f"{SVG}title")
    assert one is not None and one.text == f"{SEED_TITLE}: 1 signature"


def test_the_badge_title_escapes_the_petitions_title(renderer: Renderer) -> None:
    root = ET.fromstring(badge(renderer, 5, title="Parks & <rec>"))
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "Parks & <rec>: 5 signatures"


def test_the_badges_colour_tells_a_victory(renderer: Renderer) -> None:
    def fills(data: bytes) -> list[str]:
        return [r.attrib["fill"] for r in ET.fromstring(data).iter(f"{SVG}rect")]

    assert fills(badge(renderer, 5, status="won")) != fills(badge(renderer, 5))


def test_the_badge_and_embed_are_published_as_svg_and_html_with_the_pages_cache() -> None:
    assert content_type(BADGE) == "image/svg+xml"
    assert content_type(EMBED) == "text/html; charset=utf-8"
    # Pages' cache (a minute), not the assets' year: the badge moves with the count.
    assert cache_control(BADGE) == cache_control(EMBED) == PAGE_CACHE

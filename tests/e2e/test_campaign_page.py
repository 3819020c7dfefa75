"""The campaign page in a real browser: the sign card beside the story on a wide screen and
in view while the story scrolls, the count under the title on a phone, nothing that moves
while the page loads, headings in order after signing, a dark scheme, forced colours, print,
a map that says where it is when its tiles fail, and screenshots for review."""

from __future__ import annotations

import io
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from .audit import axe_violations, describe, too_wide
from .conftest import EXAMPLE, Site

pytestmark = pytest.mark.browser

WIDTHS = (320, 768, 1280)
# layout-shift entries the page causes (the count poll, fonts, the map) from the first paint
CLS = """() => new Promise((done) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
  }).observe({ type: "layout-shift", buffered: true });
  setTimeout(() => done(total), 1500);
})"""


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    options = getattr(request, "param", {})
    ctx = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    yield ctx
    ctx.close()


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not shown"
    return found


def headings(page: Page) -> list[tuple[int, str]]:
    found = page.eval_on_selector_all(
        "main h1, main h2, main h3, main h4",
        "hs => hs.filter(h => h.offsetParent).map(h => [+h.tagName[1], h.textContent.trim()])",
    )
    return [(level, text) for level, text in found]


def test_on_a_wide_screen_the_sign_card_sits_beside_the_story_and_stays_in_view(
    site: Site, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(site.page())
    card, story, title = box(page, ".sign-card"), box(page, ".story"), box(page, "h1")
    assert card["x"] >= story["x"] + story["width"]  # a column to the right
    assert card["y"] < story["y"] and abs(card["y"] - title["y"]) < 120  # level with the top
    assert box(page, "#count")["y"] < box(page, "#sign-form")["y"]  # count, then the form

    page.mouse.wheel(0, 900)
    page.wait_for_function("window.scrollY > 600")
    assert 0 <= box(page, ".sign-card")["y"] <= 32  # sticky: still at the top of the view


@pytest.mark.parametrize("context", [{"viewport": {"width": 320, "height": 640}}], indirect=True)
def test_on_a_phone_the_count_is_under_the_title_and_the_form_after_the_ask(
    site: Site, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(site.page())
    tops = [box(page, s)["y"] for s in ("h1", "#count", ".ask", "#sign-form", ".why")]
    assert tops == sorted(tops), tops
    # nothing between the title and the count but the byline
    assert box(page, "#count")["y"] - box(page, ".byline")["y"] < 150


@pytest.mark.parametrize(
    "context",
    [{"viewport": {"width": 320, "height": 640}}, {"viewport": {"width": 1280, "height": 900}}],
    indirect=True,
    ids=["320px", "1280px"],
)
@pytest.mark.parametrize("path", ["/", f"/petitions/{EXAMPLE}/"], ids=["index", "petition"])
def test_nothing_moves_while_the_page_loads(site: Site, context: BrowserContext, path: str) -> None:
    page = context.new_page()
    page.goto(site.url + path, wait_until="load")
    shifted = page.evaluate(CLS)
    assert shifted == 0, f"cumulative layout shift {shifted}"


def test_headings_stay_in_order_after_a_javascript_signature(
    site: Site, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(site.page())
    page.get_by_label("Name", exact=True).fill("Aroha Headings")
    page.get_by_label("Email", exact=True).fill("aroha.headings.e2e@example.org")
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.locator("#sign-thanks")).to_be_focused()

    found = headings(page)
    levels = [level for level, _ in found]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in pairwise(levels))
    assert (2, "Thank you for signing") in found
    assert all(text != "Sign the petition" for _, text in found)  # went with the form
    page.get_by_role("link", name="share it").click()
    expect(page.locator("#share-url")).to_be_in_viewport()


@pytest.mark.parametrize("context", [{"color_scheme": "dark"}], indirect=True)
@pytest.mark.parametrize("path", ["/", f"/petitions/{EXAMPLE}/"], ids=["index", "petition"])
def test_the_dark_scheme_is_dark_and_has_no_axe_violations(
    site: Site, context: BrowserContext, path: str
) -> None:
    page = context.new_page()
    page.goto(site.url + path)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    channels = [int(c) for c in background.removeprefix("rgb(").rstrip(")").split(",")[:3]]
    assert max(channels) < 60, background
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.mark.parametrize("context", [{"forced_colors": "active"}], indirect=True)
def test_in_forced_colours_buttons_and_the_count_keep_their_outline(
    site: Site, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(site.page())
    for selector in ("#sign-form .button", ".cta .button", "#progress"):
        style = page.eval_on_selector(
            selector,
            "e => { const s = getComputedStyle(e);"
            " return [s.borderTopStyle, parseFloat(s.borderTopWidth), s.borderTopColor] }",
        )
        assert style[0] != "none" and style[1] > 0, (selector, style)
        assert style[2] not in ("transparent", "rgba(0, 0, 0, 0)"), (selector, style)


def test_printing_shows_the_petition_its_count_and_timeline_not_the_form(
    site: Site, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(site.page())
    page.emulate_media(media="print")
    for shown in ("h1", ".ask", "#count", "#timeline", ".why"):
        expect(page.locator(shown).first).to_be_visible()
    for hidden in ("#sign-form", ".share", ".map", ".skip-link"):
        expect(page.locator(hidden).first).to_be_hidden()


def test_when_map_tiles_cannot_load_the_box_names_the_place_and_shows_no_broken_pictures(
    site: Site, context: BrowserContext
) -> None:
    page = context.new_page()
    page.route("**/*.png", lambda route: route.abort())  # the tiles (the local tile server)
    page.goto(site.page())
    tiles = page.locator(".map-tiles")
    tiles.scroll_into_view_if_needed()
    expect(tiles.locator("img").first).to_have_js_property("complete", True)
    expect(page.locator(".map-label")).to_be_visible()
    expect(page.locator(".map-label")).to_have_text("Ministry of Foreign Affairs & Trade")
    corner = box(page, ".map-tiles img")
    shot = page.screenshot(
        clip={"x": corner["x"], "y": corner["y"], "width": 48, "height": 48}, type="png"
    )
    colours = Image.open(io.BytesIO(shot)).convert("RGB").getcolors()
    assert colours is not None and len(colours) == 1, "a broken-picture icon or border shows"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["/", f"/petitions/{EXAMPLE}/"], ids=["index", "petition"])
def test_screenshots_for_review_with_no_sideways_scroll(
    site: Site, browser: Browser, artifacts: Path, path: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(site.url + path)
        name = "index" if path == "/" else "petition"
        shot = artifacts / f"campaign-{name}-{width}px.png"
        page.screenshot(path=str(shot), full_page=True)
        scroll_width, wide = too_wide(page, width)
    finally:
        context.close()
    assert scroll_width <= width, f"{path} is {scroll_width}px wide at {width}px: {wide}"
    assert shot.stat().st_size > 0

"""A petition's picture and share card in a real browser: the picture loads as WebP at a
width that suits the screen, keeps its box so nothing moves, passes axe, and the card is a
PNG the server gives with its type."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.support.fixture_site import CLOSED

from .audit import axe_violations, describe
from .conftest import Site
from .test_campaign_page import CLS

pytestmark = pytest.mark.browser

PICTURED = CLOSED  # the fixture petition with a picture (1000 by 600 pixels)


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    ctx = browser.new_context(**getattr(request, "param", {}))
    yield ctx
    ctx.close()


@pytest.mark.parametrize(
    ("context", "widest"),
    [
        ({"viewport": {"width": 320, "height": 640}, "device_scale_factor": 1}, 480),
        ({"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1}, 800),
    ],
    indirect=["context"],
    ids=["320px", "1280px"],
)
def test_the_picture_loads_as_webp_at_a_fitting_width_and_nothing_moves(
    site: Site, context: BrowserContext, widest: int
) -> None:
    page = context.new_page()
    page.goto(site.page(PICTURED), wait_until="load")
    img = page.locator("figure.picture img")

    chosen = img.evaluate("i => i.currentSrc")
    assert chosen.endswith(".webp") and f"/picture-{widest}." in chosen
    assert img.evaluate("i => i.complete && i.naturalWidth > 0")  # loaded and decoded
    shown = img.bounding_box()
    assert shown is not None and abs(shown["height"] / shown["width"] - 0.6) < 0.01
    assert page.evaluate(CLS) == 0
    assert page.locator("figure.picture figcaption").inner_text().startswith("Drawing by")
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_share_card_is_served_as_a_png(site: Site, context: BrowserContext) -> None:
    answer = context.request.get(f"{site.url}/petitions/{PICTURED}/card.png")

    assert answer.status == 200 and answer.headers["content-type"] == "image/png"
    assert answer.body()[:8] == b"\x89PNG\r\n\x1a\n"

"""axe-core audits of the pages a supporter sees, and the petition page on a 320 px phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.fixture_site import WON, WON_UPDATES

from .audit import PHONE_WIDTH, axe_violations, describe, too_wide
from .conftest import ARTIFACTS, EXAMPLE, Site

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/petitions/{EXAMPLE}/",
        f"/petitions/{EXAMPLE}/thanks/",
        "/no-such-page",
        f"/petitions/{WON}/",  # a timeline with updates among its milestones
        f"/petitions/{WON}/updates/{WON_UPDATES[0]}/",
        f"/petitions/{EXAMPLE}/history/",  # the text's versions (tests/build/test_text_history)
    ],
    ids=["index", "petition", "thank-you", "404", "petition-with-updates", "update", "history"],
)
def test_page_has_no_axe_violations(site: Site, page: Page, path: str) -> None:
    page.goto(site.url + path)

    violations = axe_violations(page)

    assert not violations, describe(violations)


def test_petition_page_after_signing_has_no_axe_violations(site: Site, page: Page) -> None:
    page.goto(site.page())
    page.get_by_label("Name", exact=True).fill("Kiri Audit")
    page.get_by_label("Email", exact=True).fill("kiri.e2e@example.org")
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.locator("#sign-thanks")).to_be_focused()

    violations = axe_violations(page)

    assert not violations, describe(violations)


@pytest.mark.parametrize("path", ["/", f"/petitions/{EXAMPLE}/"], ids=["index", "petition"])
def test_page_fits_a_320px_phone_without_sideways_scrolling(
    site: Site, browser: Browser, artifacts: Path, path: str
) -> None:
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 640})
    page = context.new_page()
    try:
        page.goto(site.url + path)
        name = "index" if path == "/" else "petition"
        page.screenshot(path=str(artifacts / f"{name}-{PHONE_WIDTH}px.png"), full_page=True)

        scroll_width, wide = too_wide(page)
    finally:
        context.close()

    assert scroll_width <= PHONE_WIDTH, f"page is {scroll_width}px wide; too wide: {wide}"
    assert (ARTIFACTS / f"{name}-{PHONE_WIDTH}px.png").stat().st_size > 0

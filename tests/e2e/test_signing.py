"""Signing in a real browser: with the page's script, without it, and across a milestone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.serve.client import sign_json
from tests.support.eventually import eventually
from tests.support.fixture_site import OPEN_TITLE

from .conftest import EXAMPLE, NEAR_MILESTONE, Site

pytestmark = pytest.mark.browser

WRITEBACK_TIMEOUT = 5.0
STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}")


def live_count(site: Site, slug: str) -> int:
    """The count once serve has counted everything written so far."""
    return site.counted(slug)[0]


def fill_and_sign(page: Page, name: str, email: str) -> None:
    """Fill the sign form's required fields and press its button."""
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Sign this petition").click()


def test_signing_shows_thanks_and_the_new_count_without_reload(site: Site, page: Page) -> None:
    before = live_count(site, EXAMPLE)
    page.goto(site.page())
    expect(page.locator("#count")).to_have_text(f"{before:,}")  # live, not as baked
    page.evaluate("window.stillTheSamePage = true")
    # Someone else signs meanwhile: the count shown afterwards includes them too.
    assert sign_json(site.url, EXAMPLE, "Hemi Elsewhere", "hemi.e2e@example.org").status == 201

    fill_and_sign(page, "Ana Browser", "ana.e2e@example.org")

    thanks = page.locator("#sign-thanks")
    expect(thanks.get_by_role("heading", name="Thank you for signing")).to_be_visible()
    expect(thanks).to_be_focused()
    expect(thanks.get_by_role("link", name="share it")).to_have_attribute("href", "#share-heading")
    expect(page.get_by_role("link", name="WhatsApp")).to_be_visible()
    expect(page.locator("#sign-form")).to_have_count(0)
    expect(page.locator("#count")).to_have_text(f"{before + 2:,}")
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.url == site.page()
    assert live_count(site, EXAMPLE) == before + 2


def test_signing_with_javascript_off_lands_on_the_thank_you_page(
    site: Site, browser: Browser
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site.page())
        before = live_count(site, EXAMPLE)

        fill_and_sign(page, "Tama NoScript", "tama.e2e@example.org")

        expect(page).to_have_url(
            re.compile(rf"{site.url}/petitions/{EXAMPLE}/thanks/#p={EXAMPLE}&s=")
        )
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for signing")
        expect(page.get_by_role("link", name=OPEN_TITLE)).to_be_visible()
        assert live_count(site, EXAMPLE) == before + 1
    finally:
        context.close()


def test_crossing_a_milestone_is_baked_into_the_reloaded_page(
    site: Site, page: Page, browser: Browser
) -> None:
    page.goto(site.page(NEAR_MILESTONE))
    expect(page.locator("#count")).to_have_text("9")
    expect(page.locator("#goal")).to_have_text("10")

    started = datetime.now(UTC).replace(microsecond=0)  # the page shows whole seconds
    fill_and_sign(page, "Wiremu Tenth", "wiremu.e2e@example.org")

    expect(page.locator("#count")).to_have_text("10")
    expect(page.locator("#goal")).to_have_text("25")
    expect(page.locator("#timeline")).to_contain_text("10 signatures reached")
    answered = datetime.now(UTC)

    # The write-back re-renders the static page in the background: reload it, script off,
    # until the milestone is part of the HTML itself.
    context = browser.new_context(java_script_enabled=False)
    static = context.new_page()
    try:

        def baked() -> bool:
            static.goto(site.page(NEAR_MILESTONE))
            return static.locator("#timeline li").count() > 0

        eventually(
            baked,
            WRITEBACK_TIMEOUT,
            interval=0.2,
            message="the write-back baking the milestone into the static page",
        )
        entry = static.locator("#timeline li")
        expect(entry).to_have_count(1)
        expect(entry).to_contain_text("10 signatures reached")
        expect(static.locator("#count")).to_have_text("10")
        stamp = entry.locator("time").inner_text()
        static.goto(site.url + "/")
        index_entry = static.locator(".card", has_text="One signature short of ten")
        expect(index_entry).to_contain_text("10 signatures")
    finally:
        context.close()

    assert STAMP.fullmatch(stamp), stamp
    reached = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S %z")
    assert reached.utcoffset() == answered.astimezone(ZoneInfo("Pacific/Auckland")).utcoffset()
    assert started <= reached <= answered  # the moment the tenth signature was taken

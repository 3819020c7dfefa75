"""What each signer signed, in a real browser: the page's script posts the text version the
page shows with the signature, as the plain form does (tests/api/test_versions.py checks that
the store keeps it)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import EXAMPLE, Site

pytestmark = pytest.mark.browser


def test_the_script_sends_the_version_the_page_shows(site: Site, page: Page) -> None:
    page.goto(site.page())
    shown = page.locator("#sign-form input[name=version]").get_attribute("value")
    page.get_by_label("Name", exact=True).fill("Rua Version")
    page.get_by_label("Email", exact=True).fill("rua.e2e@example.org")

    with page.expect_request(lambda r: r.method == "POST" and "/signatures" in r.url) as sent:
        page.get_by_role("button", name="Sign this petition").click()

    request = sent.value
    assert request.headers["content-type"] == "application/json"  # the script, not the form
    assert shown and request.post_data_json["version"] == shown
    assert "email_as_typed" not in request.post_data_json
    page.locator("#sign-thanks").wait_for()
    assert page.url == site.page(EXAMPLE)

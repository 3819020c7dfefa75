"""The site's icon: fetched from its fingerprinted asset, and never /favicon.ico, which the
site does not have (a 404 there is a console error, and Lighthouse counts those)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Response

from .conftest import EXAMPLE, Site

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "path", ["/", f"/petitions/{EXAMPLE}/", f"/petitions/{EXAMPLE}/thanks/"],
    ids=["index", "petition", "thank-you"],
)  # fmt: skip
def test_the_browser_shows_the_sites_icon_without_asking_for_favicon_ico(
    site: Site, page: Page, path: str
) -> None:
    errors: list[str] = []
    icons: list[Response] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: icons.append(r) if "/assets/icon." in r.url else None)

    with page.expect_response(lambda r: "/assets/icon." in r.url):
        page.goto(site.url + path)
    page.wait_for_load_state("networkidle")  # a /favicon.ico request would have failed by now

    assert [(r.status, r.headers["content-type"]) for r in icons] == [(200, "image/svg+xml")]
    assert errors == []

"""A petition embedded in another site (its <iframe> code copied from the petition page), and
the list pages a visitor browses, in a real browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from tests.serve.client import sign_json
from tests.support.fixture_site import BARE

from .audit import axe_violations, describe
from .conftest import Site

pytestmark = pytest.mark.browser


@contextmanager
def newsletter(html: str) -> Iterator[str]:
    """Another site, on loopback (the browser lets a page frame a local page only from a
    local address) and on another origin (localhost, not 127.0.0.1): the URL of its page."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/news/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_an_embedded_petition_shows_the_live_count_and_opens_the_petition_to_sign(
    site: Site, page: Page
) -> None:
    page.goto(site.page(BARE))
    code = page.locator("#embed-iframe").input_value()
    assert sign_json(site.url, BARE, "Mere Embedded", "mere.e2e@example.org").status == 201
    count = site.counted(BARE)[0]
    html = f"<!DOCTYPE html><title>News</title><h1>Our newsletter</h1>{code}"

    with newsletter(html) as elsewhere:
        page.goto(elsewhere)

        frame = page.frame_locator("iframe")
        # The count file is read from the petition's own site, inside the frame.
        expect(frame.locator("#count")).to_have_text(f"{count:,}", timeout=15_000)
        link = frame.get_by_role("link", name="Sign the petition")
        with page.context.expect_page() as opened:
            link.click()
        petition = opened.value
        petition.wait_for_load_state()
        assert petition.url == site.page(BARE)
        assert page.url == elsewhere  # the newsletter stays where it was


@pytest.mark.parametrize(
    "path",
    [f"/petitions/{BARE}/embed/", "/won/", "/tags/", "/tags/transport/"],
    ids=["embed", "status", "tags", "tag"],
)
def test_the_new_pages_have_no_axe_violations(site: Site, page: Page, path: str) -> None:
    page.goto(site.url + path)

    violations = axe_violations(page)

    assert not violations, describe(violations)

"""The receipt page (receipt/index.html): one page for every receipt, kept out of search
engines and the sitemap, with the fingerprinted script that checks the log and a live region
for what it finds. tests/e2e/test_receipt.py checks it in a browser."""

from __future__ import annotations

import gzip

from generator.log.receipts import RECEIPT_PATH
from generator.render.pages import RECEIPT_PAGE, Renderer
from tests.pages.factories import TEMPLATES
from tests.pages.html_tree import parse

SCRIPT = TEMPLATES / "static" / "receipt.js"
GZIPPED_BUDGET = 8 * 1024  # bytes of receipt.js gzipped (no minifier)


def test_the_receipt_page_is_the_one_receipt_urls_name(renderer: Renderer) -> None:
    assert f"/{RECEIPT_PAGE}" == f"{RECEIPT_PATH}index.html"
    assert RECEIPT_PAGE in renderer.site_pages([])


def test_the_receipt_page_loads_its_script_and_stays_out_of_search(renderer: Renderer) -> None:
    pages = renderer.site_pages([])
    doc = parse(pages[RECEIPT_PAGE])

    assert doc.find("meta", name="robots").attrs["content"] == "noindex"
    sources = [s.attrs["src"] for s in doc.find_all("script")]
    (script,) = [s for s in sources if s.startswith("/assets/receipt.")]
    assert pages[script.lstrip("/")] == SCRIPT.read_bytes()
    assert doc.by_id("receipt").attrs["role"] == "status"
    assert "needs JavaScript" in doc.find("noscript").text
    assert b"/receipt/" not in pages["sitemap.xml"]


def test_the_receipt_script_is_small() -> None:
    assert len(gzip.compress(SCRIPT.read_bytes(), 9)) < GZIPPED_BUDGET

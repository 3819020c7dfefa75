"""Receipts as signers get them, through `serve`: signing (confirmation off) and confirming
(confirmation on) hand the signer a link to their receipt; the counter appends their leaf
and publishes the log, and the receipt page finds the leaf and checks it against the signed
checkpoint. An auditor's `verify-log` then passes over the served log and its count file."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from generator.commands.main import main
from tests.support.eventually import eventually

from .conftest import EXAMPLE, RECEIPT_AFTER_CONFIRMING, Site
from .test_signing import fill_and_sign

pytestmark = pytest.mark.browser

IN_THE_LOG = 30_000  # ms: counted and published within a second or two; the page looks every 10 s
RECEIPT = r"/receipt/#p={slug}&s=[\w-]{{43}}&from=\d+"


def open_receipt(page: Page, slug: str) -> None:
    """Follow the receipt link the page shows and wait for the check to pass."""
    link = page.get_by_role("link", name="Your receipt")
    expect(link).to_be_visible()
    href = link.get_attribute("href") or ""
    assert re.fullmatch(RECEIPT.format(slug=slug), href), href
    link.click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Included: your signature is in the log", timeout=IN_THE_LOG)
    expect(status).to_contain_text("verified with the log's key")
    expect(status).to_contain_text("still counts")


def audit(site: Site, *where: str) -> str:
    """`build.py verify-log` over the served site (`where`: a petition's log, or `--site`
    and the whole site), with the key serve publishes; its output once it passes."""
    out: Path = site.server.out
    key = (out / "log" / "key.txt").read_text().strip()
    found: list[str] = []

    def verified() -> bool:
        printed, errors = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
            status = main(["verify-log", *where, "--key", key])
        found[:] = [printed.getvalue(), errors.getvalue()]
        return status == 0

    try:
        eventually(verified, 10.0, interval=0.5, message=f"verify-log passing over {where}")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {found[1]}") from None
    return found[0]


def log_of(site: Site, slug: str) -> str:
    """The folder of a petition's log in the served site."""
    return str(site.server.out / "petitions" / slug / "log")


def test_signing_gives_a_receipt_that_verifies_in_the_browser(site: Site, page: Page) -> None:
    page.goto(site.page(EXAMPLE))
    fill_and_sign(page, "Rua Receipt", "rua.receipt@example.org")

    expect(page.locator("#sign-thanks")).to_be_visible()
    open_receipt(page, EXAMPLE)

    output = audit(site, log_of(site, EXAMPLE))
    assert "signature and root hash verified" in output
    count, _ = site.counted(EXAMPLE)
    assert f"page count {count} = " in output  # the count file adds up to the log
    listed = audit(site, "--site", str(site.server.out))  # every petition the site lists
    assert f"{EXAMPLE}:\n" in listed and "petitions' logs verified" in listed


def test_confirming_gives_a_receipt_that_verifies_in_the_browser(
    confirming_site: Site, page: Page
) -> None:
    site, slug = confirming_site, RECEIPT_AFTER_CONFIRMING
    page.goto(site.page(slug))
    fill_and_sign(page, "Mere Receipt", "mere.receipt@example.org")
    expect(page.locator("#sign-check")).to_be_visible()
    expect(page.get_by_role("link", name="Your receipt")).to_have_count(0)  # not counted yet

    page.goto(site.confirmation_link("mere.receipt@example.org"))
    page.get_by_role("button", name="Confirm my signature").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your signature is confirmed")
    assert page.url.startswith(f"{site.url}/petitions/{slug}/confirmed/#p={slug}&s=")
    open_receipt(page, slug)
    output = audit(site, log_of(site, slug))
    assert f"page count {site.counted(slug)[0]} = 12 imported + 1 in the first 1 leaves" in output

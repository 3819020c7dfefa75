"""axe-core audits and the 320 px phone on what signing with confirmation answers with: the
check-email page and panel, the page a mailed link opens, the confirmed and withdrawn pages,
a link that does not work, a form to fix (an error summary), and the "Did you mean …?"
question from the server and from the page's script."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from tests.serve.client import sign_json

from .audit import PHONE_WIDTH, axe_violations, describe, too_wide
from .conftest import EXAMPLE, Site
from .test_signing import fill_and_sign

pytestmark = pytest.mark.browser

Arrive = Callable[[Page, Site, str], Response | None]  # page, site, a confirmation link


@pytest.fixture(scope="module")
def link(confirming_site: Site) -> str:
    """A confirmation link of a pending signature (opening it changes nothing)."""
    address = "audit.e2e@example.org"
    assert sign_json(confirming_site.url, EXAMPLE, "Audit Link", address).status == 202
    return confirming_site.confirmation_link(address)


def tampered(link: str) -> str:
    """The link with one character in the middle of its reference changed."""
    head, ref = link.rsplit("/", 1)
    middle = len(ref) // 2
    return f"{head}/{ref[:middle]}{'B' if ref[middle] == 'A' else 'A'}{ref[middle + 1 :]}"


def posted_form(name: str, email: str) -> Arrive:
    """Fill the form on the petition page and post it as the browser does without the script
    (form.submit() fires no submit event): the server answers with a page."""

    def arrive(page: Page, site: Site, link: str) -> Response | None:
        page.goto(site.page())
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("Email", exact=True).fill(email)
        with page.expect_navigation() as navigation:
            page.evaluate("document.getElementById('sign-form').submit()")
        expect(page.locator(".error-summary li")).to_have_count(1)  # linking to the field
        return navigation.value

    return arrive


def signed_with_script(email: str, shows: str) -> Arrive:
    """Sign on the petition page with its script, until `shows` (a selector) is focused."""

    def arrive(page: Page, site: Site, link: str) -> None:
        page.goto(site.page())
        fill_and_sign(page, "Audit Script", email)
        expect(page.locator(shows)).to_be_focused()

    return arrive


ANSWERS: dict[str, tuple[Arrive, int, str]] = {  # how to get there, status, its h1 (or focus)
    "check-email": (
        lambda page, site, link: page.goto(f"{site.url}/petitions/{EXAMPLE}/check-email/"),
        200,
        "Now check your email",
    ),
    "confirm": (lambda page, site, link: page.goto(link), 200, "Confirm your signature"),
    "confirmed": (
        lambda page, site, link: page.goto(f"{site.url}/petitions/{EXAMPLE}/confirmed/"),
        200,
        "Your signature is confirmed",
    ),
    "withdrawn": (
        lambda page, site, link: page.goto(f"{site.url}/petitions/{EXAMPLE}/withdrawn/"),
        200,
        "Your address has been taken off this petition",
    ),
    "link-problem": (
        lambda page, site, link: page.goto(tampered(link)),
        404,
        "This link does not work",
    ),
    "sign-problem": (
        posted_form("=HYPERLINK(1)", "eve.e2e@example.org"),
        400,
        "There is a problem with your signature",
    ),
    "typo-question": (
        posted_form("Fay Typo", "fay.e2e@gmial.com"),
        200,
        "Is your email address right?",
    ),
    "check-panel": (signed_with_script("gus.e2e@example.org", "#sign-check"), 0, ""),
    "typo-panel": (
        signed_with_script("hal.e2e@gmial.com", "#sign-suggestion button:first-of-type"),
        0,
        "",
    ),
}


def arrive_at(name: str, page: Page, site: Site, link: str) -> None:
    """Bring `page` to the answer `name`, checking it is the page meant."""
    arrive, status, heading = ANSWERS[name]
    response = arrive(page, site, link)
    if status:
        assert response is not None and response.status == status, name
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)


@pytest.mark.parametrize("name", list(ANSWERS))
def test_answer_has_no_axe_violations(
    confirming_site: Site, page: Page, link: str, name: str
) -> None:
    arrive_at(name, page, confirming_site, link)

    violations = axe_violations(page)

    assert not violations, describe(violations)


@pytest.mark.parametrize("name", list(ANSWERS))
def test_answer_fits_a_320px_phone_without_sideways_scrolling(
    confirming_site: Site, browser: Browser, artifacts: Path, link: str, name: str
) -> None:
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 640})
    page = context.new_page()
    shot = artifacts / f"answer-{name}-{PHONE_WIDTH}px.png"
    try:
        arrive_at(name, page, confirming_site, link)
        page.screenshot(path=str(shot), full_page=True)
        scroll_width, wide = too_wide(page)
    finally:
        context.close()

    assert scroll_width <= PHONE_WIDTH, f"page is {scroll_width}px wide; too wide: {wide}"
    assert shot.stat().st_size > 0

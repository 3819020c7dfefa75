"""Signing with email confirmation in a real browser, JavaScript on and off: the "check your
email" answer, the mailed link's page (which changes nothing when it is opened), Confirm and
"This wasn't me", and what the petition page shows afterwards; and the "Did you mean …?"
question a mistyped domain gets, from the page's script and from the server."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from tests.serve.client import request
from tests.support.eventually import eventually
from tests.support.fixture_site import OPEN_TITLE

from .conftest import (
    CONFIRM_WITH_JS,
    CONFIRM_WITHOUT_JS,
    CONFIRMING_PETITIONS,
    EXAMPLE,
    WITHDRAW,
    Site,
)
from .test_signing import WRITEBACK_TIMEOUT, fill_and_sign

pytestmark = pytest.mark.browser

LIVE_COUNT_TIMEOUT = 12.0  # the status read may be cached for 5 s


def counts(site: Site, slug: str) -> tuple[int, int]:
    """The count and pending count once serve has counted everything written so far."""
    return site.counted(slug)


def expect_confirm_page(page: Page, title: str) -> None:
    """The page a confirmation link opens: the petition, and the two choices."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your signature")
    expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()
    expect(page.get_by_role("button", name="Confirm my signature")).to_be_visible()
    expect(page.get_by_role("button", name="This wasn't me")).to_be_visible()


def reload_until_shown(page: Page, count: int, pending: int) -> None:
    """Reload the petition page until its script shows `count` and `pending` (hidden when
    0): the status read after a reload may come from the browser's cache, which keeps it 5 s."""

    def shown() -> bool:
        page.reload(wait_until="networkidle")  # the script's status read is in
        hidden = page.locator("#pending").is_hidden()
        showing = (page.locator("#count").inner_text(), page.locator("#pending-count").inner_text())
        return showing == (f"{count:,}", f"{pending:,}") and hidden == (pending == 0)

    shows = f"the page showing {count:,} and {pending:,} pending"
    eventually(shown, LIVE_COUNT_TIMEOUT, interval=0.5, message=shows)


def test_with_javascript_the_form_says_check_your_email_and_the_link_confirms(
    confirming_site: Site, page: Page
) -> None:
    site, slug = confirming_site, CONFIRM_WITH_JS
    title = CONFIRMING_PETITIONS[slug][0]
    count, pending = counts(site, slug)
    page.goto(site.page(slug))
    expect(page.locator("#pending")).to_be_hidden()

    fill_and_sign(page, "Ana Confirm", "ana.confirm@example.org")

    panel = page.locator("#sign-check")
    expect(panel.get_by_role("heading", name="Now check your email")).to_be_visible()
    expect(panel).to_be_focused()
    expect(page.locator("#sign-form")).to_have_count(0)
    expect(page.locator("#pending")).to_have_text(f"+{pending + 1} waiting for email confirmation")
    expect(page.locator("#count")).to_have_text(f"{count:,}")  # not counted yet
    assert counts(site, slug) == (count, pending + 1)

    # The mail client opens the link in a tab of its own.
    mail = page.context.new_page()
    mail.goto(site.confirmation_link("ana.confirm@example.org"))
    expect_confirm_page(mail, title)
    assert counts(site, slug) == (count, pending + 1)  # opening the link changed nothing

    mail.get_by_role("button", name="Confirm my signature").click()

    expect(mail).to_have_url(re.compile(rf"{site.url}/petitions/{slug}/confirmed/#p={slug}&s="))
    expect(mail.get_by_role("heading", level=1)).to_have_text("Your signature is confirmed")
    assert counts(site, slug) == (count + 1, pending)
    mail.close()
    reload_until_shown(page, count + 1, pending)


def test_without_javascript_signing_leads_to_the_check_email_page_and_the_link_confirms(
    confirming_site: Site, browser: Browser
) -> None:
    site, slug = confirming_site, CONFIRM_WITHOUT_JS
    title = CONFIRMING_PETITIONS[slug][0]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        count, pending = counts(site, slug)
        page.goto(site.page(slug))
        expect(page.locator("#count")).to_have_text(f"{count:,}")

        fill_and_sign(page, "Tama Confirm", "tama.confirm@example.org")

        expect(page).to_have_url(f"{site.url}/petitions/{slug}/check-email/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Now check your email")
        expect(page.get_by_role("link", name=title)).to_be_visible()
        assert counts(site, slug) == (count, pending + 1)

        link = site.confirmation_link("tama.confirm@example.org")
        page.goto(link)
        expect_confirm_page(page, title)
        assert request(site.url, urlsplit(link).path).status == 200  # a mail scanner, too
        assert counts(site, slug) == (count, pending + 1)  # neither GET changed anything

        page.get_by_role("button", name="Confirm my signature").click()

        expect(page).to_have_url(re.compile(rf"{site.url}/petitions/{slug}/confirmed/#p={slug}&s="))
        expect(page.get_by_role("heading", level=1)).to_have_text("Your signature is confirmed")
        assert counts(site, slug) == (count + 1, pending)

        # The tenth signature reached a milestone: the write-back re-renders the page, and
        # the page without its script shows the new count.
        def baked() -> bool:
            page.goto(site.page(slug))
            return page.locator("#count").inner_text() == f"{count + 1:,}"

        eventually(baked, WRITEBACK_TIMEOUT, interval=0.2, message="the page baked with 10")
        expect(page.locator("#timeline")).to_contain_text(f"{count + 1} signatures reached")
        expect(page.locator("#pending")).to_be_hidden()
    finally:
        context.close()


def test_this_wasnt_me_withdraws_the_signature_and_the_count_stays(
    confirming_site: Site, page: Page
) -> None:
    site, slug = confirming_site, WITHDRAW
    count, pending = counts(site, slug)
    page.goto(site.page(slug))
    fill_and_sign(page, "Someone Else", "not.me@example.org")
    expect(page.locator("#sign-check")).to_be_focused()
    expect(page.locator("#pending-count")).to_have_text(f"{pending + 1}")
    link = site.confirmation_link("not.me@example.org")

    page.goto(link)
    page.get_by_role("button", name="This wasn't me").click()

    expect(page).to_have_url(f"{site.url}/petitions/{slug}/withdrawn/")
    heading = "Your address has been taken off this petition"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert counts(site, slug) == (count, pending)
    # The same link cannot bring the signature back.
    page.goto(link)
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page).to_have_url(f"{site.url}/petitions/{slug}/withdrawn/")
    assert counts(site, slug) == (count, pending)
    page.goto(site.page(slug))
    reload_until_shown(page, count, pending)


def sign_posts(page: Page) -> list[Request]:
    """The signing requests the page sends from now on."""
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if r.url.endswith("/signatures") else None)
    return posts


@pytest.mark.parametrize(
    ("typed", "answer", "signed"),
    [
        ("ada.e2e@gmial.com", "Yes, sign as ada.e2e@gmail.com", "ada.e2e@gmail.com"),
        ("bo.e2e@hotmial.com", "No, sign as bo.e2e@hotmial.com", "bo.e2e@hotmial.com"),
    ],
    ids=["use-the-suggestion", "keep-as-typed"],
)
def test_with_javascript_a_mistyped_domain_is_questioned_before_anything_is_sent(
    confirming_site: Site, page: Page, typed: str, answer: str, signed: str
) -> None:
    site = confirming_site
    page.goto(site.page())
    posts = sign_posts(page)

    fill_and_sign(page, "Ada Typo", typed)

    question = page.locator("#sign-suggestion")
    better = typed.replace("gmial", "gmail").replace("hotmial", "hotmail")
    expect(question).to_contain_text(f"Did you mean {better}?")
    expect(question.get_by_role("button", name=f"Yes, sign as {better}")).to_be_focused()
    email = page.get_by_label("Email", exact=True)
    expect(email).to_have_attribute("aria-describedby", "sign-suggestion")
    expect(email).not_to_have_attribute("aria-invalid", "true")
    assert posts == []  # nothing sent before the answer

    question.get_by_role("button", name=answer).click()

    expect(page.locator("#sign-check")).to_be_focused()
    (post,) = posts
    body = post.post_data_json
    assert isinstance(body, dict) and body["email"] == signed
    assert "email_as_typed" not in body  # JSON is never checked for typos
    site.confirmation_link(signed)  # the mail went where the answer said
    assert site.mail_to(better if signed == typed else typed) == []


def test_with_javascript_keeping_a_typed_address_still_holds_when_the_form_posts_itself(
    confirming_site: Site, page: Page
) -> None:
    """When the JSON request fails the script posts the form: with email_as_typed, so the
    server does not ask the question the signer has answered."""
    site = confirming_site
    page.goto(site.page())

    def no_json(route: Route) -> None:
        if route.request.headers.get("content-type") == "application/json":
            route.abort()
        else:
            route.continue_()

    page.route("**/signatures", no_json)
    posts = sign_posts(page)
    fill_and_sign(page, "Cai Offline", "cai.e2e@yahooo.com")
    page.get_by_role("button", name="No, sign as cai.e2e@yahooo.com").click()

    expect(page).to_have_url(f"{site.url}/petitions/{EXAMPLE}/check-email/")
    form = parse_qs(posts[-1].post_data or "")
    assert (form["email"], form["email_as_typed"]) == (["cai.e2e@yahooo.com"], ["yes"])
    site.confirmation_link("cai.e2e@yahooo.com")


@pytest.mark.parametrize(
    ("typed", "answer", "signed"),
    [
        ("cy.e2e@yaho.com", "Yes, sign as cy.e2e@yahoo.com", "cy.e2e@yahoo.com"),
        ("di.e2e@outlok.com", "Sign this petition", "di.e2e@outlok.com"),
    ],
    ids=["use-the-suggestion", "keep-as-typed"],
)
def test_without_javascript_the_server_asks_about_a_mistyped_domain(
    confirming_site: Site, browser: Browser, typed: str, answer: str, signed: str
) -> None:
    site = confirming_site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site.page())
        fill_and_sign(page, "Cy NoScript", typed)

        expect(page.get_by_role("heading", level=1)).to_have_text("Is your email address right?")
        better = typed.replace("yaho.", "yahoo.").replace("outlok", "outlook")
        expect(page.get_by_role("link", name=f"Did you mean {better}?")).to_be_visible()
        expect(page.get_by_label("Email", exact=True)).to_have_value(typed)  # refilled
        expect(page.get_by_role("heading", level=2)).to_have_text(OPEN_TITLE)

        page.get_by_role("button", name=answer).click()

        expect(page).to_have_url(f"{site.url}/petitions/{EXAMPLE}/check-email/")
        site.confirmation_link(signed)
    finally:
        context.close()

"""Fixtures of the browser tests: Debian's Chromium through Playwright, kept off the network,
against `build.py serve` started on a free port over a copy of the fixture content: `site`
with confirmation off (a signature counts at once), `confirming_site` with it required (the
default of a real site: signing mails a link to the outbox, and the link confirms)."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from generator.content.loading import load_content
from generator.store.sqlite import SqliteStore
from tests.serve.launcher import (
    ROOT,
    ServeProcess,
    free_port,
    set_site_option,
    start_serve,
    stop_serve,
)
from tests.support.eventually import eventually
from tests.support.fixture_site import OPEN, copy_site

from .tiles import tile_server

CHROMIUM = Path("/usr/bin/chromium")
# Everything Chromium would fetch on its own is switched off, and every host name except
# the loopback ones resolves to nothing: the tests never leave this machine.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
ARTIFACTS = ROOT / "test-artifacts"  # git-ignored; CI keeps it
EXAMPLE = OPEN  # open, with a map, a call to action and imported milestones
NEAR_MILESTONE = "e2e-one-short-of-ten"
NEAR_MILESTONE_TEXT = """\
---
title: One signature short of ten
target: The Test Council
ask: Please reach the first milestone while a browser watches.
created: 2024-05-01T09:00:00+12:00
milestones: [10, 25]
location:
  name: Harbour City Library
tags: [testing]
imported:
  count: 9
---
This petition exists only in the end-to-end tests' copy of the content.
"""
# The confirming site's own petitions, one per flow, so each test knows its counts exactly.
CONFIRM_WITH_JS = "e2e-confirm-with-javascript"
CONFIRM_WITHOUT_JS = "e2e-confirm-without-javascript"  # 9 of 10: confirming bakes the page
WITHDRAW = "e2e-this-was-not-me"
RECEIPT_AFTER_CONFIRMING = "e2e-receipt-after-confirming"
CONFIRMING_PETITIONS = {
    CONFIRM_WITH_JS: ("Confirm a signature with JavaScript", 41, [100]),
    CONFIRM_WITHOUT_JS: ("Confirm a signature without JavaScript", 9, [10, 25]),
    WITHDRAW: ("Say it was not me", 57, [100]),
    RECEIPT_AFTER_CONFIRMING: ("Get a receipt after confirming", 12, [100]),
}
CONFIRM_LINK = re.compile(r"https?://\S+/api/petitions/[a-z0-9-]+/confirm/\S+")
MAIL_TIMEOUT = 5.0


def petition_text(title: str, imported: int, milestones: list[int]) -> str:
    """A petition file of the tests' own: open, `imported` signatures so far."""
    return (
        f"---\ntitle: {title}\ntarget: The Test Council\nask: Please confirm by mail.\n"
        f"created: 2024-05-01T09:00:00+12:00\nmilestones: {milestones}\ntags: [testing]\n"
        f"imported:\n  count: {imported}\n---\nOnly in the end-to-end tests' content.\n"
    )


def require_chromium() -> Path:
    """Debian's Chromium, or a failed (never skipped) test saying how to install it."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. Install it with "
            "`apt-get install -y --no-install-recommends chromium` (never `playwright install`).",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options: Debian's Chromium with the offline flags."""
    return {
        **browser_type_launch_args,
        "executable_path": str(require_chromium()),
        "args": CHROMIUM_FLAGS,
    }


def read_mail(path: Path) -> EmailMessage:
    """One .eml file of the outbox."""
    with path.open("rb") as file:
        message = email.message_from_binary_file(file, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@dataclass(frozen=True)
class Site:
    """The running server and where things are on it."""

    server: ServeProcess

    @property
    def url(self) -> str:
        """The site's origin, e.g. http://127.0.0.1:8123."""
        return self.server.url

    def page(self, slug: str = EXAMPLE) -> str:
        """The absolute URL of a petition's page."""
        return f"{self.url}/petitions/{slug}/"

    @property
    def outbox(self) -> Path:
        """Where the file mailer writes (serve's default, .data/outbox in its folder)."""
        return self.server.work / ".data" / "outbox"

    def mail_to(self, address: str) -> list[EmailMessage]:
        """The mails sent to `address` so far, oldest first."""
        found = (read_mail(p) for p in sorted(self.outbox.glob("*.eml")))
        return [m for m in found if m["To"] == address]

    def counted(self, slug: str) -> tuple[int, int]:
        """The petition's public count and pending count once serve has counted every change
        waiting on its store's feed (it counts on a thread of its own, just after each write),
        read from the store: what its count file and API show a moment later."""
        store = SqliteStore(self.server.work / "signatures.db")
        try:
            eventually(lambda: store.feed() is None, message="serve counting every change")
            tally = store.tally(slug)
        finally:
            store.close()
        petition = load_content(self.server.work / "content").petition(slug)
        assert petition is not None, slug
        return petition.imported.count + tally.count, tally.pending

    def confirmation_link(self, address: str) -> str:
        """The link in the (only) confirmation mail to `address`; waits for it to be sent."""

        def mailed() -> list[EmailMessage]:
            return self.mail_to(address) if self.outbox.is_dir() else []

        (mail,) = eventually(mailed, MAIL_TIMEOUT, message=f"a mail to {address} in the outbox")
        body = mail.get_body(preferencelist=("plain",))
        assert isinstance(body, EmailMessage)
        found = CONFIRM_LINK.search(body.get_content())
        assert found, f"no confirmation link in the mail to {address}"
        assert found.group(0).startswith(self.url + "/"), found.group(0)
        return found.group(0)


@pytest.fixture(scope="session")
def tiles() -> Iterator[str]:
    """The loopback stand-in for the map tile server (the tests may not go online)."""
    with tile_server() as tile_url:
        yield tile_url


def serve_site(work: Path, tiles: str, confirmation: str) -> ServeProcess:
    """serve over `work`'s content, published at its own address: site.yaml's base_url is the
    server's, so canonical links, the sitemap, robots.txt and the mailed links point where the
    browser (and Lighthouse) really are, and map tiles come from `tiles`. `confirmation`
    (PETITION_CONFIRMATION) overrides site.yaml's, which the fixture leaves at `required`."""
    content = work / "content"
    port = free_port()
    set_site_option(content, "base_url", f"http://127.0.0.1:{port}")
    set_site_option(content, "tile_url", tiles)
    return start_serve(work, port=port, watch=False, confirmation=confirmation)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, tiles: str) -> Iterator[Site]:
    """`build.py serve` for the whole session with confirmation off: a signature counts at
    once (201, or the thank-you page)."""
    require_chromium()
    work = tmp_path_factory.mktemp("e2e")
    content, _ = copy_site(work)
    (content / "petitions" / f"{NEAR_MILESTONE}.md").write_text(NEAR_MILESTONE_TEXT)
    server = serve_site(work, tiles, "off")
    try:
        yield Site(server)
    finally:
        stop_serve(server)


@pytest.fixture(scope="session")
def confirming_site(tmp_path_factory: pytest.TempPathFactory, tiles: str) -> Iterator[Site]:
    """Another serve for the session with confirmation required, as a real site has it:
    signing answers "check your email" and writes the mail to the outbox."""
    require_chromium()
    work = tmp_path_factory.mktemp("e2e-confirming")
    content, _ = copy_site(work)
    for slug, (title, imported, milestones) in CONFIRMING_PETITIONS.items():
        text = petition_text(title, imported, milestones)
        (content / "petitions" / f"{slug}.md").write_text(text)
    server = serve_site(work, tiles, "required")
    try:
        yield Site(server)
    finally:
        stop_serve(server)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder screenshots and reports are saved to (test-artifacts/ in the repository)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

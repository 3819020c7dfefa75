"""Fixtures of the browser tests: Debian's Chromium through Playwright, kept off the network,
against `build.py serve` started on a free port over a copy of the fixture content."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.serve.launcher import (
    ROOT,
    ServeProcess,
    free_port,
    set_site_option,
    start_serve,
    stop_serve,
)
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


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`build.py serve` for the whole session, published at its own local address.

    site.yaml's base_url is the server's address, so canonical links, the sitemap and
    robots.txt point where the browser (and Lighthouse) really are, and map tiles come
    from a loopback stand-in for the tile server (the tests may not go online).
    """
    require_chromium()
    work = tmp_path_factory.mktemp("e2e")
    content, _ = copy_site(work)
    (content / "petitions" / f"{NEAR_MILESTONE}.md").write_text(NEAR_MILESTONE_TEXT)
    port = free_port()
    set_site_option(content, "base_url", f"http://127.0.0.1:{port}")
    with tile_server() as tile_url:
        set_site_option(content, "tile_url", tile_url)
        server = start_serve(work, port=port, watch=False)
        try:
            yield Site(server)
        finally:
            stop_serve(server)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder screenshots and reports are saved to (test-artifacts/ in the repository)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

"""A petition page with its updates and where its supporters are, in Chromium at 1280 and
320 px, saved for review (test-artifacts/story-<width>px.png): the timeline interleaves
the updates with the milestones, and the map and table show only groups of 5 or more."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from generator.build.counts import ContentCounts
from generator.model import Content, Tally
from tests.support.fixture_site import WON, build_fixture

from .audit import axe_violations, describe, too_wide

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class PlacedCounts:
    """The content's counts, with supporters by place for the won petition."""

    def tallies(self, content: Content) -> dict[str, Tally]:
        found = ContentCounts().tallies(content)
        by_region = {"NZ-WGN": 400, "NZ-AUK": 250, "NZ-CAN": 150, "NZ-OTA": 40, "NZ-NSN": 3}
        found[WON] = replace(found[WON], by_country={"NZ": 843, "AU": 2}, by_region=by_region)
        return found


@pytest.fixture(scope="module")
def story_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("story") / "site"
    build_fixture(out, counts=PlacedCounts())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/petitions/{WON}/"
    finally:
        server.shutdown()


@pytest.mark.parametrize("width", [1280, 320])
def test_a_petition_with_updates_and_supporters_by_region(
    story_site: str, browser: Browser, artifacts: Path, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
        page.goto(story_site)
        expect(page.locator("#timeline li")).not_to_have_count(0)
        kinds = page.locator("#timeline li").all_inner_texts()
        assert any("Victory" in k or "victory" in k for k in kinds), kinds
        section = page.get_by_role("heading", name="Where supporters are")
        expect(section).to_be_visible()
        tables = page.locator("table").all_inner_texts()
        assert any("Wellington" in t for t in tables), tables
        assert not any("Nelson" in t for t in tables), "a group of 3 must not be shown"
        page.screenshot(path=str(artifacts / f"story-{width}px.png"), full_page=True)
        scroll_width, wide = too_wide(page, width)
        violations = axe_violations(page)
    finally:
        context.close()
    assert scroll_width <= width, wide
    assert not violations, describe(violations)

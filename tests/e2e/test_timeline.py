"""The timeline in a browser: a milestone the count file brings while the page is open takes
its place by time among the petition's updates, newest first, as the build would put it
(not merely above the milestones below its count)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from tests.support.fixture_site import WON

from .conftest import Site

pytestmark = pytest.mark.browser


def test_a_milestone_added_live_takes_its_place_among_the_updates_by_time(
    site: Site, page: Page, artifacts: Path
) -> None:
    counts = json.loads((site.server.out / "petitions" / WON / "count.json").read_text())
    # 1,000 signatures on 10 May, after the victory: the newest entry, not just above 500
    counts["milestones"].append({"count": 1000, "reached_at": "2024-05-10T10:00:00+12:00"})
    counts["count"], counts["goal"] = 1000, 5000

    def answer(route: Route) -> None:
        route.fulfill(json=counts, headers={"Cache-Control": "no-store"})

    page.route(f"**/petitions/{WON}/count.json", answer)
    page.goto(site.page(WON))
    expect(page.locator("#count")).to_have_text("1,000")

    items = page.locator("#timeline li")
    expect(items).to_have_count(6)
    assert [items.nth(i).locator("time").get_attribute("datetime") for i in range(6)] == [
        "2024-05-10T10:00:00+12:00",  # 1,000: added by the script
        "2024-04-29T08:00:00+12:00",  # the victory
        "2024-03-08T15:45:27+13:00",  # 500
        "2024-02-20T16:30:00+13:00",  # the Council's response
        "2024-02-13T07:59:14+13:00",  # 100
        "2024-02-12T08:41:09+13:00",  # 10
    ]
    expect(items.first).to_have_text("2024-05-10 10:00:00 +1200 1,000 signatures reached")
    page.locator("#timeline").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "petition-with-updates.png"), full_page=True)

"""A petition's updates on the built fixture site: in its timeline among its milestones
(newest first), each on its own page, and in its own Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest

from generator.model import Milestone, Update
from generator.render.updates import timeline
from tests.pages.html_tree import Node, parse
from tests.support.fixture_site import BARE, WON, WON_UPDATES, build_fixture

BASE = "https://petitions.example.org"
RESPONSE, VICTORY = WON_UPDATES
ZONE = ZoneInfo("Pacific/Auckland")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site built once for this module."""
    out = tmp_path_factory.mktemp("fixture") / "site"
    build_fixture(out)
    return out


def read(site: Path, rel: str) -> Node:
    return parse((site / rel).read_bytes())


def test_the_timeline_interleaves_updates_and_milestones_newest_first(site: Path) -> None:
    items = read(site, f"petitions/{WON}/index.html").by_id("timeline").find_all("li")

    stamps = [li.find("time").attrs["datetime"] for li in items]
    assert stamps == [
        "2024-04-29T08:00:00+12:00",  # the victory
        "2024-03-08T15:45:27+13:00",  # 500 signatures
        "2024-02-20T16:30:00+13:00",  # the Council's response
        "2024-02-13T07:59:14+13:00",  # 100
        "2024-02-12T08:41:09+13:00",  # 10
    ]
    assert [li.attrs.get("data-count") for li in items] == [None, "500", None, "100", "10"]
    heading = read(site, f"petitions/{WON}/index.html").by_id("milestones-heading")
    assert heading.text == "Timeline"


def test_an_update_in_the_timeline_says_its_kind_and_sender_and_links_its_page(
    site: Path,
) -> None:
    items = read(site, f"petitions/{WON}/index.html").by_id("timeline").find_all("li")
    victory, response = items[0], items[2]

    assert victory.find("strong").text == "Victory"
    assert victory.find("a").attrs["href"] == f"/petitions/{WON}/updates/{VICTORY}/"
    assert victory.find("a").text == "The crossing is open"
    assert response.find("strong").text == "Response"
    assert response.find("span", class_="from").text == (
        "from Harbour City Council's transport committee"
    )
    assert response.find("p").text.startswith("Thank you to the families of Tōtara Street")


def test_each_update_has_its_own_page(site: Path) -> None:
    doc = read(site, f"petitions/{WON}/updates/{RESPONSE}/index.html")
    url = f"{BASE}/petitions/{WON}/updates/{RESPONSE}/"

    main = doc.find("main")
    assert [h.text for h in main.find_all("h1")] == ["The Council will decide in March"]
    assert main.find("p", class_="byline").text == (
        "Response from Harbour City Council's transport committee · 20 February 2024"
    )
    assert "decide at its March meeting" in main.find("strong", class_=None).text
    back = main.find("a", href=f"/petitions/{WON}/")
    assert back.text == "A safe crossing outside Tōtara Street School"
    assert doc.find("link", rel="canonical").attrs["href"] == url
    assert doc.find("title").text.startswith("The Council will decide in March — A safe crossing")
    feeds = [f.attrs["href"] for f in doc.find_all("link", rel="alternate")]
    assert feeds == [f"/petitions/{WON}/feed.xml", "/feed.xml"]


def test_an_update_pages_headings_follow_its_h1(site: Path) -> None:
    main = read(site, f"petitions/{WON}/updates/{VICTORY}/index.html").find("main")

    assert [h.tag for h in main.iter() if h.tag in ("h1", "h2", "h3")] == ["h1", "h2"]


def test_the_petitions_feed_has_its_updates_newest_first(site: Path) -> None:
    feed = feedparser.parse((site / f"petitions/{WON}/feed.xml").read_bytes())

    assert not feed.bozo, feed.get("bozo_exception")
    assert (
        feed.feed.title == "A safe crossing outside Tōtara Street School — Harbour City Petitions"
    )
    assert feed.feed.link == f"{BASE}/petitions/{WON}/"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == f"{BASE}/petitions/{WON}/feed.xml"
    assert [e.link for e in feed.entries] == [
        f"{BASE}/petitions/{WON}/updates/{name}/" for name in (VICTORY, RESPONSE)
    ]
    victory, response = feed.entries
    assert (victory.title, victory.tags[0].term) == ("Victory: The crossing is open", "victory")
    assert victory.published_parsed[:3] == (2024, 4, 28)  # 08:00 in Auckland, the day before in UTC
    assert response.content[0].value.startswith(
        "<p>From Harbour City Council's transport committee</p>"
    )
    assert "<strong>decide at its March meeting</strong>" in response.content[0].value


def test_a_petition_without_updates_has_a_feed_to_follow_all_the_same(site: Path) -> None:
    feed = feedparser.parse((site / f"petitions/{BARE}/feed.xml").read_bytes())

    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.entries == []
    page = read(site, f"petitions/{BARE}/index.html")
    assert page.find("link", rel="alternate").attrs["href"] == f"/petitions/{BARE}/feed.xml"


def make_update(name: str, at: datetime) -> Update:
    return Update(name, f"updates/{name}.md", name, at, "update", "News.")


def test_at_one_time_an_update_comes_before_its_milestones_the_higher_first() -> None:
    at = datetime(2024, 3, 1, tzinfo=UTC)
    naive = datetime(2024, 3, 1, 13, 0, 1)  # a second later in Auckland (UTC+13)
    moments = timeline(
        [Milestone(10, at), Milestone(25, at), Milestone(50, naive)],
        [make_update("2024-03-01-news", at), make_update("2024-02-29-old", at - timedelta(1))],
        ZONE,
    )

    shown = [m.update.name if m.update else m.milestone.count for m in moments if m]
    assert shown == [50, "2024-03-01-news", 25, 10, "2024-02-29-old"]

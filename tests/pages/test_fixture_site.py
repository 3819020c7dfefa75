"""The built fixture site, parsed: what a supporter must see on each page.

The golden test (test_golden.py) catches any change to the output; these assertions say
which parts matter, so regenerating the golden files cannot quietly accept a regression.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.pages.html_tree import Node, parse
from tests.support.fixture_site import (
    BARE,
    CLOSED,
    OPEN,
    OPEN_TITLE,
    SLUGS,
    WON,
    WON_UPDATES,
    build_fixture,
)

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://petitions.example.org"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site built once for this module."""
    out = tmp_path_factory.mktemp("fixture") / "site"
    build_fixture(out)
    return out


def page(site: Path, slug: str, thanks: bool = False) -> Node:
    """A petition's page (or its thank-you page), parsed."""
    rel = f"petitions/{slug}/thanks/index.html" if thanks else f"petitions/{slug}/index.html"
    return parse((site / rel).read_bytes())


def test_the_petition_page_names_its_target_and_title(site: Path) -> None:
    main = page(site, OPEN).find("main")

    assert [h.text for h in main.find_all("h1")] == [OPEN_TITLE]
    assert main.find("p", class_="target").text == "To: The Ministry of Foreign Affairs and Trade"
    assert page(site, OPEN).find("title").text == f"{OPEN_TITLE} — Harbour City Petitions"


def test_the_count_goal_and_milestones_are_the_imported_history_in_the_sites_zone(
    site: Path,
) -> None:
    doc = page(site, OPEN)

    assert doc.by_id("count").text == "731"
    assert doc.by_id("goal").text == "1,000"
    assert doc.by_id("progress").attrs.items() >= {"max": "1000", "value": "731"}.items()
    timeline = [
        (li.attrs["data-count"], li.find("time").text, li.find("time").attrs["datetime"])
        for li in doc.by_id("timeline").find_all("li")
    ]
    assert timeline == [  # newest first; 500 was imported in UTC (06:05:41Z)
        ("500", "2017-04-20 18:05:41 +1200", "2017-04-20T18:05:41+12:00"),
        ("100", "2017-04-14 18:08:00 +1200", "2017-04-14T18:08:00+12:00"),
        ("50", "2017-04-14 15:47:59 +1200", "2017-04-14T15:47:59+12:00"),
        ("25", "2017-04-14 15:12:51 +1200", "2017-04-14T15:12:51+12:00"),
        ("10", "2017-04-14 14:35:51 +1200", "2017-04-14T14:35:51+12:00"),
    ]


def test_each_petition_has_a_count_file_saying_what_its_page_shows(site: Path) -> None:
    counts = json.loads((site / "petitions" / OPEN / "count.json").read_bytes())

    assert (counts["slug"], counts["count"], counts["pending"], counts["goal"]) == (
        OPEN,
        731,
        0,
        1000,
    )
    assert counts["milestones"][0] == {"count": 10, "reached_at": "2017-04-14T14:35:51+12:00"}
    assert [m["count"] for m in counts["milestones"]] == [10, 25, 50, 100, 500]  # oldest first
    assert counts["updated"] is None  # built from the content: no signature stored yet
    tally = page(site, OPEN).by_id("tally")
    assert tally.attrs["data-counts"] == f"/petitions/{OPEN}/count.json"
    for slug in SLUGS:
        shown = page(site, slug).by_id("count").text.replace(",", "")
        assert json.loads((site / "petitions" / slug / "count.json").read_bytes())["count"] == int(
            shown
        )


def test_the_form_posts_to_the_api_with_the_sites_signer_fields(site: Path) -> None:
    form = page(site, OPEN).find("form")

    assert form.attrs["method"] == "post"
    assert form.attrs["action"] == f"/api/petitions/{OPEN}/signatures"
    names = [n.attrs["name"] for n in form.iter() if n.tag in ("input", "textarea", "select")]
    assert names == ["name", "email", "postcode", "country", "consent", "website", "version"]
    version = form.find("input", name="version").attrs  # what the signer read: sent along
    assert version["type"] == "hidden" and re.fullmatch(r"[0-9a-f]{12}", version["value"])
    labels = {label.attrs["for"] for label in form.find_all("label")}
    shown = [n for n in form.find_all("input") if n.attrs["type"] != "hidden"]
    assert {n.attrs["id"] for n in shown} <= labels
    assert form.find("input", name="website").attrs["tabindex"] == "-1"  # the honeypot


def test_the_call_to_action_and_the_map_point_where_the_content_says(site: Path) -> None:
    doc = page(site, OPEN)

    cta = doc.find("aside", class_="cta")
    assert cta.find("a").attrs["href"] == "https://example.org/donate/chechnya"
    assert cta.find("a").text == "Donate to help them leave"
    assert cta.text.startswith("An advocacy group is raising money")
    place = doc.find("section", class_="place")
    address = place.find("address").text
    assert address == "Ministry of Foreign Affairs & Trade 195 Lambton Quay, Wellington"
    assert len(place.find_all("img")) == 4
    larger = place.find("p", class_="map-links").find("a").attrs["href"]
    assert "mlat=-41.27840&mlon=174.77630" in str(larger)


def test_a_place_without_coordinates_has_an_address_and_no_map(site: Path) -> None:
    place = page(site, CLOSED).find("section", class_="place")

    assert place.find("address").text == "Harbour Community Pool 12 Tide Street, Harbour City"
    assert place.find_all("img") == []


@pytest.mark.parametrize(
    ("slug", "status", "notice", "count", "goal"),
    [
        (CLOSED, "closed", "This petition is closed", "612", "1,000"),
        (WON, "won", "Victory! This petition won", "843", "1,000"),  # goal 500 passed
    ],
)
def test_closed_and_won_petitions_show_their_notice_and_no_form(
    site: Path, slug: str, status: str, notice: str, count: str, goal: str
) -> None:
    doc = page(site, slug)

    assert doc.find("p", class_=f"notice notice-{status}").text == notice
    assert doc.find_all("form") == []
    assert doc.find_all(id="sign-heading") == []  # no "Sign the petition" heading either
    assert (doc.by_id("count").text, doc.by_id("goal").text) == (count, goal)


def test_a_new_petition_has_no_place_no_milestones_and_its_own_goal(site: Path) -> None:
    doc = page(site, BARE)

    assert doc.by_id("count").text == "0"
    assert doc.by_id("goal").text == "5,000"
    assert doc.find("form").attrs["action"] == f"/api/petitions/{BARE}/signatures"
    assert doc.find_all("section", class_="place") == []
    assert doc.find_all("aside") == []
    assert doc.find_all(id="timeline") == []  # the script adds it from a template when reached
    assert doc.by_id("milestones-template").tag == "template"


def test_the_index_lists_open_petitions_first_then_by_count(site: Path) -> None:
    items = parse((site / "index.html").read_bytes()).find("ol", class_="cards").find_all("li")

    assert [li.find("a").attrs["href"] for li in items] == [f"/petitions/{s}/" for s in SLUGS]
    badges = [(li.find("span").attrs["class"], li.find("span").text) for li in items]
    assert badges == [
        ("badge badge-open", "Open"),
        ("badge badge-open", "Open"),
        ("badge badge-won", "Victory"),
        ("badge badge-closed", "Closed"),
    ]
    assert [li.find("strong").text for li in items] == ["731", "0", "843", "612"]
    assert items[0].find("h2").text == OPEN_TITLE


def test_the_feed_has_every_petition_and_update_newest_first(site: Path) -> None:
    feed = ET.parse(site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")

    response, victory = (f"{BASE}/petitions/{WON}/updates/{name}/" for name in WON_UPDATES)
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        f"{BASE}/petitions/{BARE}/",
        f"{BASE}/petitions/{WON}/",  # updated by its victory, which follows it
        victory,
        response,
        f"{BASE}/petitions/{CLOSED}/",
        f"{BASE}/petitions/{OPEN}/",
    ]
    updated = {e.findtext(f"{ATOM}id"): e.findtext(f"{ATOM}updated") for e in entries}
    assert updated[f"{BASE}/petitions/{OPEN}/"] == "2017-04-20T06:05:41Z"  # its 500th signer
    assert updated[f"{BASE}/petitions/{WON}/"] == updated[victory] == "2024-04-28T20:00:00Z"
    assert updated[response] == "2024-02-20T03:30:00Z"
    assert updated[f"{BASE}/petitions/{BARE}/"] == "2025-01-19T21:00:00Z"  # created, no milestone
    assert feed.findtext(f"{ATOM}updated") == "2025-01-19T21:00:00Z"
    summary = entries[0].findtext(f"{ATOM}summary") or ""
    assert "Make bus travel free" in summary


def test_the_sitemap_lists_the_index_and_every_petition_but_no_thank_you_page(site: Path) -> None:
    urls = [u.findtext(f"{SITEMAP}loc") for u in ET.parse(site / "sitemap.xml").getroot()]

    lists = ["/", "/open/", "/won/", "/closed/"]  # the index, then each status's list
    tags = ["education", "foreign-affairs", "health", "human-rights", "recreation", "schools"]
    lists += [f"/tags/{tag}/" for tag in [*tags, "transport"]] + ["/tags/"]
    petitions = [f"/petitions/{slug}/" for slug in sorted(SLUGS)]
    updates = [f"/petitions/{WON}/updates/{name}/" for name in WON_UPDATES]
    at = petitions.index(f"/petitions/{WON}/") + 1  # each petition's updates follow it
    assert urls == [BASE + path for path in lists + petitions[:at] + updates + petitions[at:]]
    robots = (site / "robots.txt").read_text("utf-8")
    assert "Disallow: /petitions/*/thanks/" in robots
    assert f"Sitemap: {BASE}/sitemap.xml" in robots


@pytest.mark.parametrize("slug", SLUGS)
def test_every_petition_has_a_thank_you_page_kept_out_of_search(site: Path, slug: str) -> None:
    doc = page(site, slug, thanks=True)

    assert doc.find("meta", name="robots").attrs["content"] == "noindex"
    assert doc.find("main").find("a").attrs["href"] == f"/petitions/{slug}/"


def test_every_page_names_the_sites_own_icon_so_no_browser_asks_for_favicon_ico(
    site: Path,
) -> None:
    pages = sorted(site.rglob("*.html"))
    icons = {parse(p.read_bytes()).find("link", rel="icon").attrs["href"] for p in pages}

    # each petition, its 4 landing pages, its embed and its text's history; the updates' pages;
    # index, 404, the receipt, 3 status lists, 7 tags + 1
    assert len(pages) == 7 * len(SLUGS) + len(WON_UPDATES) + 3 + 3 + 8
    (icon,) = icons  # one file for every page, fingerprinted like the other assets
    assert icon is not None and icon.startswith("/assets/icon.") and icon.endswith(".svg")
    assert (site / icon.lstrip("/")).read_bytes().startswith(b"<svg ")
    assert not (site / "favicon.ico").exists()

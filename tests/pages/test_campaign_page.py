"""The campaign page as a supporter reads it: who started it and when, the count and the sign
card before the story, a call to action that says what it does, a map that says where its
pictures come from, and a page light enough for a phone on a poor connection."""

from __future__ import annotations

import gzip
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from generator.model import CallToAction
from generator.render.pages import Renderer
from tests.pages.factories import make_entry, make_petition, make_site, render_petition
from tests.pages.html_tree import Node, parse
from tests.support.fixture_site import OPEN, TEMPLATES, build_fixture

PAGE = "petitions/chechnya/index.html"
BUDGET = 15 * 1024  # the petition page's HTML + CSS + JS, gzipped (pictures apart)


def page(renderer: Renderer, **petition: object) -> Node:
    return parse(render_petition(renderer, make_entry(make_petition(**petition)))[PAGE])


def classes(node: Node) -> list[str]:
    return node.attrs.get("class", "").split()


def test_the_page_says_when_the_petition_started_and_by_whom(renderer: Renderer) -> None:
    byline = page(renderer).find("p", class_="byline")
    assert byline.text == "Started 14 April 2017 by ActionStation Aotearoa"
    assert byline.find("time").attrs["datetime"].startswith("2017-04-14T13:00:00+12:00")


def test_an_open_petition_with_a_closing_date_says_when_it_closes(renderer: Renderer) -> None:
    open_one = page(renderer, closes=date(2030, 3, 1)).find("p", class_="byline")
    closed = page(renderer, closes=date(2030, 3, 1), status="closed").find("p", class_="byline")
    assert open_one.text.endswith(" · Closes 1 March 2030")
    assert "Closes" not in closed.text  # the notice says it is closed


def test_the_count_and_form_come_before_the_story_and_after_the_ask(renderer: Renderer) -> None:
    """The page's order is the phone's: title, ask, the card (count, form), the story; the
    stylesheet lifts the count above the ask on phones and moves the card beside the story
    on wide screens (the browser tests measure both)."""
    article = page(renderer).find("article")
    parts = [n for n in article.children if isinstance(n, Node)]
    assert [p.tag for p in parts] == ["header", "div", "div", "div"]
    head, ask, card, story = parts
    assert head.find("h1") and classes(ask) == ["ask"] and classes(card) == ["sign-card"]
    assert [c.attrs.get("id") for c in card.children if isinstance(c, Node)] == ["tally", None]
    assert card.find("form").attrs["id"] == "sign-form"
    assert story.find("h2").text == "Why is this important?"


def test_the_call_to_action_button_says_what_it_does(renderer: Renderer) -> None:
    action = CallToAction("Help those at risk.", "https://www.allout.org/en/chechnya/", "Donate")
    aside = page(renderer, call_to_action=action).find("aside", class_="cta")
    button = aside.find("a", class_="button")
    assert (button.text, button.attrs["href"]) == ("Donate", action.url)
    assert aside.find("span", class_="cta-where").text == "allout.org"  # where, beside it


def test_without_a_label_the_button_says_take_action_never_the_url(renderer: Renderer) -> None:
    action = CallToAction("Write to the Minister.", "mailto:minister@example.org")
    aside = page(renderer, call_to_action=action).find("aside", class_="cta")
    assert aside.find("a", class_="button").text == "Take action"
    assert aside.find("span", class_="cta-where").text == "minister@example.org"


def test_the_map_names_its_tile_host_and_labels_the_place(renderer: Renderer) -> None:
    place = page(renderer).find("section", class_="place")
    tiles = place.find("div", class_="map-tiles map-cols-2")
    label = [n for n in tiles.children if isinstance(n, Node)][-1]  # last: over the tiles
    assert "map-label" in classes(label) and label.attrs["aria-hidden"] == "true"
    assert label.text == "Ministry of Foreign Affairs & Trade"
    note = place.find("p", class_="map-privacy").text
    assert "tile.openstreetmap.org" in note and "internet address" in note


def test_tile_url_none_shows_no_tiles_but_still_links_the_place() -> None:
    renderer = Renderer(replace(make_site(), tile_url=""), TEMPLATES)
    place = page(renderer).find("section", class_="place")
    assert place.find_all("img") == [] and place.find_all("p", class_="map-privacy") == []
    (link,) = place.find_all("a")
    assert link.text == "See it on OpenStreetMap"
    assert "openstreetmap.org" in link.attrs["href"]


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("campaign") / "site"
    build_fixture(out)
    return out


def test_the_petition_page_weighs_at_most_15_kb_gzipped(fixture_site: Path) -> None:
    html = (fixture_site / "petitions" / OPEN / "index.html").read_bytes()
    linked = re.findall(rb'(?:href|src)="/(assets/[^"]+\.(?:css|js))"', html)
    assert {Path(p.decode()).suffix for p in linked} == {".css", ".js"}
    sizes = {"html": len(gzip.compress(html, 9))}
    for path in linked:
        sizes[path.decode()] = len(gzip.compress((fixture_site / path.decode()).read_bytes(), 9))
    total = sum(sizes.values())
    print(f"petition page gzipped: {total} bytes {sizes}")
    assert total <= BUDGET, f"{total} bytes gzipped, over {BUDGET}: {sizes}"

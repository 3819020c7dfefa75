"""The picture at the top of the petition page: <picture> with WebP and JPEG srcsets, its box
kept by width and height, its alt text and its credit; every file it names is written."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from PIL import Image

from generator.model import Picture
from generator.render.listing import card_picture
from generator.render.pages import Renderer
from tests.pages.factories import TEMPLATES, make_entry, make_petition, make_site, render_petition
from tests.pages.html_tree import Node, parse
from tests.support.pictures import FIXTURE_ALT, FIXTURE_PICTURE, picture_of

PAGE = "petitions/chechnya/index.html"
FOLDER = "/petitions/chechnya/"


@pytest.fixture
def picture() -> Picture:
    """The fixture's picture (1000 by 600), credited (with markup that must stay text)."""
    return picture_of(FIXTURE_PICTURE, credit="Photo by <b>Jane</b> Doe (CC BY 4.0)")


def rendered(picture: Picture | None) -> tuple[Node, dict[str, bytes]]:
    entry = make_entry(make_petition(image=picture))
    files = render_petition(Renderer(make_site(), TEMPLATES), entry)
    return parse(files[PAGE]), files


def srcset(value: str) -> list[tuple[str, str]]:
    """A srcset's (URL, width) pairs."""
    pairs = [item.split(" ") for item in value.split(", ")]
    return [(url, width) for url, width in pairs]


def test_the_picture_offers_webp_and_jpeg_at_each_width(picture: Picture) -> None:
    doc, files = rendered(picture)
    figure = doc.find("figure", **{"class": "picture"})
    source = figure.find("source")
    img = figure.find("img")

    assert source.attrs["type"] == "image/webp"
    webp, jpeg = srcset(source.attrs["srcset"]), srcset(img.attrs["srcset"])
    assert [w for _, w in webp] == [w for _, w in jpeg] == ["480w", "800w", "1000w"]
    assert all(u.startswith(FOLDER) and u.endswith(".webp") for u, _ in webp)
    assert all(u.startswith(FOLDER) and u.endswith(".jpg") for u, _ in jpeg)
    assert img.attrs["src"] == jpeg[-1][0]
    assert source.attrs["sizes"] == img.attrs["sizes"] and "100vw" in img.attrs["sizes"]
    for url, width in webp + jpeg:  # every file named is written, at the width it claims
        with Image.open(io.BytesIO(files[url.lstrip("/")])) as opened:
            assert f"{opened.size[0]}w" == width


def test_width_height_and_alt_are_set_so_nothing_shifts(picture: Picture) -> None:
    img = rendered(picture)[0].find("figure").find("img")

    assert (img.attrs["width"], img.attrs["height"]) == ("1000", "600")
    assert img.attrs["alt"] == FIXTURE_ALT
    assert "loading" not in img.attrs  # the first thing seen: never lazy


def test_the_credit_is_the_caption_as_text(picture: Picture) -> None:
    figure = rendered(picture)[0].find("figure")

    assert figure.find("figcaption").text == "Photo by <b>Jane</b> Doe (CC BY 4.0)"
    assert not figure.find_all("b")


def test_the_picture_sits_in_the_petitions_head_after_the_title(picture: Picture) -> None:
    doc = rendered(picture)[0]
    head = [n.tag for n in doc.find("main").iter() if n.tag in ("h1", "figure", "form")]

    assert head.index("h1") < head.index("figure") < head.index("form")


def test_without_a_credit_there_is_no_caption_and_without_a_picture_no_figure(
    picture: Picture,
) -> None:
    uncredited = rendered(replace(picture, credit=""))[0]
    bare, files = rendered(None)

    assert uncredited.find("figure").find_all("figcaption") == []
    assert bare.find_all("figure") == [] and bare.find_all("picture") == []
    assert not [f for f in files if "/picture-" in f]


def test_the_index_cards_picture_is_one_of_the_files_written(picture: Picture) -> None:
    petition = make_petition(image=picture)
    files = render_petition(Renderer(make_site(), TEMPLATES), make_entry(petition))

    url = card_picture(petition)

    assert url.startswith(FOLDER) and url.lstrip("/") in files
    assert card_picture(make_petition()) == ""

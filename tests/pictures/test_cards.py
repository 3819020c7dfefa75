"""The share card: a 1200 by 630 PNG at /petitions/<slug>/card.png with the title, target,
the count the page shows and the site's name (and the picture), linked by absolute URL from
Open Graph and Twitter tags; long titles never overflow; the same inputs, the same bytes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from generator.errors import ConfigError
from generator.model import Tally
from generator.render import cards
from generator.render.cards import CardText, count_line, ellipsize, fit_title, render_card, wrap
from generator.render.fonts import FONTS_ENV, default_fonts, find_fonts, font_folders
from generator.render.media import Media
from generator.render.pages import Renderer
from tests.pages.factories import (
    SEED_TITLE,
    TEMPLATES,
    make_entry,
    make_petition,
    make_site,
    render_petition,
)
from tests.pages.html_tree import parse
from tests.support.fixture_site import REPO, copy_site
from tests.support.pictures import FIXTURE_PICTURE, picture_of

CARD = "petitions/chechnya/card.png"
PAGE = "petitions/chechnya/index.html"
LONG_WORD = "Kororāreka" * 12


def card_of(count: int, **petition: object) -> bytes:
    entry = make_entry(make_petition(**petition), Tally(count))
    return render_petition(Renderer(make_site(), TEMPLATES), entry)[CARD]


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_the_card_is_a_1200_by_630_png() -> None:
    image = opened(card_of(731))

    assert (image.format, image.size) == ("PNG", (1200, 630))


def test_the_card_shows_the_count_the_page_shows() -> None:
    entry = make_entry(make_petition(), Tally(731))
    files = render_petition(Renderer(make_site(), TEMPLATES), entry)
    shown = int(parse(files[PAGE]).by_id("count").text.replace(",", ""))

    text = CardText(SEED_TITLE, entry.petition.target, count_line(shown, "open"), make_site().name)

    assert files[CARD] == render_card(text, default_fonts())


def test_the_card_changes_when_the_count_crosses_a_milestone_and_is_stable_otherwise() -> None:
    below, reached = card_of(99), card_of(100)

    assert below != reached
    assert card_of(100) == reached  # the same inputs, the same bytes (a fresh renderer)


def test_with_a_picture_the_card_shows_it_at_the_right_and_the_text_keeps_clear() -> None:
    plain = opened(card_of(731))
    pictured = opened(card_of(731, image=picture_of(FIXTURE_PICTURE)))

    assert plain.mode == "P" and pictured.mode == "RGB"  # a palette of ink shades, or colour
    panel = (1200 - cards.PANEL, 0, 1200, 630)
    assert len(pictured.crop(panel).getcolors(1 << 16) or []) > 100  # the photo
    gutter = (1200 - cards.PANEL - cards.MARGIN + 2, cards.BAR, 1200 - cards.PANEL, 630)
    assert pictured.convert("L").crop(gutter).getextrema() == (255, 255)  # paper only


def test_the_head_links_the_card_by_absolute_url_with_its_size_and_alt() -> None:
    entry = make_entry(make_petition(), Tally(731))
    doc = parse(render_petition(Renderer(make_site(), TEMPLATES), entry)[PAGE])
    og = {
        m.attrs["property"]: m.attrs["content"]
        for m in doc.find_all("meta")
        if "property" in m.attrs
    }
    named = {m.attrs["name"]: m.attrs["content"] for m in doc.find_all("meta") if "name" in m.attrs}

    url = "https://petitions.example.org/petitions/chechnya/card.png"
    assert og["og:image"] == named["twitter:image"] == url
    assert (og["og:image:width"], og["og:image:height"]) == ("1200", "630")
    assert og["og:image:type"] == "image/png"
    assert og["og:image:alt"] == named["twitter:image:alt"]
    assert og["og:image:alt"].startswith(SEED_TITLE) and "731 signatures" in og["og:image:alt"]
    assert named["twitter:card"] == "summary_large_image"


@pytest.mark.parametrize(
    "title",
    [
        "Save the pool",
        "Tell the government to take a stand " * 5,
        LONG_WORD,  # one word wider than the card: cut inside it
        ("Keep the Harbour Pool heated " + LONG_WORD + " ") * 4,
    ],
)
def test_titles_wrap_and_shrink_to_fit_and_nothing_is_drawn_in_the_margins(title: str) -> None:
    fonts = default_fonts()
    width, height = 1200 - 2 * cards.MARGIN, cards.TITLE_BOTTOM - cards.TITLE_TOP
    font, lines = fit_title(title, str(fonts.bold), width, height)

    assert all(font.getlength(line) <= width for line in lines)
    assert len(lines) * round(font.size * cards.LEADING) <= height
    image = opened(card_of(731, title=title)).convert("L")
    margins = [
        (1200 - cards.MARGIN + 2, cards.BAR, 1200, 630),  # right
        (0, cards.BAR, cards.MARGIN - 2, 630),  # left
        (0, 630 - 20, 1200, 630),  # bottom
    ]
    for box in margins:
        assert image.crop(box).getextrema() == (255, 255), box  # paper only


def test_a_title_too_long_for_the_smallest_size_ends_in_an_ellipsis() -> None:
    fonts = default_fonts()
    title = "Tell the council to fix the harbour pool heating " * 12

    font, lines = fit_title(title, str(fonts.bold), 632, 340)

    assert font.size == cards.TITLE_SIZES[-1]
    assert lines[-1].endswith("…") and " ".join(lines).rstrip("…") in title


def test_wrapping_breaks_at_spaces_and_inside_a_word_only_when_it_must() -> None:
    font = cards._font(str(default_fonts().bold), 40)

    assert wrap("one two three", font, 1000) == ["one two three"]
    assert wrap("one two three", font, font.getlength("one two")) == ["one two", "three"]
    broken = wrap(LONG_WORD, font, 300)
    assert "".join(broken) == LONG_WORD and all(font.getlength(p) <= 300 for p in broken)
    assert ellipsize("short", font, 300) == "short"
    assert ellipsize(LONG_WORD, font, 300).endswith("…")


def test_the_count_line_says_the_outcome_and_counts_one_signature_as_one() -> None:
    assert count_line(1, "open") == "1 signature"
    assert count_line(12345, "open") == "12,345 signatures"
    assert count_line(843, "won") == "Won · 843 signatures"
    assert count_line(612, "closed") == "Closed · 612 signatures"


def test_missing_fonts_say_which_package_to_install(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        find_fonts((tmp_path,))

    message = str(caught.value)
    assert "DejaVuSans.ttf" in message and str(tmp_path) in message
    assert "fonts-dejavu-core" in message and FONTS_ENV in message
    assert font_folders({FONTS_ENV: str(tmp_path)}) == (tmp_path,)
    assert Path("/usr/share/fonts/truetype/dejavu") in font_folders({})


def test_a_build_without_the_fonts_fails_clearly_and_writes_nothing(tmp_path: Path) -> None:
    content, templates = copy_site(tmp_path)
    out = tmp_path / "site"
    env = {**os.environ, FONTS_ENV: str(tmp_path / "no-fonts-here")}
    command = [sys.executable, str(REPO / "build.py"), "--content", str(content)]
    command += ["--templates", str(templates), "--out", str(out), "--cache", str(tmp_path / "c")]

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode != 0
    assert "fonts-dejavu-core" in done.stderr and "no-fonts-here" in done.stderr
    assert not out.exists()


def test_the_media_folder_keeps_one_card_per_petition_and_redraws_it_when_it_changes(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "media"
    text = CardText("Save the pool", "The Council", count_line(9, "open"), "Site")
    first = Media("Site", folder).card("save-the-pool", text, None)
    assert Media("Site", folder).card("save-the-pool", text, None) == first  # kept

    crossed = CardText("Save the pool", "The Council", count_line(10, "open"), "Site")
    redrawn = Media("Site", folder).card("save-the-pool", crossed, None)

    assert redrawn != first and redrawn == render_card(crossed, default_fonts())
    assert [p.name for p in (folder / "cards").iterdir()] == ["save-the-pool.card"]

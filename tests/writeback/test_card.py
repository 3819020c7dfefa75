"""The share card follows the milestones: the write-back a milestone triggers redraws
card.png with the count the re-rendered page shows; signatures short of one leave it alone."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from PIL import Image

from generator.counting.counter import MilestoneHook
from generator.model import Content
from generator.render.cards import CardText, count_line, render_card
from generator.render.fonts import default_fonts
from generator.signing.service import SigningService
from generator.store.base import Store
from generator.writeback.worker import local_writeback
from tests.pages.html_tree import parse

from .support import SLUG, TEMPLATES, Built, sign

ServiceFor = Callable[[Iterable[MilestoneHook]], SigningService]
CARD = f"petitions/{SLUG}/card.png"
PAGE = f"petitions/{SLUG}/index.html"


def test_a_milestone_redraws_the_card_with_the_count_the_page_shows(
    built: Built, store: Store, content: Content, service_for: ServiceFor
) -> None:
    first = built.read(CARD)
    with local_writeback(content, TEMPLATES, store, built.out, built.cache) as worker:
        service = service_for([worker.hook])
        sign(service, SLUG, 9)  # short of the first milestone, 10
        assert worker.wait(timeout=30) and worker.refreshes == 0
        assert built.read(CARD) == first
        sign(service, SLUG, 1, start=9)  # the tenth: milestone 10
        assert worker.wait(timeout=30)
        assert (worker.refreshes, worker.failures) == (1, 0)

    card = built.read(CARD)
    shown = int(parse(built.read(PAGE)).by_id("count").text)
    petition = content.petition(SLUG)
    assert petition is not None and shown == 10 and card != first
    said = CardText(petition.title, petition.target, count_line(shown, "open"), content.site.name)
    assert card == render_card(said, default_fonts())
    with Image.open(io.BytesIO(card)) as image:
        assert (image.format, image.size) == ("PNG", (1200, 630))

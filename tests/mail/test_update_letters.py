"""Update letters to supporters: the update's title, kind, sender and body (Markdown as safe
HTML, as written in the text part), links to its page and to unsubscribe, and RFC 8058's
one-click headers, well-formed."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from generator.content.loading import load_content
from generator.model import Content, Update
from generator.signing.letters import Letter, LetterError, Writer
from tests.support.fixture_site import BARE, CONTENT, TEMPLATES

UNSUBSCRIBE = (
    "https://petitions.example.org/api/petitions/free-bus-fares-for-students/unsubscribe/"
    "AAAA.BBBB/CCCC"
)
REPLY = Update(
    name="2025-03-02-council-replies",
    path="content/petitions/free-bus-fares-for-students/updates/2025-03-02-council-replies.md",
    title="The council replies",
    date=datetime(2025, 3, 2, 9, 0, tzinfo=UTC),
    kind="response",
    body="The council will **consider** free fares <script>alert(1)</script> in [May](https://example.org/may).",
    sender="Harbour City Regional Council",
)


def with_update(content: Content, update: Update = REPLY) -> Content:
    """The content with `update` on the BARE petition."""
    petitions = tuple(
        replace(p, updates=(update,)) if p.slug == BARE else p for p in content.petitions
    )
    return Content(content.site, petitions)


@pytest.fixture
def writer() -> Writer:
    return Writer(with_update(load_content(CONTENT)), TEMPLATES)


def update_letter(name: str = REPLY.name, link: str = UNSUBSCRIBE) -> Letter:
    return Letter("update", "ada@example.org", BARE, {"unsubscribe": link}, name)


def test_an_update_letter_carries_the_update_in_both_parts(writer: Writer) -> None:
    message = writer.write(update_letter())
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    page = "https://petitions.example.org/petitions/free-bus-fares-for-students/updates/2025-03-02-council-replies/"

    assert (
        message["Subject"]
        == "Response: The council replies (Free bus fares for every student in Harbour City)"
    )
    for part in (text, html):
        assert "The council replies" in part
        assert "Response" in part and "from Harbour City Regional Council" in part
        assert page in part
        assert UNSUBSCRIBE in part
        assert "privacy" in part.lower()
    assert "will **consider** free fares" in text  # the Markdown as written
    assert "will <strong>consider</strong> free fares" in html  # and rendered
    assert '<a href="https://example.org/may"' in html
    assert "<script>" not in html


def test_an_update_letter_offers_one_click_unsubscribe(writer: Writer) -> None:
    message = writer.write(update_letter())

    header = message["List-Unsubscribe"]
    found = re.fullmatch(r"<(https://[^\s<>]+)>", header)
    assert found is not None, header
    assert found.group(1) == UNSUBSCRIBE
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"


def test_a_confirmation_letter_has_no_unsubscribe_headers(writer: Writer) -> None:
    message = writer.write(Letter("confirm", "ada@example.org", BARE, {"confirm": "https://x"}))

    assert message["List-Unsubscribe"] is None
    assert message["List-Unsubscribe-Post"] is None


def test_an_update_the_content_does_not_have_is_a_letter_error(writer: Writer) -> None:
    with pytest.raises(LetterError, match="no update '2025-04-01-gone'"):
        writer.write(update_letter("2025-04-01-gone"))


def test_an_update_letter_without_an_absolute_unsubscribe_link_is_refused(writer: Writer) -> None:
    with pytest.raises(LetterError, match="unsubscribe"):
        writer.write(update_letter(link="/api/petitions/x/unsubscribe/a/b"))


def test_an_update_letter_survives_the_queue() -> None:
    letter = update_letter()

    again = Letter.from_json(letter.as_json())

    assert (again.kind, again.update, again.links) == ("update", REPLY.name, letter.links)
    assert "ada" not in repr(again)

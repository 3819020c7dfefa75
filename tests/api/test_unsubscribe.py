"""One-click unsubscribe (RFC 8058): the link in an update letter, POSTed as a mail client
does, withdraws the signer's consent (safe to repeat) so the next update is not mailed to
them; a GET only shows a button; a forged link is a 404 that does not tell whether the
signature exists."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from generator.model import Content, Update
from generator.signing import unsubscribe
from generator.store.base import Store
from generator.upkeep.notify import Notifier

from .support import NOW, SECRET, Api, Clock, Outbox, make_content

SLUG = "fresh"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ONE_CLICK = b"List-Unsubscribe=One-Click"


def news(name: str, days: float) -> Update:
    return Update(
        name=name, path=f"content/petitions/{SLUG}/updates/{name}.md", title=f"News {name}",
        date=NOW + timedelta(days=days), kind="update", body="Something happened.",
    )  # fmt: skip


FIRST, SECOND = news("2024-05-31-first", -1), news("2024-06-04-second", 3)


@pytest.fixture
def content() -> Content:
    """The API's content (conftest's `configure` hands it to the app) with two updates on
    SLUG, the second dated three days on."""
    base = make_content()
    petitions = tuple(
        replace(p, updates=(FIRST, SECOND)) if p.slug == SLUG else p for p in base.petitions
    )
    return Content(base.site, petitions)


def notify(content: Content, store: Store, clock: Clock) -> Outbox:
    outbox = Outbox()
    Notifier(content, store, outbox, SECRET.encode(), "https://petitions.example.org", clock).run()
    return outbox


def link_of(outbox: Outbox, address: str) -> str:
    """The path below /api of the unsubscribe link in the letter to `address`."""
    (letter,) = [x for x in outbox.letters if x.to == address]
    return urlsplit(letter.links["unsubscribe"]).path.removeprefix("/api")


def post(api: Api, path: str, body: bytes = ONE_CLICK, headers: dict[str, str] = FORM) -> Any:
    return api.client.http.post(path, headers=headers, body=body)


def signed_up(api: Api, *addresses: str) -> None:
    for address in addresses:
        assert api.sign(SLUG, email=address, consent=True).status_code == 201


def supporters(store: Store) -> int:
    return len(list(store.recipients(SLUG, FIRST.name)))


def test_one_click_withdraws_consent_and_the_next_update_is_not_sent(
    api: Api, store: Store, content: Content, clock: Clock
) -> None:
    signed_up(api, "ada@example.org", "grace@example.org")
    first = notify(content, store, clock)
    assert sorted(x.to for x in first.letters) == ["ada@example.org", "grace@example.org"]

    answer = post(api, link_of(first, "ada@example.org"))

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "no more updates" in answer.body.decode()
    assert supporters(store) == 1
    clock.now = SECOND.date + timedelta(hours=1)
    second = notify(content, store, clock)
    assert [(x.to, x.update) for x in second.letters] == [("grace@example.org", SECOND.name)]
    assert json.loads(api.get(SLUG).body)["count"] == 2  # both signatures still count


def test_unsubscribing_twice_is_fine_and_any_body_is_taken(
    api: Api, store: Store, content: Content, clock: Clock
) -> None:
    signed_up(api, "ada@example.org")
    path = link_of(notify(content, store, clock), "ada@example.org")
    multipart = (
        b'--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n'
        b"One-Click\r\n--b--\r\n"
    )

    answers = [
        post(api, path),
        post(api, path, multipart, {"Content-Type": "multipart/form-data; boundary=b"}),
        post(api, path, b"", {}),
    ]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert supporters(store) == 0


def test_opening_the_link_shows_a_button_and_changes_nothing(
    api: Api, store: Store, content: Content, clock: Clock
) -> None:
    signed_up(api, "ada@example.org")
    path = link_of(notify(content, store, clock), "ada@example.org")

    page = api.client.http.get(path)

    assert page.status_code == 200
    html = page.body.decode()
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form is not None
    assert form.group(1) == "/api" + path
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in form.group(2)
    assert "<button" in form.group(2)
    assert supporters(store) == 1  # a mail scanner's GET unsubscribes no one


def test_a_forged_link_is_a_404_that_does_not_say_whether_the_signature_exists(
    api: Api, store: Store, content: Content, clock: Clock
) -> None:
    signed_up(api, "ada@example.org")
    path = link_of(notify(content, store, clock), "ada@example.org")
    prefix, ref, token = path.rsplit("/", 2)
    forged = f"{prefix}/{ref}/{'A' * 22 if token != 'A' * 22 else 'B' * 22}"
    nobody = unsubscribe.path(SLUG, "ab" * 32, "cd" * 16, b"another-key-entirely!")
    elsewhere = f"/petitions/open/unsubscribe/{ref}/{token}"  # another petition's link

    answers = [(api.client.http.get(p), post(api, p)) for p in (forged, nobody, elsewhere)]

    assert [(g.status_code, p.status_code) for g, p in answers] == [(404, 404)] * 3
    assert answers[0][1].body == answers[1][1].body  # the same page, signature or none
    assert "does not work" in answers[0][1].body.decode()
    assert supporters(store) == 1


def test_a_malformed_link_is_a_404(api: Api, content: Content) -> None:
    for path in (
        f"/petitions/{SLUG}/unsubscribe/not-a-ref/AAAAAAAAAAAAAAAAAAAAAA",
        f"/petitions/{SLUG}/unsubscribe/{'A' * 43}/short",
        f"/petitions/{SLUG}/unsubscribe/{'A' * 43}.{'A' * 21}/{'A' * 22}",
    ):
        assert post(api, path).status_code == 404
        assert api.client.http.get(path).status_code == 404

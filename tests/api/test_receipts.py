"""Receipts: the signer of a new signature that counts (at once with confirmation off, when
the link is confirmed with it on) gets the address of their receipt, naming the hash their
leaf in the petition's public log carries and where in the log to start looking; a duplicate,
a bot or a second confirmation gets none; without the log's id key nobody does."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from generator.counting.counter import Counter
from generator.log.leaves import Kind, decode, signature_key
from generator.model import Content
from generator.store.base import Store
from tests.api.support import Api, Outbox, make_content, make_site
from tests.support.counting import source_of

ID_KEY = bytes(range(32, 64))
RECEIPT = re.compile(r"/receipt/#p=([a-z0-9-]+)&s=([\w-]{43})&from=(\d+)")
REQUIRED = make_content(make_site(confirmation="required"))


@pytest.fixture
def logged(
    configure: Callable[..., None], env: dict[str, str], store: Store
) -> Callable[[Content], None]:
    """Configure the app with the log's id key, counting each write at once into the log."""

    def apply(content: Content, **more: object) -> None:
        env["PETITION_LOG_ID_KEY"] = ID_KEY.hex()
        counter = Counter(content, store, id_key=ID_KEY)
        configure(content=content, after_write=lambda: counter.drain(source_of(store)), **more)

    return apply


def receipt_of(answer: str) -> tuple[str, bytes, int]:
    """A receipt address's petition, signature hash and start."""
    found = RECEIPT.fullmatch(answer)
    assert found, answer
    slug, hashed, start = found.groups()
    return slug, base64.urlsafe_b64decode(hashed + "="), int(start)


def sid_of(store: Store, slug: str, email: str) -> str:
    """The random id of the signature made with this address."""
    return next(s.id for s in store.signatures(slug) if s.email == email)


def test_a_counted_signature_gets_a_receipt_naming_its_leaf(
    api: Api, store: Store, logged: Callable[..., None]
) -> None:
    logged(make_content())
    api.sign("fresh", email="first@example.org")
    answer = json.loads(api.sign("fresh", email="second@example.org").body)

    slug, hashed, start = receipt_of(answer["receipt"])
    assert (slug, start) == ("fresh", 1)  # one leaf was in the log before it
    assert hashed == signature_key(ID_KEY, sid_of(store, "fresh", "second@example.org"))
    leaf = decode(store.log_entries("fresh", start, start + 1)[0])
    assert (leaf.kind, leaf.signature) == (Kind.ADD, hashed)  # the page finds it right there


def test_no_receipt_for_a_duplicate_or_a_bot(api: Api, logged: Callable[..., None]) -> None:
    logged(make_content())
    assert "receipt" in json.loads(api.sign("fresh", email="ana@example.org").body)

    again = json.loads(api.sign("fresh", email="ANA@example.org").body)
    bot = json.loads(api.sign("fresh", email="bot@example.org", website="http://spam").body)

    assert "receipt" not in again and "receipt" not in bot
    assert again.keys() == bot.keys() == {"count", "goal", "milestone"}


def test_a_form_signature_is_sent_to_the_thanks_page_with_its_receipt(
    api: Api, logged: Callable[..., None]
) -> None:
    logged(make_content())
    answer = api.sign("fresh", form=True)

    location = answer.headers["Location"]
    page, _, fragment = location.partition("#")
    assert (answer.status_code, page) == (303, "/petitions/fresh/thanks/")
    assert receipt_of(f"/receipt/#{fragment}")[0] == "fresh"


def test_confirming_gives_the_receipt_once(
    api: Api, store: Store, logged: Callable[..., None]
) -> None:
    box = Outbox()
    logged(REQUIRED, mailer=box)
    api.sign("fresh", email="mere@example.org")
    assert "receipt" not in json.loads(api.sign("fresh", email="x@example.org").body)
    link = box.links()[0]
    post = api.client.http.post
    json_headers = {"Content-Type": "application/json"}

    first = json.loads(post(link, headers=json_headers, body=b'{"choice": "confirm"}').body)
    again = json.loads(post(link, headers=json_headers, body=b'{"choice": "confirm"}').body)

    slug, hashed, start = receipt_of(first["receipt"])
    assert (slug, start) == ("fresh", 0)
    assert hashed == signature_key(ID_KEY, sid_of(store, "fresh", "mere@example.org"))
    assert decode(store.log_entries("fresh", 0, 1)[0]).signature == hashed
    assert "receipt" not in again  # confirmed before: shown the first time only


def test_a_form_confirmation_is_sent_to_the_confirmed_page_with_its_receipt(
    api: Api, logged: Callable[..., None]
) -> None:
    box = Outbox()
    logged(REQUIRED, mailer=box)
    api.sign("fresh", email="tama@example.org")
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    answer = api.client.http.post(box.links()[0], headers=form, body=b"choice=confirm")

    location = urlsplit(answer.headers["Location"])
    assert (answer.status_code, location.path) == (303, "/petitions/fresh/confirmed/")
    assert set(parse_qs(location.fragment)) == {"p", "s", "from"}


def test_without_the_log_nobody_gets_a_receipt(api: Api) -> None:
    answer = json.loads(api.sign("fresh").body)
    assert "receipt" not in answer
    assert api.sign("fresh", email="form@example.org", form=True).headers["Location"] == (
        "/petitions/fresh/thanks/"
    )

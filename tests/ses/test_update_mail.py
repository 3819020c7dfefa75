"""Updates to supporters on the `ses` path: `notify` queues each letter, the mailer function
sends it with its one-click unsubscribe headers and a `sid` tag, and a complaint or a
permanent bounce about it withdraws the signer's consent (the signature still counts)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from generator.model import Content, Update
from generator.signing.mail import QueueMailer
from generator.signing.signer import email_key
from generator.store.base import Signature, Store
from generator.upkeep.notify import Notifier
from tests.api.support import NOW, SECRET, Clock, make_content, make_site

from .conftest import ADA, MAIL_FROM, Mail
from .test_bounce_function import event

SLUG = "fresh"
SID = "5e" * 16
NEWS = Update(
    name="2024-05-31-council-replies",
    path=f"content/petitions/{SLUG}/updates/2024-05-31-council-replies.md",
    title="The council replies",
    date=NOW - timedelta(days=1),
    kind="response",
    body="The council will **decide** in July.",
    sender="The Council",
)


@pytest.fixture
def content() -> Content:
    """The SES fixture content, with one update on SLUG."""
    base = make_content(make_site(confirmation="required", mail_from=MAIL_FROM))
    petitions = tuple(replace(p, updates=(NEWS,)) if p.slug == SLUG else p for p in base.petitions)
    return Content(base.site, petitions)


def queued_update(store: Store, content: Content, queue_url: str) -> str:
    """ADA, a consenting confirmed signer, is sent the update through the queue; her key."""
    key = email_key(SECRET.encode(), ADA)
    store.sign(Signature(SLUG, key, "Ada Lovelace", ADA, NOW - timedelta(days=3), consent=True,
                         id=SID))  # fmt: skip
    Notifier(
        content, store, QueueMailer(queue_url), SECRET.encode(), "https://petitions.example.org",
        Clock(NOW),
    ).run()  # fmt: skip
    return key


def test_notify_queues_the_update_and_the_mailer_sends_it_with_one_click_headers(
    mail: Mail, store: Store, content: Content, queue_url: str
) -> None:
    key = queued_update(store, content, queue_url)
    (message,) = mail.queued()
    letter = json.loads(message["Body"])
    assert (letter["kind"], letter["update"], letter["to"]) == ("update", NEWS.name, ADA)

    assert mail.deliver([message]) == {"batchItemFailures": []}

    (sent,) = mail.ses.sent()
    assert sent["List-Unsubscribe"] == f"<{letter['links']['unsubscribe']}>"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (call,) = mail.ses.calls
    assert {"Name": "kind", "Value": "update"} in call["EmailTags"]
    assert {"Name": "key", "Value": key} in call["EmailTags"]
    assert {"Name": "sid", "Value": SID} in call["EmailTags"]


@pytest.mark.parametrize("kind", ["Complaint", "Bounce"])
def test_a_complaint_or_bounce_about_an_update_withdraws_consent(
    mail: Mail, store: Store, content: Content, queue_url: str, kind: str
) -> None:
    key = queued_update(store, content, queue_url)
    notification = event(kind, key, slug=SLUG)
    notification["mail"]["tags"].update({"kind": ["update"], "sid": [SID]})

    answer = mail.feedback(notification)

    assert answer == {"outcome": "unsubscribed", "slug": SLUG}
    assert list(store.recipients(SLUG, NEWS.name)) == []
    (signature,) = store.signatures(SLUG)
    assert signature.state == "confirmed"  # still signed, still counted


def test_an_update_the_mailers_content_lacks_is_dropped_not_retried(
    mail: Mail, store: Store, content: Content, queue_url: str
) -> None:
    body = {"kind": "update", "to": ADA, "slug": SLUG, "update": "2024-01-01-gone",
            "links": {"unsubscribe": "https://petitions.example.org/api/x"}}  # fmt: skip
    messages = mail.queue(json.dumps(body))

    assert mail.deliver(messages) == {"batchItemFailures": []}
    assert mail.ses.sent() == []

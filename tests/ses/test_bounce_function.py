"""The bounce function: SES bounce and complaint events (as its configuration set's SNS
destination publishes them) mark the pending signature the mail's tags name as bounced, so
its pending count drops and signing again sends no more mail; a transient bounce changes
nothing; the event, which names the recipient, is never logged."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

import pytest

from generator.signing.signer import email_key
from tests.api.support import SECRET

from .conftest import ADA, CONFIGURATION_SET, MAIL_FROM, Mail

SLUG = "open"  # 9 imported signatures
DIAGNOSTIC = f"smtp; 550 5.1.1 <{ADA}>: Recipient address rejected: User unknown"


def event(
    kind: str, key: str, *, bounce_type: str = "Permanent", slug: str = SLUG
) -> dict[str, Any]:
    """An SES event-publishing notification, shaped as SES documents it."""
    mail = {
        "timestamp": "2024-06-01T02:36:00.000Z",
        "source": MAIL_FROM,
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.org",
        "sendingAccountId": "123456789012",
        "messageId": "0100018fd2b3c4d5-example-000000",
        "destination": [ADA],
        "headersTruncated": False,
        "commonHeaders": {"from": [MAIL_FROM], "to": [ADA], "subject": "Confirm your signature"},
        "tags": {
            "ses:configuration-set": [CONFIGURATION_SET],
            "ses:from-domain": ["example.org"],
            "slug": [slug],
            "kind": ["confirm"],
            "key": [key],
        },
    }
    if kind == "Bounce":
        detail = {
            "bounceType": bounce_type,
            "bounceSubType": "General" if bounce_type == "Permanent" else "MailboxFull",
            "bouncedRecipients": [
                {
                    "emailAddress": ADA,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": DIAGNOSTIC,
                }
            ],
            "timestamp": "2024-06-01T02:36:01.000Z",
            "feedbackId": "0100018fd2b3c4d5-feedback-000000",
            "reportingMTA": "dsn; a1-2.smtp-out.amazonses.com",
        }
        return {"eventType": "Bounce", "bounce": detail, "mail": mail}
    if kind == "Complaint":
        detail = {
            "complainedRecipients": [{"emailAddress": ADA}],
            "complaintFeedbackType": "abuse",
            "timestamp": "2024-06-01T02:40:00.000Z",
            "feedbackId": "0100018fd2b3c4d5-feedback-000001",
        }
        return {"eventType": "Complaint", "complaint": detail, "mail": mail}
    return {"eventType": kind, "mail": mail}


def key() -> str:
    return email_key(SECRET.encode(), ADA)


def assert_nothing_names_the_signer(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = capsys.readouterr()
    for text in (caplog.text, printed.out, printed.err):
        assert ADA not in text
        assert "5.1.1" not in text  # nor any part of the event


@pytest.mark.parametrize("kind", ["Bounce", "Complaint"])
def test_a_permanent_bounce_or_a_complaint_marks_the_pending_signature_bounced(
    mail: Mail, kind: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)
    mail.sign(SLUG)
    assert len(mail.queued()) == 1
    assert mail.counts(SLUG) == (9, 1)

    answer = mail.feedback(event(kind, key()))

    assert answer == {"outcome": "bounced", "slug": SLUG}
    assert mail.counts(SLUG) == (9, 0)
    mail.sign(SLUG)  # the same address again: the answer is the same, but no mail goes out
    assert mail.queued() == []
    expected = "mail bounced" if kind == "Bounce" else "mail complaint"
    assert f"{expected} slug={SLUG} before=pending" in caplog.text
    assert_nothing_names_the_signer(caplog, capsys)


@pytest.mark.parametrize(
    ("notification", "outcome"),
    [
        (event("Bounce", key(), bounce_type="Transient"), "Transient bounce"),
        (event("Bounce", key(), bounce_type="Undetermined"), "Undetermined bounce"),
        (event("Delivery", key()), "Delivery"),
    ],
)
def test_a_transient_bounce_or_another_event_changes_nothing(
    mail: Mail,
    notification: dict[str, Any],
    outcome: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.INFO)
    mail.sign(SLUG)

    answer = mail.feedback(notification)

    assert answer == {"outcome": "ignored", "type": outcome}
    assert mail.counts(SLUG) == (9, 1)
    assert_nothing_names_the_signer(caplog, capsys)


def test_a_bounce_after_confirmation_leaves_the_signature_counted(
    mail: Mail, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)
    mail.sign(SLUG)
    (message,) = mail.queued()
    link = json.loads(message["Body"])["links"]["confirm"]
    confirmed = mail.client.http.post(
        urlsplit(link).path.removeprefix("/api"),
        headers={"Content-Type": "application/json"},
        body=json.dumps({"choice": "confirm"}).encode(),
    )
    assert json.loads(confirmed.body)["outcome"] == "confirmed"
    assert mail.counts(SLUG) == (10, 0)

    answer = mail.feedback(event("Bounce", key()))

    assert answer == {"outcome": "unchanged", "slug": SLUG}
    assert mail.counts(SLUG) == (10, 0)
    assert_nothing_names_the_signer(caplog, capsys)


def test_an_event_without_the_signature_tags_changes_nothing(
    mail: Mail, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)
    mail.sign(SLUG)
    untagged = event("Bounce", "none")  # SesSender tags a letter without a key "none"

    answer = mail.feedback(untagged)

    assert answer == {"outcome": "untagged", "type": "Bounce"}
    assert mail.counts(SLUG) == (9, 1)
    assert_nothing_names_the_signer(caplog, capsys)

"""The mailer function: letters the signing route queued are written and sent with SES v2,
tagged so bounces find their signature; a send that fails is reported as an SQS batch item
failure, so only it comes back; no address is ever logged."""

from __future__ import annotations

import html
import json
import logging

import pytest

from generator.signing.letters import Letter
from generator.signing.signer import email_key
from tests.api.support import SECRET

from .conftest import ADA, CONFIGURATION_SET, MAIL_DOMAIN, MAIL_FROM, Mail

SLUG = "open"


def test_a_signature_is_queued_and_the_mailer_sends_it_with_its_link_and_tags(
    mail: Mail, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    mail.sign(SLUG)
    (message,) = mail.queued()  # the signing route only queued it (QueueMailer)
    letter = json.loads(message["Body"])
    link = letter["links"]["confirm"]
    assert (letter["kind"], letter["slug"], letter["to"]) == ("confirm", SLUG, ADA)
    assert link.startswith(f"https://petitions.example.org/api/petitions/{SLUG}/confirm/")
    assert mail.ses.sent() == []

    answer = mail.deliver([message])

    assert answer == {"batchItemFailures": []}
    (sent,) = mail.ses.sent()
    assert sent.get_content_type() == "multipart/alternative"
    assert sent["To"] == ADA
    assert MAIL_FROM in sent["From"]
    text, page = sent.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert page.get_content_type() == "text/html"
    assert link in text.get_content()
    assert f'href="{html.escape(link)}"' in page.get_content()
    (call,) = mail.ses.calls
    assert call["ConfigurationSetName"] == CONFIGURATION_SET
    assert call["EmailTags"] == [
        {"Name": "slug", "Value": SLUG},
        {"Name": "kind", "Value": "confirm"},
        {"Name": "key", "Value": email_key(SECRET.encode(), ADA)},
    ]
    assert set(call["Content"]) == {"Raw"}  # sent raw: IAM authorises it as ses:SendRawEmail
    assert f"mail sent slug={SLUG} kind=confirm" in caplog.text
    assert ADA not in caplog.text


def test_only_the_letter_ses_refused_is_reported_so_only_it_comes_back(
    mail: Mail, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for address in ("grace@example.net", ADA, "edsger@example.net"):
        mail.sign(SLUG, address)
    messages = mail.queued()
    mail.ses.failures[2] = "MessageRejected"

    answer = mail.deliver(messages)

    assert answer == {"batchItemFailures": [{"itemIdentifier": messages[1]["MessageId"]}]}
    recipients = [json.loads(m["Body"])["to"] for m in messages]
    assert [m["To"] for m in mail.ses.sent()] == [recipients[0], recipients[2]]
    # What Lambda does with that answer: delete the rest; the failed one returns once its
    # visibility timeout ends (here at once), and after maxReceiveCount tries goes to the DLQ.
    for message in messages:
        if message is not messages[1]:
            mail.sqs.delete_message(QueueUrl=mail.queue_url, ReceiptHandle=message["ReceiptHandle"])
    mail.sqs.change_message_visibility(
        QueueUrl=mail.queue_url, ReceiptHandle=messages[1]["ReceiptHandle"], VisibilityTimeout=0
    )
    assert [m["MessageId"] for m in mail.queued()] == [messages[1]["MessageId"]]
    assert f"mail not sent slug={SLUG} kind=confirm: SES MessageRejected" in caplog.text
    assert ADA not in caplog.text  # SES's message quoted it; only the code is logged


def test_when_ses_throttles_the_rest_of_the_batch_is_not_tried_and_comes_back(
    mail: Mail, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for address in (ADA, "grace@example.net", "edsger@example.net"):
        mail.sign(SLUG, address)
    messages = mail.queued()
    mail.ses.failures[1] = "TooManyRequestsException"

    answer = mail.deliver(messages)

    assert answer == {"batchItemFailures": [{"itemIdentifier": m["MessageId"]} for m in messages]}
    assert len(mail.ses.calls) == 1
    assert mail.ses.sent() == []
    assert "mail sending stopped for this batch: SES TooManyRequestsException" in caplog.text
    assert ADA not in caplog.text


def test_an_unverified_sender_fails_the_send_and_it_is_reported(
    mail: Mail, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    mail.sign(SLUG)
    (message,) = mail.queued()
    mail.ses.client.delete_email_identity(EmailIdentity=MAIL_DOMAIN)  # moto refuses, as SES does

    answer = mail.deliver([message])

    assert answer == {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
    assert mail.ses.sent() == []
    assert "SES MessageRejected" in caplog.text
    assert ADA not in caplog.text


def test_a_letter_about_a_petition_that_is_gone_is_dropped_with_its_slug_only(
    mail: Mail, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    letter = Letter("confirm", ADA, "withdrawn-petition", {"confirm": "https://x/y", "key": "k"})
    messages = mail.queue(json.dumps(letter.as_json()))

    answer = mail.deliver(messages)

    assert answer == {"batchItemFailures": []}  # not retried: it never could be sent
    assert mail.ses.calls == []
    assert "mail dropped slug=withdrawn-petition kind=confirm: no such petition" in caplog.text
    assert ADA not in caplog.text


def test_an_unreadable_message_is_reported_without_logging_its_body(
    mail: Mail, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    messages = mail.queue(f"to: {ADA}", json.dumps({"kind": "confirm", "to": ADA}))

    answer = mail.deliver(messages)

    assert answer == {"batchItemFailures": [{"itemIdentifier": m["MessageId"]} for m in messages]}
    assert mail.ses.calls == []
    assert caplog.text.count("mail not readable") == 2
    assert ADA not in caplog.text

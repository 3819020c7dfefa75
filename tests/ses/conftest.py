"""Fixtures for the `ses` mail path on moto: the real app, its SQS queue, SES v2 and a store.

Everything runs in one `mock_aws()` per test: the signing route queues letters with the
QueueMailer on moto's SQS, the mailer function sends them with moto's SES v2 (which records
raw sends in its backend), and the bounce function is fed hand-made SNS events, since moto
does not implement configuration set event destinations.
"""

from __future__ import annotations

import copy
import email
import email.policy
import json
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError
from chalice.test import Client
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from generator.model import Content
from generator.signing.settings import Settings
from generator.store import open_store
from generator.store.base import Store
from tests.api.support import (
    FUNCTIONS,
    NOW,
    SECRET,
    Api,
    Clock,
    make_content,
    make_site,
    signing_app,
)
from tests.support.counting import counting_inline

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client

REGION = "us-east-1"
MAIL_DOMAIN = "example.org"
MAIL_FROM = f"petitions@{MAIL_DOMAIN}"
CONFIGURATION_SET = "petitions-mail"
ADA = "ada.lovelace@example.net"  # the signer whose address must never be logged


class Ses:
    """An SES v2 client on moto that records each SendEmail's parameters (moto keeps the raw
    message but not the tags or configuration set) and fails the sends a test asks it to."""

    def __init__(self, client: SESV2Client) -> None:
        self.client = client
        self.calls: list[dict[str, Any]] = []
        self.failures: dict[int, str] = {}  # 1-based call number -> SES error code
        client.meta.events.register("provide-client-params.sesv2.SendEmail", self._record)

    def _record(self, params: dict[str, Any], **kwargs: Any) -> None:
        self.calls.append(copy.deepcopy(params))
        code = self.failures.get(len(self.calls))
        if code is not None:
            # SES's own messages quote addresses; this one does too, to prove none is logged.
            message = f"Email address is not verified: {ADA}"
            raise ClientError({"Error": {"Code": code, "Message": message}}, "SendEmail")

    def sent(self) -> list[EmailMessage]:
        """The raw messages moto's SES accepted, parsed, oldest first."""
        backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
        return [
            email.message_from_string(m.raw_data, policy=email.policy.default)
            for m in backend.sent_messages
        ]


class Mail:
    """The app wired for `ses` mail, with helpers to drive each function as Lambda would."""

    def __init__(self, client: Client, queue_url: str, ses: Ses) -> None:
        self.client, self.queue_url, self.ses = client, queue_url, ses
        self.api = Api(client)
        self.sqs = boto3.client("sqs", region_name=REGION)

    def sign(self, slug: str, address: str = ADA) -> None:
        """Sign as the page's script would; confirmation is required, so 202."""
        answer = self.api.sign(slug, email=address)
        assert answer.status_code == 202, answer.body

    def counts(self, slug: str) -> tuple[int, int]:
        """(count, pending) as the API reports them."""
        body = json.loads(self.api.get(slug).body)
        return body["count"], body["pending"]

    def queued(self) -> list[dict[str, Any]]:
        """Take every message waiting on the queue (hidden for 5 minutes, as the poller does)."""
        found: list[dict[str, Any]] = []
        while True:
            answer = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=300
            )
            if not answer.get("Messages"):
                return found
            found += answer["Messages"]

    def queue(self, *bodies: str) -> list[dict[str, Any]]:
        """Put these bodies on the queue and take them back as the poller would."""
        for body in bodies:
            self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=body)
        return self.queued()

    def deliver(self, messages: list[dict[str, Any]]) -> Any:
        """Invoke the mailer function with the SQS event Lambda builds from these messages."""
        event = self.client.events.generate_sqs_event(
            message_bodies=[m["Body"] for m in messages], queue_name="petitions-mail"
        )
        for record, message in zip(event["Records"], messages, strict=True):
            record["messageId"] = message["MessageId"]
            record["receiptHandle"] = message["ReceiptHandle"]
        return self.client.lambda_.invoke("mailer", event).payload

    def feedback(self, notification: dict[str, Any]) -> Any:
        """Invoke the bounce function with the SNS event SES's event destination publishes."""
        event = self.client.events.generate_sns_event(
            message=json.dumps(notification), subject="Amazon SES Email Event Notification"
        )
        return self.client.lambda_.invoke("bounces", event).payload


@pytest.fixture
def cloud() -> Iterator[None]:
    """moto for every AWS call of the test."""
    with mock_aws():
        yield


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path, cloud: None) -> Iterator[Store]:
    """An empty store of each implementation: SQLite in tmp_path, DynamoDB on moto."""
    url = (
        f"sqlite:///{tmp_path}/signatures.db"
        if request.param == "sqlite"
        else "dynamodb://petitions-test?region=us-east-1"
    )
    opened = open_store(url)
    opened.init()
    yield opened
    opened.close()


@pytest.fixture
def queue_url(cloud: None) -> str:
    """The mail queue on moto's SQS."""
    return boto3.client("sqs", region_name=REGION).create_queue(QueueName="petitions-mail")[
        "QueueUrl"
    ]


@pytest.fixture
def ses(cloud: None) -> Ses:
    """moto's SES v2 with the sending domain verified (SES refuses an unverified From)."""
    client = boto3.client("sesv2", region_name=REGION)
    client.create_email_identity(EmailIdentity=MAIL_DOMAIN)
    return Ses(client)


@pytest.fixture
def content() -> Content:
    """The fixture petitions on a site that requires confirmation and mails from MAIL_FROM."""
    return make_content(make_site(confirmation="required", mail_from=MAIL_FROM))


@pytest.fixture
def mail(store: Store, queue_url: str, ses: Ses, content: Content) -> Iterator[Mail]:
    """The app configured as the stack configures it: PETITION_MAILER=ses on the queue,
    the configuration set named; content, store and the SES client handed in. Each write
    is counted at once (as the aggregator function would, moments later), so the API's
    counts are current."""
    settings = Settings.from_environ(
        {
            "PETITION_SECRET": SECRET,
            "PETITION_TEMPLATES": str(FUNCTIONS.parent / "templates"),
            "PETITION_MAILER": "ses",
            "PETITION_MAIL_QUEUE": queue_url,
            "PETITION_SES_CONFIGURATION_SET": CONFIGURATION_SET,
        }
    )
    runtime = signing_app().runtime
    runtime.configure(
        content=content,
        store=store,
        settings=settings,
        clock=Clock(NOW),
        ses_client=ses.client,
        after_write=counting_inline(store, content),
    )
    try:
        yield Mail(
            Client(signing_app().app, stage_name="api", project_dir=str(FUNCTIONS)), queue_url, ses
        )
    finally:
        runtime.reset()

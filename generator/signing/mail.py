"""Sending letters: one Mailer interface, three backends chosen by setting.

- `file` (the local default): each message an RFC 5322 `.eml` file in an outbox folder;
  `serve` lists them at /_outbox/ and prints each confirmation link.
- `smtp`: to an SMTP server (the tests run an aiosmtpd sink on loopback).
- `ses`: in Lambda the signing function only puts the letter on an SQS queue; the mailer
  function writes and sends it with SES v2, at a concurrency capped to the send rate.

Nothing here logs an address: a letter's repr names its kind and petition only.
"""

from __future__ import annotations

import json
import os
import secrets
import smtplib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from generator.errors import ConfigError, PetitionSiteError
from generator.model import Content
from generator.signing.letters import Letter, LetterError, Writer
from generator.signing.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sqs import SQSClient

BACKENDS = ("file", "smtp", "ses", "none")


class MailError(PetitionSiteError):
    """A letter could not be handed on; the signature stands and a later signing resends."""


class Mailer(Protocol):
    """Hands letters on for delivery."""

    def send(self, letter: Letter) -> None:
        """Send one letter, or raise MailError."""


class NoMailer:
    """Sends nothing (confirmation off, or mail switched off on purpose)."""

    def send(self, letter: Letter) -> None:
        """Drop the letter."""


class Deferred:
    """A mailer built when the first letter comes (so reading a count never loads the mail
    templates, and a missing mail setting fails only a request that sends mail)."""

    def __init__(self, build: Callable[[], Mailer]) -> None:
        self._build = build
        self._mailer: Mailer | None = None

    def send(self, letter: Letter) -> None:
        """Build the mailer if need be, and send with it."""
        if self._mailer is None:
            self._mailer = self._build()
        self._mailer.send(letter)


class FileMailer:
    """Writes each letter as an `.eml` file into `folder` (readable by its owner only)."""

    def __init__(
        self, folder: Path, writer: Writer, on_sent: Callable[[Path, Letter], None] | None = None
    ) -> None:
        self.folder = Path(folder)
        self.writer = writer
        self.on_sent = on_sent

    def send(self, letter: Letter) -> None:
        """Write the message, whole or not at all."""
        try:
            data = bytes(self.writer.write(letter))
        except LetterError as exc:
            raise MailError(str(exc)) from exc
        # to the microsecond: letters of one second sort (and are listed) in the order sent
        name = f"{datetime.now():%Y%m%dT%H%M%S%f}-{letter.kind}-{secrets.token_hex(4)}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            temporary = self.folder / f".{name}.tmp"
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, self.folder / name)
        except OSError as exc:
            raise MailError(
                f"outbox {self.folder}: cannot write a message ({exc.strerror})"
            ) from exc
        if self.on_sent is not None:
            self.on_sent(self.folder / name, letter)


class SmtpMailer:
    """Sends each letter over SMTP to `host:port` (one connection per letter)."""

    def __init__(self, host: str, port: int, writer: Writer, timeout: float = 10.0) -> None:
        self.host, self.port, self.writer, self.timeout = host, port, writer, timeout

    def send(self, letter: Letter) -> None:
        """Deliver the message to the SMTP server."""
        try:
            message = self.writer.write(letter)
        except LetterError as exc:
            raise MailError(str(exc)) from exc
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"SMTP {self.host}:{self.port}: {type(exc).__name__}") from exc


class QueueMailer:
    """Puts each letter on an SQS queue for the mailer function (nothing is written here)."""

    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self.queue_url = queue_url
        self._client = client

    def _sqs(self) -> SQSClient:
        if self._client is None:
            import boto3

            self._client = boto3.client("sqs")
        return self._client

    def send(self, letter: Letter) -> None:
        """Queue the letter."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._sqs().send_message(
                QueueUrl=self.queue_url, MessageBody=json.dumps(letter.as_json())
            )
        except (BotoCoreError, ClientError) as exc:
            raise MailError(f"mail queue: {type(exc).__name__}") from exc


class SesSender:
    """Writes a queued letter and sends it with SES v2, tagged so bounces find the signature."""

    def __init__(
        self, writer: Writer, configuration_set: str | None, client: SESV2Client | None = None
    ) -> None:
        self.writer = writer
        self.configuration_set = configuration_set
        self._client = client

    def _ses(self) -> SESV2Client:
        if self._client is None:
            import boto3

            self._client = boto3.client("sesv2")
        return self._client

    def send(self, letter: Letter) -> str:
        """Send the letter; returns SES's message id."""
        message = self.writer.write(letter)
        arguments: dict[str, Any] = {
            "Content": {"Raw": {"Data": bytes(message)}},
            "EmailTags": [
                {"Name": "slug", "Value": letter.slug},
                {"Name": "kind", "Value": letter.kind},
                {"Name": "key", "Value": letter.links.get("key", "none")},
            ],
        }
        if letter.kind == "update":  # a complaint or bounce then withdraws this consent
            sid = letter.links.get("sid") or "none"
            arguments["EmailTags"].append({"Name": "sid", "Value": sid})
        if self.configuration_set:
            arguments["ConfigurationSetName"] = self.configuration_set
        answer = self._ses().send_email(**arguments)
        return str(answer.get("MessageId", ""))


def build_mailer(settings: Settings, content: Content, templates_dir: Path) -> Mailer:
    """The mailer PETITION_MAILER names: file (an .eml per message in PETITION_OUTBOX), smtp
    (to PETITION_SMTP), ses (the SQS queue of the mailer function) or none; letters written
    from `templates_dir`."""
    backend = settings.mailer()
    if backend == "none":
        return NoMailer()
    if backend == "ses":
        return QueueMailer(settings.mail_queue())
    writer = Writer(content, templates_dir)
    if backend == "smtp":
        host, port = smtp_address(settings.smtp())
        return SmtpMailer(host, port, writer)
    return FileMailer(settings.outbox(), writer)


def smtp_address(value: str) -> tuple[str, int]:
    """`host:port` of an SMTP setting, or ConfigError."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ConfigError(f"SMTP server {value!r}: expected host:port, e.g. 127.0.0.1:1025")
    return host, int(port)

"""The mailers: an RFC 5322 file per letter, SMTP to a sink on loopback, letters written from
the site's templates in its language, naming the organisation and the privacy policy."""

from __future__ import annotations

import email
import email.policy
import os
import stat
from pathlib import Path

import pytest

from generator.content.loading import load_content
from generator.signing.letters import Letter, Writer
from generator.signing.mail import FileMailer, MailError, SmtpMailer
from tests.mail.smtp_sink import free_port, smtp_sink
from tests.support.fixture_site import BARE, CONTENT, TEMPLATES

LINK = "https://petitions.example.org/api/petitions/x/confirm/abc.def.ghi"


@pytest.fixture
def writer() -> Writer:
    return Writer(load_content(CONTENT), TEMPLATES)


def confirm_letter(to: str = "Ada Lovelace <ada@example.org>") -> Letter:
    return Letter("confirm", to, BARE, {"confirm": LINK, "key": "0" * 64})


def test_a_confirmation_letter_has_the_link_in_both_parts(writer: Writer) -> None:
    message = writer.write(confirm_letter())
    site = writer.content.site

    assert message["To"] == "Ada Lovelace <ada@example.org>"
    assert site.organisation in message["From"]
    assert message["Subject"].startswith("Please confirm your signature: Free bus fares")
    assert message["Content-Language"] == site.language
    assert message["Message-ID"]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for part in (text, html):
        assert LINK in part
        assert site.organisation in part
        assert "privacy" in part.lower()
    assert f'<html lang="{site.language}">' in html


def test_an_already_signed_letter_has_no_link(writer: Writer) -> None:
    message = writer.write(Letter("already-signed", "ada@example.org", BARE, {"key": "0" * 64}))

    assert message["Subject"].startswith("You have already signed")
    assert "/confirm/" not in message.as_string()


def test_the_html_part_escapes_what_the_content_says(writer: Writer, tmp_path: Path) -> None:
    content = load_content(CONTENT)
    site = type(content.site)(**{**content.site.__dict__, "organisation": "<b>Trust</b> & Co"})
    html = Writer(type(content)(site, content.petitions), TEMPLATES).write(confirm_letter())
    body = html.get_body(preferencelist=("html",)).get_content()

    assert "&lt;b&gt;Trust&lt;/b&gt; &amp; Co" in body
    assert "<b>Trust</b>" not in body


def test_the_file_mailer_writes_one_rfc5322_file_per_letter(writer: Writer, tmp_path: Path) -> None:
    sent: list[tuple[Path, Letter]] = []
    mailer = FileMailer(tmp_path / "outbox", writer, on_sent=lambda p, x: sent.append((p, x)))

    mailer.send(confirm_letter())
    mailer.send(confirm_letter("grace@example.org"))

    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2 and [p for p, _ in sent] == sorted(p for p, _ in sent)
    assert not list((tmp_path / "outbox").glob(".*"))  # no half-written files left
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"].startswith("Please confirm your signature")
    assert LINK in parsed.get_body(preferencelist=("plain",)).get_content()


def test_the_smtp_mailer_delivers_to_a_server(writer: Writer) -> None:
    with smtp_sink() as (sink, address):
        host, port = address.split(":")
        SmtpMailer(host, int(port), writer).send(confirm_letter("ada@example.org"))

    (message,) = sink.messages
    assert sink.envelopes[0][1] == ["ada@example.org"]
    assert LINK in message.get_body(preferencelist=("plain",)).get_content()


def test_an_smtp_server_that_is_not_there_is_a_mail_error_naming_no_one(writer: Writer) -> None:
    mailer = SmtpMailer("127.0.0.1", free_port(), writer, timeout=2)

    with pytest.raises(MailError) as caught:
        mailer.send(confirm_letter("ada@example.org"))

    assert "ada" not in str(caught.value)


def test_a_letter_never_shows_its_address_in_a_log() -> None:
    assert "ada" not in repr(confirm_letter("ada@example.org"))

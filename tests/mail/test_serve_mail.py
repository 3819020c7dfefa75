"""`make serve` → sign → open the mail → confirm, end to end through the local server, with
the file mailer (the local default: .eml files, listed at /_outbox/, links printed) and with
the SMTP mailer (an aiosmtpd sink on loopback)."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.mail.smtp_sink import smtp_sink
from tests.serve.client import Reply, request, sign_json
from tests.serve.launcher import ServeProcess, start_serve, stop_serve
from tests.support.eventually import eventually
from tests.support.fixture_site import BARE, copy_site

NAME, ADDRESS = "Tīmoti Marsters", "timoti.marsters@example.org"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def link_in(text: str) -> str:
    """The path of the confirmation link in a mail's text."""
    found = re.search(r"https?://[^\s]+/api/petitions/[^\s]+/confirm/[A-Za-z0-9_.-]+", text)
    assert found, text
    return urlsplit(found.group(0)).path


def counts(server: ServeProcess) -> tuple[int, int]:
    body = request(server.url, f"/api/petitions/{BARE}").json()
    return body["count"], body["pending"]


def counted(server: ServeProcess, expected: tuple[int, int]) -> None:
    """Wait until the live figures are (count, pending): serve counts on its own thread,
    just after each write, and answers from a cache at most a second old."""
    eventually(lambda: counts(server) == expected, message=lambda: f"counts {counts(server)}")


def confirm_by_hand(server: ServeProcess, link: str) -> Reply:
    """What a person does: open the link (a GET), then press Confirm (a form POST)."""
    counted(server, (0, 1))
    page = request(server.url, link)
    assert page.status == 200
    assert "Confirm my signature" in page.text
    assert counts(server) == (0, 1)  # opening the link changed nothing
    return request(server.url, link, "POST", urlencode({"choice": "confirm"}).encode(), FORM)


@pytest.fixture
def file_served(tmp_path: Path) -> Iterator[ServeProcess]:
    copy_site(tmp_path)
    server = start_serve(tmp_path, watch=False, confirmation="required")
    try:
        yield server
    finally:
        stop_serve(server)


def test_with_the_file_mailer_a_signature_is_confirmed_from_the_outbox(
    file_served: ServeProcess, tmp_path: Path
) -> None:
    server = file_served
    form = urlencode({"name": NAME, "email": ADDRESS})
    signed = request(server.url, f"/api/petitions/{BARE}/signatures", "POST", form.encode(), FORM)
    assert (signed.status, signed.headers["location"]) == (303, f"/petitions/{BARE}/check-email/")
    assert request(server.url, f"/petitions/{BARE}/check-email/").status == 200

    (eml,) = eventually(lambda: list((tmp_path / ".data" / "outbox").glob("*.eml")))
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"] == ADDRESS
    link = link_in(message.get_body(preferencelist=("plain",)).get_content())
    assert link_in(server.output) == link  # the terminal shows the same link …
    listing = request(server.url, "/_outbox/")
    assert eml.name in listing.text  # … and the outbox lists the mail
    assert link in request(server.url, f"/_outbox/{eml.name}").text

    done = confirm_by_hand(server, link)

    page, _, receipt = done.headers["location"].partition("#")  # the receipt rides along
    assert (done.status, page) == (303, f"/petitions/{BARE}/confirmed/")
    assert receipt.startswith(f"p={BARE}&s=")
    assert request(server.url, f"/petitions/{BARE}/confirmed/").status == 200
    counted(server, (1, 0))
    assert f"confirmed {BARE}: count " in server.output  # the count then, at most 1 s old
    assert ADDRESS not in server.output and "Tīmoti" not in server.output


def test_with_the_smtp_mailer_the_mail_reaches_the_server(tmp_path: Path) -> None:
    copy_site(tmp_path)
    with smtp_sink() as (sink, address):
        server = ServeProcess(
            tmp_path,
            watch=False,
            confirmation="required",
            extra_env={"PETITION_MAILER": "smtp", "PETITION_SMTP": address},
        )
        try:
            server.wait_until_up()
            assert sign_json(server.url, BARE, NAME, ADDRESS).status == 202
            (message,) = eventually(lambda: list(sink.messages))
            assert sink.envelopes[0][1] == [ADDRESS]
            link = link_in(message.get_body(preferencelist=("plain",)).get_content())
            assert link.startswith(f"/api/petitions/{BARE}/confirm/")

            done = confirm_by_hand(server, link)

            assert done.status == 303
            counted(server, (1, 0))
            assert not (tmp_path / ".data" / "outbox").exists()  # nothing went to files
        finally:
            stop_serve(server)

"""Signatures a target can trust: with confirmation required a signature is pending until its
email is confirmed; the answer never tells whether someone signed; a GET changes nothing;
confirming twice counts once; "this wasn't me" uncounts; mail is sent within limits."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest

from generator.model import Milestone
from generator.store.base import Store
from tests.api.support import NOW, Api, Clock, Outbox, make_content, make_petition, make_site

REQUIRED = make_content(make_site(confirmation="required"))
TEN = "open"  # 9 imported, ladder (10, 25): the first confirmation reaches 10


@pytest.fixture
def outbox(configure: Callable[..., None]) -> Outbox:
    """Confirmation required, and the mail it sends kept here."""
    box = Outbox()
    configure(content=REQUIRED, mailer=box)
    return box


def count(api: Api, slug: str) -> tuple[int, int]:
    body = json.loads(api.get(slug).body)
    return body["count"], body["pending"]


def post(api: Api, path: str, choice: str, form: bool = True) -> object:
    if form:
        body, kind = f"choice={choice}".encode(), "application/x-www-form-urlencoded"
    else:
        body, kind = json.dumps({"choice": choice}).encode(), "application/json"
    return api.client.http.post(path, headers={"Content-Type": kind}, body=body)


def test_the_three_answers_are_identical_byte_for_byte(api: Api, outbox: Outbox) -> None:
    new = api.sign("fresh", email="ada@example.org")
    pending = api.sign("fresh", email="ADA@example.org")
    post(api, outbox.links()[0], "confirm")
    confirmed = api.sign("fresh", email="ada+x@example.org")

    answers = [
        (r.status_code, r.body, r.headers.get("Content-Type")) for r in (new, pending, confirmed)
    ]
    assert answers[0][0] == 202
    assert answers[0] == answers[1] == answers[2]
    assert json.loads(new.body) == {
        "status": "check_email",
        "message": "Thank you. Now check your email: your signature counts once you confirm it.",
    }


def test_a_form_post_goes_to_the_check_email_page_whoever_signs(api: Api, outbox: Outbox) -> None:
    first = api.sign("fresh", form=True)
    again = api.sign("fresh", form=True)

    for answer in (first, again):
        assert answer.status_code == 303
        assert answer.headers["Location"] == "/petitions/fresh/check-email/"


def test_a_pending_signature_does_not_count_until_confirmed(api: Api, outbox: Outbox) -> None:
    api.sign("fresh")
    assert count(api, "fresh") == (0, 1)

    (link,) = outbox.links()
    answer = post(api, link, "confirm")

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/petitions/fresh/confirmed/"
    assert count(api, "fresh") == (1, 0)


def test_a_get_of_the_link_changes_nothing(api: Api, outbox: Outbox) -> None:
    api.sign("fresh")
    (link,) = outbox.links()

    for _ in range(3):  # a mail scanner, a preview, the person
        page = api.client.http.get(link)
        assert page.status_code == 200
        assert "Confirm my signature" in page.body.decode()
        assert "This wasn&#39;t me" in page.body.decode() or "This wasn't me" in page.body.decode()

    assert count(api, "fresh") == (0, 1)


def test_confirming_twice_counts_once(api: Api, outbox: Outbox) -> None:
    api.sign("fresh")
    (link,) = outbox.links()

    first = post(api, link, "confirm", form=False)
    second = post(api, link, "confirm", form=False)

    assert json.loads(first.body) == {"outcome": "confirmed", "count": 1, "milestone": None}
    assert json.loads(second.body) == {"outcome": "confirmed", "count": 1, "milestone": None}
    assert count(api, "fresh") == (1, 0)


def test_the_milestone_is_recorded_at_the_confirmation_that_reached_it(
    api: Api, outbox: Outbox, clock: Clock, store: Store
) -> None:
    api.sign(TEN)  # signed at NOW
    clock.now = NOW + timedelta(hours=3)  # confirmed three hours later
    (link,) = outbox.links()

    answer = json.loads(post(api, link, "confirm", form=False).body)
    again = json.loads(post(api, link, "confirm", form=False).body)

    assert answer == again == {"outcome": "confirmed", "count": 10, "milestone": None}
    assert store.tally(TEN).milestones == (Milestone(10, NOW + timedelta(hours=3)),)
    milestones = json.loads(api.get(TEN).body)["milestones"]
    assert milestones == [{"count": 10, "reached_at": "2024-06-01T17:35:51+12:00"}]


def test_this_wasnt_me_uncounts_and_stops_mail(api: Api, outbox: Outbox, clock: Clock) -> None:
    api.sign("fresh")
    (link,) = outbox.links()
    post(api, link, "confirm")

    answer = post(api, link, "reject")

    assert answer.headers["Location"] == "/petitions/fresh/withdrawn/"
    assert count(api, "fresh") == (0, 0)
    clock.now = NOW + timedelta(days=2)
    api.sign("fresh")  # whoever it was tries again: no mail goes to that address
    assert [x.kind for x in outbox.letters] == ["confirm"]
    assert post(api, link, "confirm").headers["Location"] == "/petitions/fresh/withdrawn/"
    assert count(api, "fresh") == (0, 0)


def test_a_pending_signer_gets_the_same_link_again_within_limits(
    api: Api, outbox: Outbox, clock: Clock
) -> None:
    api.sign("fresh")
    api.sign("fresh")  # at once: no second mail
    for minutes in (10, 20, 30, 40, 50, 60, 70):
        clock.now = NOW + timedelta(minutes=minutes)
        api.sign("fresh")

    links = outbox.links()
    assert len(links) == 5  # at most five mails in all
    assert len(set(links)) == 1  # the same link each time


def test_a_confirmed_signer_is_told_at_most_once_a_day(
    api: Api, outbox: Outbox, clock: Clock
) -> None:
    api.sign("fresh")
    post(api, outbox.links()[0], "confirm")
    for hours in (1, 2, 25, 26, 50):
        clock.now = NOW + timedelta(hours=hours)
        api.sign("fresh")

    assert [x.kind for x in outbox.letters] == [
        "confirm",  # the day counts from the last mail sent, this one
        "already-signed",  # hour 25
        "already-signed",  # hour 50
    ]
    assert count(api, "fresh") == (1, 0)


def test_a_forged_or_broken_link_is_a_404_page_and_changes_nothing(
    api: Api, outbox: Outbox
) -> None:
    api.sign("fresh")
    (link,) = outbox.links()
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")

    for path in (forged, link[:-1], "/petitions/fresh/confirm/nothing"):
        assert api.client.http.get(path).status_code == 404
        answer = post(api, path, "confirm")
        assert answer.status_code == 404
        assert "This link does not work" in answer.body.decode()
    assert post(api, forged, "confirm", form=False).status_code == 404
    assert count(api, "fresh") == (0, 1)


def test_a_link_for_another_petition_confirms_nothing(api: Api, outbox: Outbox) -> None:
    api.sign("fresh")
    (link,) = outbox.links()

    answer = post(api, link.replace("/fresh/", "/goal/"), "confirm", form=False)

    assert answer.status_code == 404
    assert count(api, "fresh") == (0, 1)


def test_a_closed_petition_takes_no_confirmation(
    api: Api, configure: Callable[..., None], outbox: Outbox
) -> None:
    api.sign("fresh")
    (link,) = outbox.links()
    closed = make_content(make_site(confirmation="required"))
    petitions = tuple(
        make_petition("fresh", status="closed") if p.slug == "fresh" else p
        for p in closed.petitions
    )
    configure(content=type(closed)(closed.site, petitions), mailer=outbox)

    assert post(api, link, "confirm", form=False).status_code == 409


def test_the_link_points_at_the_site_and_carries_no_address(api: Api, outbox: Outbox) -> None:
    api.sign("fresh", email="ada.lovelace@example.org")
    (letter,) = outbox.letters

    assert letter.to == "ada.lovelace@example.org"
    assert letter.links["confirm"].startswith(
        "https://petitions.example.org/api/petitions/fresh/confirm/"
    )
    assert "ada" not in letter.links["confirm"].lower()


def test_off_counts_at_once_as_before(api: Api, configure: Callable[..., None]) -> None:
    box = Outbox()
    configure(content=make_content(make_site(confirmation="off")), mailer=box)

    answer = api.sign("fresh")

    assert answer.status_code == 201
    assert json.loads(answer.body)["count"] == 1
    assert box.letters == []


def test_the_environment_overrides_the_site(
    api: Api, env: dict[str, str], configure: Callable[..., None]
) -> None:
    env["PETITION_CONFIRMATION"] = "off"
    box = Outbox()
    configure(content=REQUIRED, mailer=box)

    assert api.sign("fresh").status_code == 201
    assert box.letters == []

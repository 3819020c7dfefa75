"""Signing: counts, form posts, duplicates, the honeypot, milestones and privacy."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from generator.errors import StoreError
from generator.model import Milestone, Petition
from generator.store.base import Store
from tests.support.answers import without_refill

from .support import NOW, Api, Clock


def test_a_signature_counts_on_top_of_the_imported_count(api: Api) -> None:
    first = api.sign("goal", email="one@example.org")
    second = api.sign("goal", email="two@example.org")

    assert first.status_code == 201
    assert first.json_body == {"count": 1501, "goal": 2000, "milestone": None}
    assert second.json_body == {"count": 1502, "goal": 2000, "milestone": None}
    assert first.headers["Cache-Control"] == "no-store"
    assert api.get("goal").json_body["count"] == 1502


def test_a_form_post_redirects_to_the_thank_you_page(api: Api) -> None:
    response = api.sign("fresh", form=True, consent="on")

    assert response.status_code == 303
    assert response.headers["Location"] == "/petitions/fresh/thanks/"
    assert api.get("fresh").json_body["count"] == 1


@pytest.mark.parametrize("again", ["ADA@example.org", "  ada@EXAMPLE.org  ", "ada@example.org"])
def test_a_duplicate_gets_the_same_answer_and_is_not_counted(api: Api, again: str) -> None:
    first = api.sign("fresh", email="ada@example.org")
    second = api.sign("fresh", email=again, name="Someone Else")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json_body == second.json_body == {"count": 1, "goal": 10, "milestone": None}
    assert api.get("fresh").json_body["count"] == 1


def test_a_duplicate_form_post_also_redirects(api: Api) -> None:
    api.sign("fresh", form=True)
    again = api.sign("fresh", form=True, email="ADA@example.org")

    assert again.status_code == 303
    assert again.headers["Location"] == "/petitions/fresh/thanks/"
    assert api.get("fresh").json_body["count"] == 1


def test_a_filled_honeypot_looks_accepted_but_stores_nothing(api: Api, store: Store) -> None:
    api.sign("fresh", email="real@example.org")
    bot = api.sign("fresh", email="bot@example.org", website="https://spam.example")
    bot_form = api.sign("fresh", form=True, email="bot2@example.org", website="x")

    assert bot.status_code == 201
    assert bot.json_body == {"count": 1, "goal": 10, "milestone": None}
    assert bot_form.status_code == 303
    assert store.tally("fresh").count == 1
    assert len(list(store.signatures("fresh"))) == 1


def test_an_empty_honeypot_is_ignored(api: Api) -> None:
    response = api.sign("fresh", website="")

    assert response.status_code == 201
    assert response.json_body["count"] == 1


def test_crossing_a_milestone_records_it_once_and_reports_it(api: Api, store: Store) -> None:
    crossing = api.sign("open", email="tenth@example.org")
    after = api.sign("open", email="eleventh@example.org")

    assert crossing.json_body == {"count": 10, "goal": 25, "milestone": 10}
    assert after.json_body == {"count": 11, "goal": 25, "milestone": None}
    assert [m.count for m in store.tally("open").milestones] == [10]
    assert api.get("open").json_body["milestones"] == [
        {"count": 10, "reached_at": "2024-06-01T14:35:51+12:00"}
    ]


def test_milestones_of_the_imported_history_are_not_recorded_again(api: Api, store: Store) -> None:
    response = api.sign("seed")

    assert response.json_body == {"count": 506, "goal": 1000, "milestone": None}
    assert store.tally("seed").milestones == ()


class FlakyMilestones:
    """A store whose first record_milestone fails, as a store outage would make it."""

    def __init__(self, inner: Store):
        self.inner = inner
        self.failures = 1

    def record_milestone(self, slug: str, count: int, reached_at: datetime) -> bool:
        if self.failures:
            self.failures -= 1
            raise StoreError("milestones item unreachable")
        return self.inner.record_milestone(slug, count, reached_at)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_milestone_missed_by_a_store_error_is_recorded_by_the_next_signature(
    api: Api, store: Store, configure: Callable[..., None], clock: Clock
) -> None:
    configure(store=FlakyMilestones(store))
    missed = api.sign("open", email="tenth@example.org")
    clock.now = NOW.replace(minute=40)
    caught_up = api.sign("open", email="eleventh@example.org")

    assert missed.status_code == 201
    assert missed.json_body["milestone"] is None
    assert caught_up.json_body == {"count": 11, "goal": 25, "milestone": 10}
    assert [m.count for m in store.tally("open").milestones] == [10]


def test_milestone_hooks_hear_of_each_recorded_milestone_and_cannot_fail_a_signature(
    api: Api, configure: Callable[..., None], caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[tuple[str, tuple[Milestone, ...]]] = []

    def listen(petition: Petition, reached: tuple[Milestone, ...]) -> None:
        heard.append((petition.slug, reached))

    def broken(petition: Petition, reached: tuple[Milestone, ...]) -> None:
        raise RuntimeError("publisher down")

    configure(on_milestone=[broken, listen])
    crossing = api.sign("open", email="tenth@example.org")
    api.sign("open", email="eleventh@example.org")

    assert crossing.status_code == 201
    assert crossing.json_body["milestone"] == 10
    assert heard == [("open", (Milestone(10, NOW),))]
    assert "milestone hook failed slug=open" in caplog.text


def test_no_response_or_log_line_carries_a_signers_name_or_email(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for name in ("generator", "chalicelib", "petitions"):
        caplog.set_level(logging.DEBUG, logger=name)
    name, email = "Zebedee Quux", "zebedee.quux@example.org"
    responses = [
        api.sign("open", name=name, email=email),
        api.sign("open", name=name, email=email.upper()),
        api.sign("open", name=name, email="zebedee.quux@@example.org"),
        api.sign("open", name="=" + name, email=email),
        api.sign("open", name=name, email=email, form=True),
        api.sign("open", name=name + "\x07", email=email, form=True),
        api.sign("closed", name=name, email=email),
        api.sign("nowhere", name=name, email=email, form=True),
        api.sign("open", name=name, email=email, website="bot"),
    ]

    assert [r.status_code for r in responses] == [201, 201, 400, 400, 303, 400, 409, 404, 201]
    assert "signature accepted slug=open" in caplog.text
    for text in [caplog.text, *(without_refill(r.body.decode()) for r in responses)]:
        assert "Zebedee" not in text
        assert "zebedee" not in text.lower()

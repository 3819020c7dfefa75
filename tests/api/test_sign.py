"""Signing: counts, form posts, duplicates, the honeypot, milestones and privacy.

Each write is counted at once in the request's thread (tests/api/conftest.py), so an answer's
count includes its own signature; milestones are recorded by the counter, never the answer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest

from generator.counting.counter import Counter
from generator.errors import StoreError
from generator.model import Milestone, Petition
from generator.store.base import CountUpdate, Store
from tests.support.answers import without_refill
from tests.support.counting import counter_for, source_of

from .support import NOW, Api, Clock, make_content


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


def test_crossing_a_milestone_records_it_once_at_the_signature_that_reached_it(
    api: Api, store: Store, clock: Clock
) -> None:
    crossing = api.sign("open", email="tenth@example.org")
    clock.now = NOW + timedelta(minutes=5)
    after = api.sign("open", email="eleventh@example.org")
    recount = counter_for(store, make_content())()  # nothing is left to count again

    # The answer counts its own signature; the milestone is the counter's (always null here).
    assert crossing.json_body == {"count": 10, "goal": 25, "milestone": None}
    assert after.json_body == {"count": 11, "goal": 25, "milestone": None}
    assert recount == 0
    assert store.tally("open").milestones == (Milestone(10, NOW),)  # once, at the tenth
    assert api.get("open").json_body["milestones"] == [
        {"count": 10, "reached_at": "2024-06-01T14:35:51+12:00"}
    ]


def test_milestones_of_the_imported_history_are_not_recorded_again(api: Api, store: Store) -> None:
    response = api.sign("seed")

    assert response.json_body == {"count": 506, "goal": 1000, "milestone": None}
    assert store.tally("seed").count == 1
    assert store.tally("seed").milestones == ()


class FailingCounts:
    """A store whose next `apply_counts` fails (an outage), before or after it wrote."""

    def __init__(self, inner: Store, after_writing: bool = False):
        self.inner, self.after_writing = inner, after_writing
        self.failures = 1

    def apply_counts(self, batch: str, updates: Sequence[CountUpdate]) -> bool:
        if not self.failures:
            return self.inner.apply_counts(batch, updates)
        self.failures -= 1
        if self.after_writing:  # written, but the answer was lost: the batch comes again
            self.inner.apply_counts(batch, updates)
        raise StoreError("count items unreachable")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("after_writing", [False, True], ids=["refused", "answer-lost"])
def test_a_counting_failure_neither_loses_nor_double_counts_a_signature(
    api: Api, store: Store, configure: Callable[..., None], clock: Clock, after_writing: bool
) -> None:
    configure(after_write=None)  # nothing counts on the request path, as in Lambda
    api.sign("open", email="tenth@example.org")  # reaches 10 when counted
    clock.now = NOW + timedelta(minutes=5)
    api.sign("open", email="eleventh@example.org")
    flaky = FailingCounts(store, after_writing)
    counter = Counter(make_content(), flaky)  # type: ignore[arg-type]
    feed = source_of(store)

    with pytest.raises(StoreError, match="count items unreachable"):
        counter.drain(feed)
    assert store.tally("open").count == (2 if after_writing else 0)
    counter.drain(feed)  # the batch again (if the feed still holds it): applied once
    assert counter.drain(feed) == 0

    assert store.tally("open").count == 2
    assert store.tally("open").milestones == (Milestone(10, NOW),)  # the signature's time


def test_milestone_hooks_hear_of_each_recorded_milestone_and_cannot_fail_a_signature(
    api: Api, store: Store, configure: Callable[..., None], caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[tuple[str, tuple[Milestone, ...]]] = []

    def listen(petition: Petition, reached: tuple[Milestone, ...]) -> None:
        heard.append((petition.slug, reached))

    def broken(petition: Petition, reached: tuple[Milestone, ...]) -> None:
        raise RuntimeError("publisher down")

    configure(on_milestone=[broken, listen])
    crossing = api.sign("open", email="tenth@example.org")
    after = api.sign("open", email="eleventh@example.org")
    recount = counter_for(store, make_content(), [listen])()  # nothing to tell again

    assert (crossing.status_code, after.status_code) == (201, 201)
    assert (crossing.json_body["count"], after.json_body["count"]) == (10, 11)
    assert recount == 0
    assert heard == [("open", (Milestone(10, NOW),))]
    assert store.tally("open").count == 2  # the failing hook undid no count
    assert "counter hook failed" in caplog.text
    assert "publisher down" in caplog.text


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
    assert "signature signed slug=open added=True" in caplog.text
    for text in [caplog.text, *(without_refill(r.body.decode()) for r in responses)]:
        assert "Zebedee" not in text
        assert "zebedee" not in text.lower()

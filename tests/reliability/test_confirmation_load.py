"""Only confirmed signatures count, under load: 2,000 signers over HTTP from 50 clients, 10 %
never confirming and 5 % bouncing, give exactly the confirmed count (serve counting on its own
thread as they confirm); concurrent confirmations crossing a milestone on DynamoDB Local,
counted from the table's stream, record it once, at the time of the confirmation at its rank.
"""

from __future__ import annotations

import email
import email.policy
import random
import re
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.signing.confirmation import check
from generator.store.dynamodb import DynamoStore
from generator.store.sqlite import SqliteStore
from tests.serve.client import request
from tests.serve.launcher import SECRET, start_serve, stop_serve
from tests.support.eventually import eventually

from .harness import LATER, LOAD_SLUG, assert_reached_in_time_order, serving
from .loadgen import email_of, plan, run_load

pytestmark = pytest.mark.load

SIGNERS = 2000
CLIENTS = 50
NEVER = 0.10  # share who never open the mail
BOUNCE = 0.05  # share whose mail bounces
_LINK = re.compile(r"https?://\S+/api(/petitions/\S+/confirm/[A-Za-z0-9_.-]+)")


def links_in(outbox: Path) -> dict[str, str]:
    """Each recipient's confirmation link path (below /api), from the outbox's .eml files."""
    found: dict[str, str] = {}
    for eml in outbox.glob("*.eml"):
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",)).get_content()
        link = _LINK.search(text)
        assert link, eml.name
        found[str(message["To"])] = link.group(1)
    return found


def confirm_all(url: str, paths: list[str], clients: int) -> Counter[int]:
    """POST Confirm to each link from `clients` threads; the statuses they got."""
    queue, lock, statuses = list(paths), threading.Lock(), Counter[int]()

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            answer = request(url, "/api" + path, "POST", b"choice=confirm",
                             {"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
            with lock:
                statuses[answer.status] += 1

    threads = [threading.Thread(target=work, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_two_thousand_signers_some_never_confirming_some_bouncing_count_exactly(
    work: Path,
) -> None:
    server = start_serve(work, watch=False, confirmation="required")
    try:
        result = run_load(server.url, LOAD_SLUG, plan(SIGNERS), CLIENTS)
        assert result.statuses == {202: SIGNERS}, result.statuses
        links = links_in(work / ".data" / "outbox")
        assert sorted(links) == sorted(email_of(n) for n in range(SIGNERS))  # one mail each
        rng = random.Random(2019)
        people = sorted(links)
        rng.shuffle(people)
        never = people[: int(SIGNERS * NEVER)]
        bounced = people[len(never) : len(never) + int(SIGNERS * BOUNCE)]
        confirming = people[len(never) + len(bounced) :]
        store = SqliteStore(work / "signatures.db")  # what the bounce handler does
        secret = SECRET.encode()
        for person in bounced:
            named = check(secret, urlsplit(links[person]).path.rsplit("/", 1)[1])
            assert store.bounce(LOAD_SLUG, named.email_key).before == "pending"
        statuses = confirm_all(server.url, [links[p] for p in confirming], CLIENTS)

        def live_counts() -> dict[str, object] | None:  # serve counts on a thread of its own
            live = request(server.url, f"/api/petitions/{LOAD_SLUG}").json()
            return live if (live["count"], live["pending"]) == (1700, 200) else None

        live = eventually(live_counts, message="serve counting every confirmation and bounce")
    finally:
        stop_serve(server)

    assert statuses == {303: len(confirming)}
    assert len(confirming) == 1700 and len(never) == 200
    assert [m["count"] for m in live["milestones"]] == [10, 100, 500, 1000]  # type: ignore[index]
    tally = store.tally(LOAD_SLUG)
    assert (tally.count, tally.pending) == (1700, 200)
    assert store.recount(LOAD_SLUG) == 1700
    # counted in rounds while confirmations were in flight (CLIENTS at most at once)
    assert_reached_in_time_order(store, LOAD_SLUG, [10, 100, 500, 1000], in_flight=CLIENTS)
    assert "Traceback" not in server.output
    assert "load.example.org" not in server.output.lower()
    store.close()


@pytest.mark.dynamodb_local
def test_concurrent_confirmations_crossing_a_milestone_record_it_once(
    work: Path, dynamo_store: DynamoStore
) -> None:
    outbox = _Outbox()
    with serving(
        work, dynamo_store, environ={"PETITION_CONFIRMATION": "required"}, mailer=outbox,
        counting=LATER,
    ) as site:  # fmt: skip
        signed = run_load(site.url, LOAD_SLUG, plan(120), 20)
        assert signed.statuses == {202: 120}
        paths = [urlsplit(x).path.removeprefix("/api") for x in outbox.links]
        statuses = confirm_all(site.url, paths, 30)
        assert site.count() == 240  # each signature's arrival and its confirmation, once
        assert site.count() == 0
        assert site.writeback.wait(30)
        won = dict(site.won)

    assert statuses == {303: 120}
    tally = dynamo_store.tally(LOAD_SLUG)
    assert (tally.count, tally.pending) == (120, 0)
    assert won == {(LOAD_SLUG, 10): 1, (LOAD_SLUG, 100): 1}  # each reached once
    # all in one read of the stream: milestone N at the N-th confirmation in time order
    assert_reached_in_time_order(dynamo_store, LOAD_SLUG, [10, 100])


class _Outbox:
    """A mailer that keeps each confirmation link it is asked to send (thread-safe)."""

    def __init__(self) -> None:
        self.links: list[str] = []
        self._lock = threading.Lock()

    def send(self, letter: object) -> None:
        link = getattr(letter, "links", {}).get("confirm")
        if link:
            with self._lock:
                self.links.append(link)

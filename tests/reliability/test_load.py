"""Load without loss: 2,000 signers, 50 clients, duplicates and retries, counted exactly.

Once through `build.py serve` on SQLite (a child process, as a developer runs it, counting
on its own thread as signatures arrive) and once through the same app in this process on the
DynamoDB store (DynamoDB Local), counted from the table's stream once the signers are done.
Afterwards the count equals the distinct emails, every stored signature is one of them, each
milestone is recorded once at the time of the signature that reached it, no request got a
5xx, and the page shows the store's count.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.store.base import Store
from generator.store.dynamodb import DynamoStore
from generator.store.sqlite import SqliteStore
from tests.serve.client import request
from tests.serve.launcher import start_serve, stop_serve
from tests.support.eventually import eventually

from .harness import LATER, LOAD_SLUG, assert_reached_in_time_order, build_site, page_count, serving
from .loadgen import LoadResult, email_of, plan, run_load

pytestmark = pytest.mark.load

SIGNERS = 2000
DUPLICATES = 150
RETRIES = 100
CLIENTS = 50
IN_FLIGHT = CLIENTS + RETRIES  # requests under way at once: an abandoned send runs on
LADDER = (10, 100, 500, 1000, 2000)  # the last signer reaches the last milestone


def assert_counted_exactly(result: LoadResult, store: Store, in_flight: int) -> None:
    """Every signer answered 201 and stored once; the count and milestones match, each
    milestone at the time of the signature that reached it (see assert_reached_in_time_order)."""
    assert result.requests == SIGNERS + DUPLICATES + RETRIES  # abandoned sends included
    assert result.abandoned == RETRIES
    assert result.statuses == {201: SIGNERS + DUPLICATES}, result.statuses
    assert result.server_errors == 0
    assert result.acknowledged == set(range(SIGNERS))
    tally = store.tally(LOAD_SLUG)
    assert tally.count == SIGNERS
    stored = sorted(s.email.strip().lower() for s in store.signatures(LOAD_SLUG))
    assert stored == sorted(email_of(n) for n in range(SIGNERS))
    assert_reached_in_time_order(store, LOAD_SLUG, LADDER, in_flight)


def wait_for_page_count(page: Path, expected: int, timeout: float = 20.0) -> int:
    """The page's #count once it shows `expected` (the write-back runs in the background)."""
    eventually(
        lambda: page_count(page) == expected,
        timeout,
        interval=0.1,
        message=lambda: f"{page} showing {expected} (it shows {page_count(page)})",
    )
    return page_count(page)


def test_serve_on_sqlite_counts_two_thousand_concurrent_signers_exactly(work: Path) -> None:
    server = start_serve(work, watch=False)
    try:
        result = run_load(server.url, LOAD_SLUG, plan(SIGNERS, DUPLICATES, RETRIES), CLIENTS)

        def live_count() -> dict[str, object] | None:
            live = request(server.url, f"/api/petitions/{LOAD_SLUG}").json()
            return live if live["count"] == SIGNERS else None

        live = eventually(live_count, message="serve counting every signature")  # on a thread
        shown = wait_for_page_count(server.out / "petitions" / LOAD_SLUG / "index.html", SIGNERS)
    finally:
        stop_serve(server)

    assert [m["count"] for m in live["milestones"]] == list(LADDER)  # type: ignore[index]
    assert shown == SIGNERS  # the write-back after the last milestone shows the final count
    assert "Traceback" not in server.output
    assert "load.example.org" not in server.output.lower()
    store = SqliteStore(work / "signatures.db")
    try:
        # counted in rounds while signers were in flight
        assert_counted_exactly(result, store, in_flight=IN_FLIGHT)
        rebuilt = work / "rebuilt"
        build_site(work, store, rebuilt)
        assert page_count(rebuilt / "petitions" / LOAD_SLUG / "index.html") == SIGNERS
    finally:
        store.close()


@pytest.mark.dynamodb_local
def test_app_on_dynamodb_counts_two_thousand_concurrent_signers_exactly(
    work: Path, dynamo_store: DynamoStore
) -> None:
    with serving(work, dynamo_store, counting=LATER) as site:
        result = run_load(site.url, LOAD_SLUG, plan(SIGNERS, DUPLICATES, RETRIES), CLIENTS)
        counted_meanwhile = dynamo_store.tally(LOAD_SLUG).count
        assert site.count() == SIGNERS  # the stream holds each signature once
        assert site.count() == 0  # and nothing more: each batch was acknowledged
        assert site.writeback.wait(30)
        shown = page_count(site.page())
        won = dict(site.won)

    assert counted_meanwhile == 0  # nothing was counted on the request path
    # one drain, but a stream gives at most 1,000 records a read: the batches follow the
    # order of the writes, not of the signatures' times
    assert_counted_exactly(result, dynamo_store, in_flight=IN_FLIGHT)
    assert won == {(LOAD_SLUG, m): 1 for m in LADDER}  # each milestone reached once
    assert shown == dynamo_store.tally(LOAD_SLUG).count == SIGNERS
    rebuilt = work / "rebuilt"
    build_site(work, dynamo_store, rebuilt)
    assert page_count(rebuilt / "petitions" / LOAD_SLUG / "index.html") == SIGNERS


def test_app_on_sqlite_counted_once_afterwards_puts_each_milestone_at_its_signature(
    work: Path, sqlite_store: SqliteStore
) -> None:
    with serving(work, sqlite_store, counting=LATER) as site:
        result = run_load(site.url, LOAD_SLUG, plan(SIGNERS, DUPLICATES, RETRIES), CLIENTS)
        assert site.count() == SIGNERS  # one batch: every change waiting on the feed
        won = dict(site.won)

    assert_counted_exactly(result, sqlite_store, in_flight=0)  # the N-th in time order
    assert won == {(LOAD_SLUG, m): 1 for m in LADDER}

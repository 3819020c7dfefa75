"""Load without loss: 2,000 signers, 50 clients, duplicates and retries, counted exactly.

Once through `build.py serve` on SQLite (a child process, as a developer runs it) and once
through the same app in this process on the DynamoDB store (DynamoDB Local). Afterwards
the count equals the distinct emails, every stored signature is one of them, each milestone
is recorded once, no request got a 5xx, and the page shows the store's count.
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

from .harness import LOAD_SLUG, build_site, page_count, serving
from .loadgen import LoadResult, email_of, plan, run_load

pytestmark = pytest.mark.load

SIGNERS = 2000
DUPLICATES = 150
RETRIES = 100
CLIENTS = 50
LADDER = (10, 100, 500, 1000, 2000)  # the last signer reaches the last milestone


def assert_counted_exactly(result: LoadResult, store: Store) -> None:
    """Every signer answered 201 and stored once; the count and milestones match."""
    assert result.requests == SIGNERS + DUPLICATES + RETRIES  # abandoned sends included
    assert result.abandoned == RETRIES
    assert result.statuses == {201: SIGNERS + DUPLICATES}, result.statuses
    assert result.server_errors == 0
    assert result.acknowledged == set(range(SIGNERS))
    tally = store.tally(LOAD_SLUG)
    assert tally.count == SIGNERS
    stored = sorted(s.email.strip().lower() for s in store.signatures(LOAD_SLUG))
    assert stored == sorted(email_of(n) for n in range(SIGNERS))
    assert [m.count for m in tally.milestones] == list(LADDER)


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
        live = request(server.url, f"/api/petitions/{LOAD_SLUG}").json()
        shown = wait_for_page_count(server.out / "petitions" / LOAD_SLUG / "index.html", SIGNERS)
    finally:
        stop_serve(server)

    assert live["count"] == SIGNERS
    assert [m["count"] for m in live["milestones"]] == list(LADDER)
    assert shown == SIGNERS  # the write-back after the last milestone shows the final count
    assert "Traceback" not in server.output
    assert "load.example.org" not in server.output.lower()
    store = SqliteStore(work / "signatures.db")
    try:
        assert_counted_exactly(result, store)
        rebuilt = work / "rebuilt"
        build_site(work, store, rebuilt)
        assert page_count(rebuilt / "petitions" / LOAD_SLUG / "index.html") == SIGNERS
    finally:
        store.close()


@pytest.mark.dynamodb_local
def test_app_on_dynamodb_counts_two_thousand_concurrent_signers_exactly(
    work: Path, dynamo_store: DynamoStore
) -> None:
    with serving(work, dynamo_store) as site:
        result = run_load(site.url, LOAD_SLUG, plan(SIGNERS, DUPLICATES, RETRIES), CLIENTS)
        assert site.writeback.wait(30)
        shown = page_count(site.page())
        won = dict(site.won)

    assert_counted_exactly(result, dynamo_store)
    assert won == {(LOAD_SLUG, m): 1 for m in LADDER}  # each milestone won by one request
    assert shown == dynamo_store.tally(LOAD_SLUG).count == SIGNERS
    rebuilt = work / "rebuilt"
    build_site(work, dynamo_store, rebuilt)
    assert page_count(rebuilt / "petitions" / LOAD_SLUG / "index.html") == SIGNERS

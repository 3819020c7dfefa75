"""The production path end to end on a laptop: `build.py serve` takes signatures over HTTP,
its counter counts them from the store's change feed (SQLite's, or DynamoDB Local's
stream), and the count file beside the page says so: exact, each milestone once, at the
time of a signature that reached it."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest

from generator.store.dynamodb import DynamoStore
from tests.serve.client import request
from tests.serve.launcher import ServeProcess, start_serve, stop_serve
from tests.support.eventually import eventually
from tests.support.fixture_site import BARE, copy_site

LADDER = [10, 25, 50, 100, 250, 500]  # the fixture site's ladder, up to what is signed
SIGNATURES, CLIENTS = 600, 20


def sign_many(server: ServeProcess) -> list[datetime]:
    """SIGNATURES signers through the API from CLIENTS threads; when each was answered."""

    def one(n: int) -> datetime:
        body = json.dumps({"name": f"Signer {n}", "email": f"signer{n}@example.org"}).encode()
        reply = request(
            server.url, f"/api/petitions/{BARE}/signatures", "POST", body,
            {"Content-Type": "application/json"},
        )  # fmt: skip
        assert reply.status == 201, reply.text
        return datetime.now().astimezone()

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(one, range(SIGNATURES)))


def count_file(server: ServeProcess) -> dict[str, object]:
    reply = request(server.url, f"/petitions/{BARE}/count.json")
    assert reply.status == 200
    return json.loads(reply.body)


def check_counted(server: ServeProcess, started: datetime, answered: list[datetime]) -> None:
    document = eventually(
        lambda: (d := count_file(server))["count"] == SIGNATURES and d,
        timeout=30,
        message=lambda: f"the count file at {SIGNATURES}; serve said:\n{server.output[-3000:]}",
    )  # fmt: skip
    reached = document["milestones"]
    assert [m["count"] for m in reached] == LADDER  # each once, in order
    times = [datetime.fromisoformat(m["reached_at"]) for m in reached]
    assert times == sorted(times)
    assert all(started.replace(microsecond=0) <= t <= max(answered) for t in times)
    # the page itself shows the milestones too (re-rendered on each milestone)
    page = request(server.url, f"/petitions/{BARE}/").text
    assert "500 signatures reached" in page


def test_serve_on_sqlite_counts_from_its_feed(tmp_path: Path) -> None:
    copy_site(tmp_path)
    server = start_serve(tmp_path, watch=False)
    try:
        started = datetime.now().astimezone()
        answered = sign_many(server)
        check_counted(server, started, answered)
    finally:
        stop_serve(server)


@pytest.mark.dynamodb_local
def test_serve_on_dynamodb_local_counts_from_the_tables_stream(
    tmp_path: Path, dynamodb_local: str
) -> None:
    table = f"petitions-{uuid.uuid4().hex[:12]}"
    copy_site(tmp_path)
    url = f"dynamodb://{table}?region=us-east-1&endpoint_url={dynamodb_local}"
    server = start_serve(tmp_path, watch=False, store=url)
    try:
        started = datetime.now().astimezone()
        answered = sign_many(server)
        check_counted(server, started, answered)
    finally:
        stop_serve(server)
        DynamoStore(table, region="us-east-1", endpoint_url=dynamodb_local).client.delete_table(
            TableName=table
        )

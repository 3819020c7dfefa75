"""Fixtures of the aggregator tests: the app's aggregator and refresh functions as Lambda runs
them, over a table on DynamoDB Local (its stream read as Lambda would hand it over), the
site bucket on moto's S3, and a stand-in for the Lambda Invoke API that records what the
functions ask of the write-back function.

Nothing is configured but the content, the table, the clock and the settings the stack
gives these functions (PETITION_SITE_BUCKET, PETITION_WRITEBACK_FUNCTION): the hooks are
the ones Lambda builds from them.
"""

from __future__ import annotations

import json
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from generator.model import Content, Petition, Site
from generator.render.countfile import count_path
from generator.signing.settings import Settings
from generator.store.base import Signature
from generator.store.dynamodb import DynamoStore
from generator.store.retry import Backoff

from .stream import REGION, Stream

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
if str(FUNCTIONS) not in sys.path:  # app.py imports chalicelib as Lambda lays them out
    sys.path.insert(0, str(FUNCTIONS))

BUCKET = "petition-site"
WRITEBACK = "petitions-test-writeback"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SLUG, OTHER = "save-the-park", "light-the-lane"
LADDER = (10, 25, 50)
PATIENT = Backoff(attempts=30, base=0.005, cap=0.2, budget=20.0)


class Clock:
    """The time the table and the functions read: a millisecond later at each reading (so
    one write is later than the one before, as in production), and as far on as a test
    moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the time on."""
        self.now += timedelta(seconds=seconds)


def content() -> Content:
    """Two open petitions on the ladder 10, 25, 50."""
    site = Site("Test", "https://petitions.example.org", "UTC", "en", LADDER, "Test", "/privacy")
    return Content(
        site,
        tuple(
            Petition(slug=slug, path=f"content/petitions/{slug}.md", title=slug,
                     target="Council", ask="Ask", body="", created=T0, milestones=LADDER)
            for slug in (SLUG, OTHER)
        ),
    )  # fmt: skip


def signature(n: int, slug: str = SLUG) -> Signature:
    """The n-th signer (from 1), signing n seconds after T0 (counted at once)."""
    return Signature(
        slug=slug, email_key=f"{slug}-{n:060x}", name=f"Signer {n}", email=f"s{n}@example.org",
        signed_at=T0 + timedelta(seconds=n), id=f"{slug}-id-{n:08d}",
    )  # fmt: skip


class FakeLambda(ThreadingHTTPServer):
    """A loopback stand-in for the Lambda Invoke API: records each invocation's payload."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Invoke)
        self.calls: list[tuple[str, str | None, dict[str, Any]]] = []

    @property
    def url(self) -> str:
        """The endpoint to point boto3 at."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def payloads(self) -> list[dict[str, Any]]:
        """What the write-back function was asked to do, in order."""
        return [payload for _, _, payload in self.calls]


class _Invoke(BaseHTTPRequestHandler):
    server: FakeLambda

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.calls.append(
            (self.path, self.headers.get("X-Amz-Invocation-Type"), json.loads(body))
        )
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


@dataclass
class Aws:
    """What the functions talk to: the table, its stream, the bucket, the Lambda API."""

    table: DynamoStore
    stream: Stream
    s3: Any
    lambda_api: FakeLambda
    clock: Clock
    client: Client
    answers: list[dict[str, Any]] = field(default_factory=list)

    def sign(self, *numbers: int, slug: str = SLUG) -> None:
        """Store these signers' signatures (one conditional write each, as the API does)."""
        for n in numbers:
            assert self.table.sign(signature(n, slug)).added

    def aggregate(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """Invoke the aggregator function with these stream records, as Lambda does."""
        answer: dict[str, Any] = self.client.lambda_.invoke(
            "aggregator", {"Records": records}
        ).payload
        self.answers.append(answer)
        return answer

    def refresh(self) -> dict[str, Any]:
        """Invoke the refresh function, as its minute's schedule does."""
        event = self.client.events.generate_cw_event(
            "aws.events", "Scheduled Event", {}, ["arn:aws:events:us-east-1:1:rule/refresh"]
        )
        answer: dict[str, Any] = self.client.lambda_.invoke("refresh", event).payload
        return answer

    def count_file(self, slug: str = SLUG) -> dict[str, Any] | None:
        """The petition's count file in the bucket (None: not written yet)."""
        try:
            got = self.s3.get_object(Bucket=BUCKET, Key=count_path(slug))
        except self.s3.exceptions.NoSuchKey:
            return None
        document: dict[str, Any] = json.loads(got["Body"].read())
        return document

    def count_file_headers(self, slug: str = SLUG) -> dict[str, Any]:
        """The count file's Content-Type and Cache-Control as S3 serves them."""
        head = self.s3.head_object(Bucket=BUCKET, Key=count_path(slug))
        return {"type": head["ContentType"], "cache": head["CacheControl"]}


@pytest.fixture
def lambda_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLambda]:
    """The fake Lambda API, named to boto3 as the Lambda endpoint (AWS_ENDPOINT_URL_LAMBDA)."""
    server = FakeLambda()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", server.url)
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def clock() -> Clock:
    """The clock the table and the functions share."""
    return Clock(T0 + timedelta(hours=1))


@pytest.fixture
def table(dynamodb_local: str, clock: Clock) -> Iterator[DynamoStore]:
    """An empty table on DynamoDB Local with its stream, deleted after the test."""
    store = DynamoStore(
        f"petitions-{uuid.uuid4().hex[:12]}", region=REGION, endpoint_url=dynamodb_local,
        clock=clock, backoff=PATIENT, settle=0.01,
    )  # fmt: skip
    store.init()
    yield store
    store.client.delete_table(TableName=store.table)
    store.close()


@pytest.fixture
def environ() -> dict[str, str]:
    """The settings the stack gives these functions (a test may add the log's keys)."""
    return {"PETITION_SITE_BUCKET": BUCKET, "PETITION_WRITEBACK_FUNCTION": WRITEBACK}


@pytest.fixture
def aws(
    table: DynamoStore, clock: Clock, lambda_api: FakeLambda, environ: dict[str, str]
) -> Iterator[Aws]:
    """The app's functions configured as the stack configures them, over the table, moto's
    S3 (only S3 and nothing else is answered by moto: the table's and the Lambda API's
    endpoints are local servers) and the fake Lambda API."""
    from app import app
    from chalicelib.runtime import runtime

    settings = Settings.from_environ(environ)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        runtime.configure(content=content(), store=table, settings=settings, clock=clock)
        try:
            client = Client(app, stage_name="api", project_dir=str(FUNCTIONS))
            yield Aws(table, Stream(table), s3, lambda_api, clock, client)
        finally:
            runtime.reset()

"""What email confirmation costs: signing with confirmation required against signing with it
off (the baseline), confirming, and how many mails each signature brings.

    .venv/bin/python benchmarks/confirmation.py [--signatures N] [--skip-dynamodb]

The app is called in this process with API Gateway events, one request at a time, into an
empty store: SQLite, and DynamoDB Local (started for the run). With confirmation required
each signature writes its letter as an .eml file (the local `file` mailer; in AWS a letter
is one SQS message instead). Latencies are per request (p50, p99) and ratios to the
baseline's p50 in the same run. Mails per signature come from a second pass where a fifth
of the signers sign again at once and a tenth sign again after eleven minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.update(
    AWS_EC2_METADATA_DISABLED="true",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
)
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT), str(ROOT / "functions")]

import _util  # noqa: E402
from app import app  # noqa: E402
from chalice.local import LambdaContext  # noqa: E402
from chalicelib.runtime import runtime  # noqa: E402

from generator.content.loading import load_content  # noqa: E402
from generator.local.wsgi import api_event  # noqa: E402
from generator.signing.letters import Letter, Writer  # noqa: E402
from generator.signing.mail import FileMailer  # noqa: E402
from generator.signing.settings import Settings  # noqa: E402
from generator.store.base import Store  # noqa: E402

SECRET = "benchmark-secret-not-for-production"
CONTENT = ROOT / "tests" / "fixtures" / "site" / "content"
SLUG = "free-bus-fares-for-students"  # open, nothing imported
CONTEXT = LambdaContext("api_handler", 512, max_runtime_ms=30000)


class Clock:
    """The time the app believes it is, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


class Counting(FileMailer):
    """The file mailer, counting the letters it writes and keeping their links."""

    def __init__(self, folder: Path, writer: Writer) -> None:
        super().__init__(folder, writer)
        self.sent = 0
        self.links: list[str] = []

    def send(self, letter: Letter) -> None:
        super().send(letter)
        self.sent += 1
        if "confirm" in letter.links:
            self.links.append(letter.links["confirm"])


def call(method: str, path: str, body: dict[str, Any], i: int) -> tuple[int, float]:
    """One request to the app; its status and seconds."""
    event = api_event(app, method, path, "", {"content-type": "application/json"},
                      json.dumps(body).encode(), f"10.0.{i >> 8 & 255}.{i & 255}")  # fmt: skip
    assert event is not None
    started = time.perf_counter()
    status = app(event, CONTEXT)["statusCode"]
    return status, time.perf_counter() - started


def signer(i: int) -> dict[str, Any]:
    return {"name": f"Bench Signer {i}", "email": f"signer{i}@bench.example.org"}


@contextmanager
def configured(store: Store, confirmation: str, outbox: Path, clock: Clock) -> Iterator[Counting]:
    content = load_content(CONTENT)
    settings = Settings.from_environ({
        "PETITION_SECRET": SECRET, "PETITION_RATE_LIMIT": "0",
        "PETITION_CONFIRMATION": confirmation,
        "PETITION_TEMPLATES": str(ROOT / "templates"),
    })  # fmt: skip
    mailer = Counting(outbox, Writer(content, ROOT / "templates"))
    runtime.configure(content=content, store=store, settings=settings, clock=clock, mailer=mailer)
    try:
        yield mailer
    finally:
        runtime.reset()


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000


def run(url: str, n: int) -> list[tuple[str, float, float, float]]:
    """(what, p50 ms, p99 ms, ratio to the baseline's p50) for one store (`url` with `{}`
    where each pass puts a name of its own: every pass starts empty)."""
    rows: list[tuple[str, list[float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for confirmation in ("off", "required"):
            with (
                _util.fresh_store(url.format(confirmation)) as store,
                configured(store, confirmation, Path(tmp) / confirmation, Clock()) as mailer,
            ):
                path = f"/petitions/{SLUG}/signatures"
                timings = []
                for i in range(n):
                    status, seconds = call("POST", path, signer(i), i)
                    assert status == (201 if confirmation == "off" else 202), status
                    timings.append(seconds)
                rows.append((f"sign, confirmation {confirmation}", timings))
                if confirmation == "required":
                    confirms = []
                    for i, link in enumerate(mailer.links):
                        ref_path = "/petitions/" + link.split("/api/petitions/", 1)[1]
                        status, seconds = call("POST", ref_path, {"choice": "confirm"}, i)
                        assert status == 200, status
                        confirms.append(seconds)
                    rows.append(("confirm", confirms))
    base = statistics.median(rows[0][1]) * 1000
    return [(what, *percentiles(t), percentiles(t)[0] / base) for what, t in rows]


def mails_per_signature(url: str, n: int) -> tuple[int, int, int]:
    """(signers, requests, letters) when a fifth sign again at once and a tenth 11 min later."""
    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock()
        with (
            _util.fresh_store(url.format("mails")) as store,
            configured(store, "required", Path(tmp), clock) as m,
        ):
            path = f"/petitions/{SLUG}/signatures"
            requests = 0
            for i in range(n):
                call("POST", path, signer(i), i)
                requests += 1
                if i % 5 == 0:
                    call("POST", path, signer(i), i)
                    requests += 1
            clock.now += timedelta(minutes=11)
            for i in range(0, n, 10):
                call("POST", path, signer(i), i)
                requests += 1
            return n, requests, m.sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signatures", type=int, default=500, help="signers per run")
    parser.add_argument("--skip-dynamodb", action="store_true", help="SQLite only")
    args = parser.parse_args()
    logging_off()
    stores = {"SQLite": None}
    with _dynamodb(args.skip_dynamodb) as endpoint:
        if endpoint:
            stores["DynamoDB Local"] = endpoint
        with tempfile.TemporaryDirectory() as tmp:
            for name, endpoint_url in stores.items():
                url = (
                    f"sqlite:///{tmp}/{{}}.db"
                    if endpoint_url is None
                    else f"dynamodb://bench-{{}}?region=us-east-1&endpoint_url={endpoint_url}"
                )
                print(f"\n{name}, {args.signatures} signers, one request at a time")
                print(f"{'path':<28} {'p50 ms':>8} {'p99 ms':>8} {'× baseline p50':>15}")
                for what, p50, p99, ratio in run(url, args.signatures):
                    print(f"{what:<28} {p50:>8.2f} {p99:>8.2f} {ratio:>15.2f}")
                signers, requests, letters = mails_per_signature(url, args.signatures)
                print(
                    f"mails: {letters} for {signers} signers in {requests} requests"
                    f" ({letters / signers:.2f} per signer, {letters / requests:.2f} per request)"
                )


def logging_off() -> None:
    import logging

    logging.disable(logging.WARNING)


@contextmanager
def _dynamodb(skip: bool) -> Iterator[str | None]:
    if skip:
        yield None
        return
    from tests.support.dynamodb_local import running

    with running() as endpoint:
        yield endpoint


if __name__ == "__main__":
    main()

"""Signing speed: the Chalice app against its store alone, SQLite and DynamoDB Local.

    .venv/bin/python benchmarks/signing.py [--signatures N] [--threads 1,8] [--skip-dynamodb]

Each run signs the example content's first open petition with distinct signers into an
empty store three ways: the store's own `sign()` (the baseline), the app called in-process
with an API Gateway event, and over loopback HTTP through the server `serve` runs
(`generator.local.server.SiteServer`: waitress and its pool of threads; clients in another
process). Rates are ratios to the baseline at the same thread count in the same run. The app
is called from several threads at once, with no lock, as `serve` calls it (it keeps each
thread's request apart: functions/chalicelib/threads.py); Lambda runs one request per
instance. Counting is not on the request path: after each run the store's change feed (the
SQLite feed table, the DynamoDB stream) is counted, untimed, and the count must equal the
signatures answered 201. For DynamoDB it counts the requests the store's client sends while
signing, by operation.
Import times (`python -X importtime`, fresh processes): `import app` against `import chalice`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Never let botocore look for real credentials or the EC2 metadata service.
os.environ.update(
    AWS_EC2_METADATA_DISABLED="true",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
)
ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ROOT / "functions"
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT), str(FUNCTIONS)]

import _util  # noqa: E402
from app import app  # noqa: E402
from chalice.local import LambdaContext  # noqa: E402
from chalicelib.runtime import runtime  # noqa: E402

from generator.content.loading import load_content  # noqa: E402
from generator.local.server import SiteServer  # noqa: E402
from generator.local.wsgi import api_event  # noqa: E402
from generator.model import Content  # noqa: E402
from generator.signing.service import effective_status  # noqa: E402
from generator.signing.settings import Settings  # noqa: E402
from generator.signing.signer import email_key, rate_key  # noqa: E402
from generator.store.base import RateLimit, Signature, Store  # noqa: E402
from tests.support.counting import count_now  # noqa: E402

SECRET = "benchmark-secret-not-for-production"
PATHS = ("store.sign (baseline)", "app(event) in-process", "HTTP through serve")
IMPORTS = {  # module: note; the first is the baseline
    "chalice": "baseline",
    "app": "target < 300 ms",
    "boto3": "paid by the first DynamoDB request, not by `import app`",
}
SIGNER_FIELDS = {"postcode": "6011", "consent": True}
Measure = Callable[[int], tuple[int, float]]  # threads -> (signatures, seconds)


def signer(i: int) -> dict[str, Any]:
    """The fields signer number `i` sends: distinct email, same shape as a browser's JSON."""
    return {"name": f"Bench Signer {i}", "email": f"signer{i}@bench.example.org", **SIGNER_FIELDS}


def address(i: int) -> str:
    """A distinct client address per signer, so the rate counter never meets a hot key."""
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def open_petition(content: Content) -> str:
    """The slug of the first petition that takes signatures and has no imported count."""
    now = datetime.now(UTC)
    for petition in content.petitions:
        if effective_status(petition, content.site, now) == "open" and not petition.imported.count:
            return petition.slug
    raise SystemExit("content/ has no open petition without an imported count to sign")


def direct(store: Store, slug: str, limit: int, n: int, budget: float) -> Measure:
    """The baseline: n Signatures built up front, so only the store's sign() is timed."""
    secret = SECRET.encode()
    now = datetime.now(UTC)
    ready: dict[int, tuple[Signature, RateLimit | None]] = {}
    for i in range(n):
        fields = signer(i)
        signature = Signature(slug, email_key(secret, fields["email"]), signed_at=now, **fields)
        ready[i] = signature, RateLimit(rate_key(secret, address(i)), limit) if limit else None

    def one(i: int) -> None:
        if not store.sign(*ready.pop(i)).added:
            raise RuntimeError(f"signature {i} was not added")

    return lambda threads: _util.timed(n, threads, one, budget)


def in_process(slug: str, n: int, budget: float) -> Measure:
    """The app called as Lambda calls it, n events built up front, from every thread at once."""
    context = LambdaContext("api_handler", 512, max_runtime_ms=30000)
    path = f"/petitions/{slug}/signatures"
    headers = {"Content-Type": "application/json"}
    events = {
        i: api_event(app, "POST", path, "", headers, json.dumps(signer(i)).encode(), address(i))
        for i in range(n)
    }

    def one(i: int) -> None:
        response = app(events.pop(i), context)
        if response["statusCode"] != 201:
            raise RuntimeError(f"status {response['statusCode']}: {response.get('body')}")

    return lambda threads: _util.timed(n, threads, one, budget)


@contextmanager
def over_http(slug: str, n: int, budget: float) -> Iterator[Measure]:
    """The server `serve` runs, on loopback for the block; clients POST from another process.

    The clients run in their own process so they do not take the server's GIL.
    """
    with tempfile.TemporaryDirectory(prefix="petition-bench-site-") as out:
        server = SiteServer(("127.0.0.1", 0), Path(out), app)
        server.start()
        url = f"{server.url}/api/petitions/{slug}/signatures"

        def measure(threads: int) -> tuple[int, float]:
            command = [sys.executable, __file__, "--http-client", url, "--signatures", str(n),
                       "--threads", str(threads), "--seconds", str(budget)]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"HTTP clients failed:\n{done.stderr[-2000:]}")
            answer = json.loads(done.stdout)
            return answer["signed"], answer["seconds"]

        try:
            yield measure
        finally:
            server.close()


@contextmanager
def signing_path(
    path: str, store: Store, slug: str, limit: int, n: int, budget: float
) -> Iterator[Measure]:
    """How to time up to n signatures along one of PATHS."""
    if path == PATHS[0]:
        yield direct(store, slug, limit, n, budget)
    elif path == PATHS[1]:
        yield in_process(slug, n, budget)
    else:
        with over_http(slug, n, budget) as measure:
            yield measure


@dataclass(frozen=True)
class Plan:
    """What every run signs, and how much: the same for each store."""

    content: Content
    slug: str
    limit: int  # rate limit per address per minute, 0 = off
    threads: tuple[int, ...]
    budget: float  # seconds per run at most

    @property
    def settings(self) -> Settings:
        """The app's settings: a test secret and the rate limit; signatures counted at once
        (benchmarks/confirmation.py measures the confirmation path)."""
        return Settings.from_environ(
            {
                "PETITION_SECRET": SECRET,
                "PETITION_RATE_LIMIT": str(self.limit),
                "PETITION_CONFIRMATION": "off",
            }
        )


def warm_up(plan: Plan, url_of: Callable[[str], str], n: int) -> None:
    """Sign on throwaway stores by the store, then by the app, a run's budget each, unmeasured.

    DynamoDB Local runs on the JVM, which needs a few seconds of work to compile its hot paths.
    """
    for index, path in enumerate(PATHS[:2]):
        with _util.fresh_store(url_of(f"bench-warm-up-{index}")) as store:
            runtime.configure(content=plan.content, store=store, settings=plan.settings)
            with signing_path(path, store, plan.slug, plan.limit, n, plan.budget) as measure:
                measure(1)
            runtime.reset()


def bench_store(label: str, url_of: Callable[[str], str], n: int, plan: Plan) -> dict[Any, float]:
    """Every path at every thread count, each on a fresh store at `url_of(name)`.

    Prints one row per run and returns the rates by (path, threads).
    """
    warm_up(plan, url_of, n)
    print(f"\n{label}: up to {n} signatures or {plan.budget:g} s per run, after a warm-up")
    print(f"  {'path':<24}{'threads':>8}{'signed':>8}{'sig/s':>8}{'× baseline':>12}{'µs/sig':>8}")
    rates: dict[Any, float] = {}
    for run, (threads, path) in enumerate(itertools.product(plan.threads, PATHS)):
        with _util.fresh_store(url_of(f"bench-run-{run}")) as store:
            runtime.configure(content=plan.content, store=store, settings=plan.settings)
            client = getattr(store, "client", None)  # a DynamoDB store's botocore client
            counter = _util.RequestCounter(client) if client else None
            with signing_path(path, store, plan.slug, plan.limit, n, plan.budget) as measure:
                if counter:
                    counter.reset()
                signed, seconds = measure(threads)
            counts = counter.snapshot() if counter else {}
            count_now(store, plan.content)  # downstream of signing, untimed
            tally = store.tally(plan.slug)
            runtime.reset()
        if tally.count != signed:  # every 201 must be a stored signature, counted once
            raise SystemExit(f"{label}, {path}: {signed} signed but {tally.count} counted")
        rates[path, threads] = rate = signed / seconds
        ratio = rate / rates[PATHS[0], threads]
        print(f"  {path:<24}{threads:>8}{signed:>8}{rate:>8.0f}{ratio:>11.2f}×{1e6 / rate:>8.0f}")
        if counter:
            totals = {"GetItem": "GetItem [the answers' count, at most 1 a second]"}
            print(f"      requests: {_util.describe_requests(counts, signed, totals)}")
    return rates


def main() -> None:
    """Parse options, run every benchmark, print figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--signatures", type=int, help="per run (default 2000 SQLite, 600 DynamoDB)"
    )
    parser.add_argument("--threads", default="1,8", help="client thread counts, comma-separated")
    parser.add_argument("--seconds", type=float, default=6.0, help="time budget of one run")
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=1_000_000,
        help="per address per minute: high, so the counter is written but never hit; 0 = off",
    )
    parser.add_argument("--skip-dynamodb", action="store_true", help="SQLite and imports only")
    parser.add_argument("--http-client", metavar="URL", help=argparse.SUPPRESS)  # over_http's
    args = parser.parse_args()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth": busy, not wrong
    threads = tuple(int(t) for t in args.threads.split(","))
    if args.http_client:
        signed, seconds = _util.post_json(
            args.http_client, signer, args.signatures, threads[0], args.seconds
        )
        print(json.dumps({"signed": signed, "seconds": seconds}))
        return
    content = load_content(ROOT / "content")
    plan = Plan(content, open_petition(content), args.rate_limit, threads, args.seconds)
    limit = f"{plan.limit}/min per address" if plan.limit else "off"
    print(f"Signing benchmark: example content, petition {plan.slug!r}, rate limit {limit},")
    print(f"{os.cpu_count()} CPUs; the app is called from every thread at once, as serve does")

    with tempfile.TemporaryDirectory(prefix="petition-bench-") as folder:
        sqlite = bench_store(
            "SQLite (WAL)", lambda name: f"sqlite:///{folder}/{name}.db",
            args.signatures or 2000, plan,
        )  # fmt: skip
    top = max(threads)
    print(
        f"  target: ≥ 500 sig/s from 8 threads; at {top} threads"
        f" HTTP {sqlite[PATHS[2], top]:.0f}, in-process {sqlite[PATHS[1], top]:.0f}"
    )
    if not args.skip_dynamodb:
        from tests.support.dynamodb_local import running

        with running() as endpoint:
            bench_store(
                "DynamoDB Local (in memory)",
                lambda name: f"dynamodb://{name}?region=us-east-1&endpoint_url={endpoint}",
                args.signatures or 600, plan,
            )  # fmt: skip
        print(
            "  target: exactly 1 write per new signature (TransactWriteItems with the rate"
            " counter, PutItem without), no read but the count's, at most 1 a second"
        )
    _util.print_import_times(IMPORTS, FUNCTIONS, ROOT)


if __name__ == "__main__":
    main()

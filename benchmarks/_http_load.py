"""Load without loss, at scale: many concurrent signers over HTTP, counted exactly
(`benchmarks/load.py --http`).

The load of tests/reliability/test_load.py with a larger default: distinct signers plus
5 % duplicates (the same email re-typed) and 2 % retries (a send abandoned before its answer,
then sent again), from keep-alive HTTP clients in this process. Two servers: `build.py serve`
on SQLite (a child process, as a developer runs it) and the same app in this process on the
DynamoDB store (DynamoDB Local, started here). Each is measured with `clients` clients and
with one client (the baseline, `baseline` signers) on fresh stores, and prints signatures/s,
requests/s, p50/p99 latency, the 5xx count, whether the count came out exact once counted
(downstream: serve's counter thread, or the table's stream drained here), and the rate as a
ratio to the one-client baseline of the same server in the same run.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from generator.content.loading import load_content
from generator.store.base import Store
from generator.store.dynamodb import DynamoStore
from generator.store.sqlite import SqliteStore
from tests.reliability.harness import LOAD_SLUG, make_site, serving
from tests.reliability.loadgen import LoadResult, plan, run_load
from tests.serve.launcher import start_serve
from tests.support.counting import count_now

Server = Callable[[Path], AbstractContextManager[tuple[str, Store]]]  # work folder -> URL, store
SETTLE_SECONDS = 30.0  # how long a count may take to catch up once the load is over


@contextmanager
def sqlite_serve(work: Path) -> Iterator[tuple[str, Store]]:
    """`build.py serve` over `work` on SQLite; yields its URL and its store."""
    server = start_serve(work, watch=False)
    store = SqliteStore(work / "signatures.db")
    try:
        yield server.url, store
    finally:
        status = server.interrupt(timeout=30)  # Ctrl-C; a busy machine may take a while
        store.close()
    if status != 0:
        raise SystemExit(f"serve exited with {status}:\n{server.output}")


def dynamodb_app(endpoint: str) -> Server:
    """The app in this process on a fresh table of the DynamoDB Local at `endpoint`."""

    @contextmanager
    def start(work: Path) -> Iterator[tuple[str, Store]]:
        table = f"load-{uuid.uuid4().hex[:12]}"
        store = DynamoStore(table, region="us-east-1", endpoint_url=endpoint)
        store.init()
        try:
            with serving(work, store) as site:
                yield site.url, store
        finally:
            store.client.delete_table(TableName=table)
            store.close()

    return start


def settled_count(store: Store, work: Path, expected: int) -> int:
    """The petition's count once counting has caught up (or SETTLE_SECONDS have passed).

    serve counts on a thread of its own; for a DynamoDB store the table's stream is drained
    here, through the one reader tests/support/counting.py keeps per store."""
    deadline = time.monotonic() + SETTLE_SECONDS
    content = load_content(work / "content") if isinstance(store, DynamoStore) else None
    while True:
        if content is not None:
            count_now(store, content)
        count = store.tally(LOAD_SLUG).count
        if count == expected or time.monotonic() > deadline:
            return count
        time.sleep(0.2)


def measure(server: Server, signers: int, clients: int) -> tuple[LoadResult, bool]:
    """One load run on a fresh site and store; the clients' results and whether it was exact."""
    jobs = plan(signers, duplicates=signers // 20, retries=signers // 50)
    with (
        tempfile.TemporaryDirectory(prefix="load-bench-") as folder,
        server(make_site(Path(folder) / "site")) as (url, store),
    ):
        result = run_load(url, LOAD_SLUG, jobs, clients)
        emails = {s.email.strip().lower() for s in store.signatures(LOAD_SLUG)}
        exact = (
            settled_count(store, Path(folder) / "site", signers) == len(emails) == signers
            and result.acknowledged == set(range(signers))
            and not result.unfinished
        )
    return result, exact


def report(
    label: str, clients: int, signers: int, result: LoadResult, exact: bool, base: float
) -> float:
    """Print one table row; returns the signatures per second."""
    rate = signers / result.seconds
    print(
        f"| {label:<22} | {clients:>7} | {result.requests:>8} | {rate:>8.0f} "
        f"| {result.requests / result.seconds:>8.0f} | {result.percentile(50) * 1000:>6.1f} "
        f"| {result.percentile(99) * 1000:>6.1f} | {result.server_errors:>3} "
        f"| {'yes' if exact else 'NO':>5} | {rate / base if base else 1.0:>6.2f}× |",
        flush=True,
    )
    return rate


def run(label: str, server: Server, signers: int, clients: int, baseline: int) -> bool:
    """The baseline (one client) and the loaded run of one server; True when both were exact."""
    one, one_exact = measure(server, baseline, 1)
    base = report(label, 1, baseline, one, one_exact, 0.0)
    many, many_exact = measure(server, signers, clients)
    report(label, clients, signers, many, many_exact, base)
    return one_exact and many_exact and one.server_errors == many.server_errors == 0


def http_load(signers: int, clients: int, baseline: int, skip_dynamodb: bool) -> int:
    """Run the HTTP load benchmark and print its table; 1 if any count was not exact."""
    from tests.support.dynamodb_local import running

    print(
        f"{signers} signers (+5 % duplicates, +2 % abandoned and resent) from "
        f"{clients} clients; baseline: {baseline} signers from 1 client\n"
    )
    print(
        "| server                 | clients | requests |  sig/s   |  req/s   | p50 ms "
        "| p99 ms | 5xx | exact | vs 1 client |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    ok = run("SQLite, build.py serve", sqlite_serve, signers, clients, baseline)
    if not skip_dynamodb:
        with running() as endpoint:
            ok &= run("DynamoDB Local, app", dynamodb_app(endpoint), signers, clients, baseline)
    return 0 if ok else 1

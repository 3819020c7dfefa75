"""Load without loss, at scale: many concurrent signers over HTTP, counted exactly.

    .venv/bin/python benchmarks/load.py [--signatures 10000] [--clients 50]
                                        [--baseline 1000] [--skip-dynamodb]

The load of tests/reliability/test_load.py with a larger default: distinct signers plus
5 % duplicates (the same email re-typed) and 2 % retries (a send abandoned before its answer,
then sent again), from keep-alive HTTP clients in this process. Two servers: `build.py serve`
on SQLite (a child process, as a developer runs it) and the same app in this process on the
DynamoDB store (DynamoDB Local, started here). Each is measured with `--clients` clients
and with one client (the baseline, `--baseline` signers) on fresh stores, and prints
signatures/s, requests/s, p50/p99 latency, the 5xx count, whether the count came out exact,
and the rate as a ratio to the one-client baseline of the same server in the same run.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

# Never let botocore look for real credentials or the EC2 metadata service.
os.environ.update(
    AWS_EC2_METADATA_DISABLED="true",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.store.base import Store  # noqa: E402
from generator.store.dynamodb import DynamoStore  # noqa: E402
from generator.store.sqlite import SqliteStore  # noqa: E402
from tests.reliability.harness import LOAD_SLUG, make_site, serving  # noqa: E402
from tests.reliability.loadgen import LoadResult, plan, run_load  # noqa: E402
from tests.serve.launcher import start_serve  # noqa: E402
from tests.support.dynamodb_local import running  # noqa: E402

Server = Callable[[Path], AbstractContextManager[tuple[str, Store]]]  # work folder -> URL, store


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
            store.tally(LOAD_SLUG).count == len(emails) == signers
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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table; exit status 1 if any count was not exact."""
    # Started in the background, a shell ignores Ctrl-C for us and so for serve, which then
    # could not be stopped: a handler of our own is reset to the default in each child.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatures", type=int, default=10_000, help="distinct signers")
    parser.add_argument("--clients", type=int, default=50, help="concurrent HTTP clients")
    parser.add_argument("--baseline", type=int, default=1000, help="signers of the 1-client run")
    parser.add_argument("--skip-dynamodb", action="store_true", help="SQLite through serve only")
    args = parser.parse_args(argv)
    print(
        f"{args.signatures} signers (+5 % duplicates, +2 % abandoned and resent) from "
        f"{args.clients} clients; baseline: {args.baseline} signers from 1 client\n"
    )
    print(
        "| server                 | clients | requests |  sig/s   |  req/s   | p50 ms "
        "| p99 ms | 5xx | exact | vs 1 client |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    ok = run("SQLite, build.py serve", sqlite_serve, args.signatures, args.clients, args.baseline)
    if not args.skip_dynamodb:
        with running() as endpoint:
            server = dynamodb_app(endpoint)
            ok &= run("DynamoDB Local, app", server, args.signatures, args.clients, args.baseline)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The signing path before and after counting moved downstream, on one DynamoDB Local.

    .venv/bin/python benchmarks/load.py [--signatures 600] [--clients 1,8,32]
    .venv/bin/python benchmarks/load.py --http [--signatures 10000] [--clients 50]
                                        [--baseline 1000] [--skip-dynamodb]

Three ways of storing one new signature, each timed on a fresh table of the same DynamoDB
Local, with the same signers, from 1, 8 and 32 client threads:

- before (the baseline): the request path as it was (commit 202dfb1), re-implemented here: a
  TransactWriteItems of the signature's Put (attribute_not_exists), an ADD on one of 10 count
  shards and the client's rate counter, retried on TransactionConflict as the store did,
  then a strongly consistent BatchGetItem of the 10 shards and the milestones item;
- after: `DynamoStore.sign(signature)`, one conditional PutItem (rate limits at the edge);
- after + rate: `DynamoStore.sign(signature, rate)`, a TransactWriteItems of the put and the
  client's rate counter (the in-store limit the local server keeps).

Each prints signatures/s, p50/p99 latency of one signature, transactions cancelled by a
TransactionConflict (and signatures given up after the store's retries), and rates and
p50 as ratios to the baseline at the same thread count. Client threads share one botocore
client (32 connections) in this process: on a small machine the clients and the server
share the CPUs, so compare ratios, not absolute rates.

`--http` runs the other load benchmark instead: many signers over HTTP through `serve`
(SQLite) and the app (DynamoDB Local), duplicates and retries included, counted exactly
(benchmarks/_http_load.py).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]

import _util  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from generator.errors import StoreError  # noqa: E402
from generator.signing.signer import email_key, rate_key  # noqa: E402
from generator.store import dynamodb_items as items  # noqa: E402
from generator.store.base import RateLimit, Signature  # noqa: E402
from generator.store.dynamodb import DynamoStore  # noqa: E402
from generator.store.dynamodb_errors import CHECK_FAILED, code_of, reasons_of  # noqa: E402
from generator.store.retry import Retry, retrying  # noqa: E402
from generator.store.times import utc_now  # noqa: E402

SLUG = "load-bench"
SECRET = b"benchmark-secret-not-for-production"
OLD_SHARDS = 10  # count shards of the old design
RATE_LIMIT = 1_000_000  # per address per minute: the counter is written, never hit
PATHS = ("before: transaction + read", "after: PutItem", "after + rate: transaction")
Sign = Callable[[DynamoStore, Signature, RateLimit], None]


def old_sign(store: DynamoStore, signature: Signature, rate: RateLimit) -> None:
    """The request path before counting moved downstream: one transaction (signature, a
    random count shard, the rate counter), retried on conflict, then the tally read back."""
    shard = random.randrange(OLD_SHARDS)  # chosen once: every retry repeats the same write
    parts: list[Any] = [
        {
            "Put": {
                "TableName": store.table,
                "Item": items.signature_item(signature),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
        {
            "Update": {
                "TableName": store.table,
                "Key": items.key(f"count#{signature.slug}#{shard}", items.COUNT_SK),
                "UpdateExpression": "ADD n :n SET slug = :slug",
                "ExpressionAttributeValues": {":n": {"N": "1"}, ":slug": {"S": signature.slug}},
            }
        },
        items.rate_update(store.table, rate, utc_now()),
    ]
    token = uuid.uuid4().hex

    def attempt() -> bool:
        try:
            store.client.transact_write_items(TransactItems=parts, ClientRequestToken=token)
        except ClientError as exc:
            reasons = reasons_of(exc) if code_of(exc) == "TransactionCanceledException" else []
            if reasons[:1] == [CHECK_FAILED]:
                return False  # a duplicate
            if "TransactionConflict" in reasons or code_of(exc) == "ThrottlingException":
                raise Retry("TransactionConflict") from exc
            raise
        return True

    retrying(attempt, store.backoff, f"DynamoDB table {store.table!r}: store a signature")
    keys = [items.key(f"count#{signature.slug}#{i}", items.COUNT_SK) for i in range(OLD_SHARDS)]
    keys.append(items.key(f"ms#{signature.slug}", "ms"))
    store.api.get_items(keys, "read the tally")


def new_sign(store: DynamoStore, signature: Signature, rate: RateLimit) -> None:
    """The request path now: one conditional PutItem."""
    if not store.sign(signature).added:
        raise RuntimeError("a new signer was taken for a duplicate")


def new_sign_rated(store: DynamoStore, signature: Signature, rate: RateLimit) -> None:
    """The request path now with the in-store rate limit: the put and the rate counter."""
    if not store.sign(signature, rate).added:
        raise RuntimeError("a new signer was taken for a duplicate")


SIGNERS: dict[str, Sign] = dict(zip(PATHS, (old_sign, new_sign, new_sign_rated), strict=True))


class Cancellations:
    """TransactWriteItems calls cancelled, by reason, as the client's answers show them."""

    def __init__(self, store: DynamoStore) -> None:
        self.reasons: Counter[str] = Counter()
        self._lock = threading.Lock()
        store.client.meta.events.register("after-call.dynamodb.TransactWriteItems", self._seen)

    def _seen(self, parsed: dict[str, Any], **_: Any) -> None:
        if parsed.get("Error", {}).get("Code") != "TransactionCanceledException":
            return
        codes = {r.get("Code", "None") for r in parsed.get("CancellationReasons", [])} - {"None"}
        with self._lock:
            self.reasons.update(codes or {"unknown"})


@dataclass
class Run:
    """One timed run: what was signed, how long each took, what went wrong."""

    signed: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    conflicts: int = 0  # transactions cancelled by TransactionConflict
    gave_up: int = 0  # signatures that failed after the store's retries

    @property
    def rate(self) -> float:
        return self.signed / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Milliseconds within which p % of the signatures were stored."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def signatures(n: int) -> list[tuple[Signature, RateLimit]]:
    """n distinct signers, each from an address of its own (no rate counter is shared)."""
    now = datetime.now(UTC)
    made = []
    for i in range(n):
        email = f"signer{i}@bench.example.org"
        signature = Signature(SLUG, email_key(SECRET, email), f"Bench Signer {i}", email,
                              signed_at=now, postcode="6011", consent=True)  # fmt: skip
        address = f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"
        rate = RateLimit(rate_key(SECRET, address), RATE_LIMIT)
        made.append((signature, rate))
    return made


@contextmanager
def fresh_table(endpoint: str) -> Iterator[DynamoStore]:
    """A new table (as the store makes it: export index, stream, TTL), deleted afterwards."""
    store = DynamoStore(f"load-{uuid.uuid4().hex[:12]}", region="us-east-1", endpoint_url=endpoint)
    store.init()
    try:
        yield store
    finally:
        store.client.delete_table(TableName=store.table)
        store.close()


def timed_run(endpoint: str, path: str, n: int, clients: int) -> Run:
    """n signatures along `path` from `clients` threads, on a fresh table."""
    sign = SIGNERS[path]
    ready = signatures(n)
    run = Run()
    lock = threading.Lock()
    with fresh_table(endpoint) as store:
        cancelled = Cancellations(store)

        def one(i: int) -> None:
            started = time.perf_counter()
            try:
                sign(store, *ready[i])
            except StoreError:
                with lock:
                    run.gave_up += 1
                return
            with lock:
                run.latencies.append(time.perf_counter() - started)

        done, run.seconds = _util.timed(n, clients, one)
        run.signed = done - run.gave_up
        run.conflicts = cancelled.reasons["TransactionConflict"]
    return run


def compare(endpoint: str, n: int, clients: tuple[int, ...]) -> tuple[bool, int]:
    """Every path at every thread count; prints the table. Whether no signature was given
    up, and how many conflicts the baseline met."""
    for path in PATHS:  # the JVM compiles its hot paths in the first seconds: unmeasured
        timed_run(endpoint, path, min(n, 300), max(clients))
    print(f"{n} new signatures per run, fresh table each, after a warm-up; 'before' = 1×\n")
    print("| path | clients | signed | sig/s | p50 ms | p99 ms | conflicts | gave up "
          "| sig/s × before | p50 × before |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    ok, conflicts = True, 0
    for threads in clients:
        base: Run | None = None
        for path in PATHS:
            run = timed_run(endpoint, path, n, threads)
            base = base or run
            ok &= run.gave_up == 0
            conflicts += run.conflicts if path == PATHS[0] else 0
            print(
                f"| {path} | {threads} | {run.signed} | {run.rate:.0f} "
                f"| {run.percentile(50):.1f} | {run.percentile(99):.1f} | {run.conflicts} "
                f"| {run.gave_up} | {run.rate / base.rate:.2f}× "
                f"| {run.percentile(50) / base.percentile(50):.2f}× |",
                flush=True,
            )
    return ok, conflicts


def main(argv: list[str] | None = None) -> int:
    """Run the comparison (or, with --http, the HTTP load benchmark) and print its table."""
    # Started in the background, a shell ignores Ctrl-C for us and so for serve, which then
    # could not be stopped: a handler of our own is reset to the default in each child.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[5:]),
    )  # fmt: skip
    parser.add_argument("--signatures", type=int, help="per run (default 600; --http: 10000)")
    parser.add_argument(
        "--clients", help="client threads, comma-separated (default 1,8,32; --http: 50)"
    )
    parser.add_argument(
        "--http", action="store_true", help="the HTTP load benchmark (serve and the app)"
    )
    parser.add_argument("--baseline", type=int, default=1000, help="--http: 1-client signers")
    parser.add_argument("--skip-dynamodb", action="store_true", help="--http: SQLite only")
    args = parser.parse_args(argv)
    if args.http:
        from _http_load import http_load

        clients = int((args.clients or "50").split(",")[-1])
        return http_load(args.signatures or 10_000, clients, args.baseline, args.skip_dynamodb)
    clients = tuple(int(c) for c in (args.clients or "1,8,32").split(","))
    from tests.support.dynamodb_local import running

    print(f"Signing path before and after, on DynamoDB Local; {os.cpu_count()} CPUs\n")
    with running() as endpoint:
        ok, conflicts = compare(endpoint, args.signatures or 600, clients)
    print(
        "\nconflicts: TransactWriteItems cancelled by TransactionConflict (then retried);"
        "\ngave up: signatures that still failed after the store's retries (6 tries, 5 s)."
    )
    if not conflicts:
        print(
            "DynamoDB Local cancelled no transaction for a conflict: it runs them one at a"
            "\ntime. DynamoDB cancels concurrent transactions on one item (10 count shards"
            "\nhere), so there the baseline loses retries and tries on top of these figures."
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""What a petition's public log costs: building, appending and auditing its tiles.

    .venv/bin/python benchmarks/log.py [--leaves 1000000] [--batch 1000] [--steady 20]

Leaves are made up front, untimed, as the counter makes them (generator.log.leaves.leaf_for:
a random signature id hashed under an id key, times a second or so apart, a text version of
12 hex digits). Then, in this process, each of:

- baseline: SHA-256 of each encoded leaf alone (hashlib), the least any Merkle tree over
  them must cost;
- whole tree: every tile and entry bundle of the log in one go (generator.log.tiles.whole);
- appended in batches: `--batch` leaves at a time through generator.log.append.append, as
  the counter appends them: the last checkpoint and a reader of the files published so far
  (a dict in memory), each checkpoint signed (Ed25519), every file returned published;
- audit: generator.log.verify.verify_log over the published files, as an auditor runs it;
- one more batch: a batch appended to the log of all the leaves (the median of `--steady`),
  what each batch costs when a petition is already large and a spike brings more.

Each row's ratio to the baseline is its seconds per leaf over the baseline's. "published B/leaf" is
the bytes of tiles and entry bundles the row wrote (or, for the audit, read) per leaf,
partial tiles that a later batch replaced included. The batched log must end with the same
tree head and files as the whole tree, and the audit must count every leaf.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.errors import LogError  # noqa: E402
from generator.log.append import Appended, append, origin  # noqa: E402
from generator.log.leaves import Kind, Leaf, encode, leaf_for  # noqa: E402
from generator.log.note import Checkpoint, Signer  # noqa: E402
from generator.log.tiles import CHECKPOINT, whole  # noqa: E402
from generator.log.verify import verify_log  # noqa: E402

ORIGIN = origin("https://petitions.example.org", "benchmark-petition")
VERSIONS = ("3f9a1c0d2b7e", "a41c9e07d35b")  # the text as first published, then as edited
T = TypeVar("T")


def make_leaves(n: int, seed: int) -> list[Leaf]:
    """n addition leaves, as the counter makes them, the same for the same seed."""
    rng = random.Random(seed)
    id_key = rng.randbytes(32)
    at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    leaves = []
    for i in range(n):
        at += timedelta(seconds=rng.randint(0, 2))
        version = VERSIONS[int(i * 5 >= n * 4)]  # the text edited four fifths of the way in
        leaves.append(leaf_for(Kind.ADD, rng.randbytes(32).hex(), at, version, id_key))
    return leaves


def clocked(work: Callable[[], T]) -> tuple[T, float]:
    """What work() returns and the seconds it took."""
    started = time.perf_counter()
    answer = work()
    return answer, time.perf_counter() - started


def published_bytes(files: dict[str, bytes]) -> int:
    """The bytes of a log's tiles and entry bundles (its checkpoint left out)."""
    return sum(len(data) for path, data in files.items() if path != CHECKPOINT)


class Published:
    """A log's published files, in memory, with the bytes written to and read from them."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.written = self.read = 0
        self.last: Checkpoint | None = None

    def fetch(self, path: str) -> bytes:
        """A published file (generator.log.tiles.Fetch)."""
        try:
            data = self.files[path]
        except KeyError:
            raise LogError(path, "is not published") from None
        self.read += len(data) if path != CHECKPOINT else 0
        return data

    def append(self, signer: Signer, batch: Sequence[Leaf]) -> Appended:
        """Append a batch as the counter does, and publish what it returns."""
        appended = append(ORIGIN, signer, batch, self.last, self.fetch)
        self.files.update(appended.files)
        self.written += published_bytes(appended.files)
        self.last = appended.checkpoint
        return appended


def batches(leaves: Sequence[Leaf], size: int) -> list[Sequence[Leaf]]:
    """The leaves cut into batches of `size` (the last maybe shorter)."""
    return [leaves[i : i + size] for i in range(0, len(leaves), size)]


def main(argv: list[str] | None = None) -> int:
    """Time each way of making and checking the log; print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[4:]),
    )  # fmt: skip
    parser.add_argument("--leaves", type=int, default=1_000_000, help="leaves in the log")
    parser.add_argument("--batch", type=int, default=1000, help="leaves appended at once")
    parser.add_argument("--steady", type=int, default=20, help="batches timed on the full log")
    parser.add_argument("--seed", type=int, default=6962)
    args = parser.parse_args(argv)
    n, size = args.leaves, args.batch
    if n < 1 or size < 1 or args.steady < 1:
        parser.error("--leaves, --batch and --steady must be at least 1")

    leaves, made = clocked(lambda: make_leaves(n + args.steady * size, args.seed))
    log_leaves, more = leaves[:n], leaves[n:]
    encoded = [encode(leaf) for leaf in log_leaves]
    signer = Signer.generate("petitions.example.org")
    print(f"Public log of {n:,} leaves ({sum(map(len, encoded)) / n:.0f} bytes each), batches")
    print(f"of {size:,}; {os.cpu_count()} CPUs; leaves made in {made:.1f} s, untimed\n")

    rows: list[tuple[str, int, float, float]] = []  # what, leaves, seconds, bytes written

    def sha256_each() -> None:
        for data in encoded:
            hashlib.sha256(data).digest()

    _, seconds = clocked(sha256_each)
    rows.append(("baseline: SHA-256 of each leaf", n, seconds, 0))
    tree, seconds = clocked(lambda: whole(encoded))
    rows.append(("whole tree in one go", n, seconds, published_bytes(tree.files)))

    log = Published()
    times = []
    for batch in batches(log_leaves, size):
        _, seconds = clocked(lambda batch=batch: log.append(signer, batch))
        times.append(seconds)
    rows.append((f"appended in batches of {size:,}", n, sum(times), log.written))
    same = log.last is not None and log.last.head == tree.head
    if not same or not tree.files.items() <= log.files.items():
        raise SystemExit("the batched log and the whole tree differ")

    published = len(log.files) - 1  # the checkpoint left out
    log.read = 0
    audit, seconds = clocked(lambda: verify_log(log.fetch, signer.verifier))
    rows.append(("audit: verify_log (B read)", n, seconds, log.read))
    if audit.tallies.additions != n or audit.checkpoint != log.last:
        raise SystemExit(f"the audit counted {audit.tallies.additions} of {n} leaves")

    steady = []
    written = log.written
    for batch in batches(more, size):
        _, seconds = clocked(lambda batch=batch: log.append(signer, batch))
        steady.append(seconds)
    rows.append((f"one more batch at {n:,} (median)", size, statistics.median(steady),
                 (log.written - written) / len(steady)))  # fmt: skip

    per_leaf = rows[0][2] / n
    print("| what | leaves | seconds | × baseline | leaves/s | published B/leaf |")
    print("|---|---|---|---|---|---|")
    for what, count, seconds, written in rows:
        ratio = seconds / count / per_leaf
        bytes_per_leaf = f"{written / count:.1f}" if written else "—"
        print(f"| {what} | {count:,} | {seconds:.4f} | {ratio:.2f}× "
              f"| {count / seconds:,.0f} | {bytes_per_leaf} |")  # fmt: skip
    print(
        f"\nbatches: {len(times)}, p50 {statistics.median(times) * 1000:.1f} ms,"
        f" max {max(times) * 1000:.1f} ms each (reading the edge back, signing the checkpoint)"
    )
    print(f"files: {len(tree.files):,} in the whole tree, {published:,} published by"
          f" the batches (partial tiles later widened included), + the checkpoint")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

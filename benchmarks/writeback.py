"""How soon a milestone reaches the page on disk after the signature that crossed it.

    .venv/bin/python benchmarks/writeback.py [--runs 5] [--filler 0]

Starts `build.py serve` as a child process (as a developer runs it) over a temporary copy
of the example content plus one petition per run that is one signature short of its first
milestone (and `--filler` more ordinary petitions, to see how the count pages scale). Per
run it signs ordinary petitions (the baseline: a signature's response time), then signs the
petition across its milestone and polls its page in the served folder until the page shows
"10 signatures reached". Prints medians, each as a ratio to the baseline measured in the
same run; the first write-back (templates not yet compiled) is shown on its own.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "nz-stand-against-chechnya-death-camps"
MARK = b"10 signatures reached"
POLL = 0.0005  # seconds between looks at the page (the resolution of the figure)
TIMEOUT = 30.0
WARM_UP = 5  # signatures before anything is timed
BASELINE_SAMPLES = 5  # ordinary signatures per run

PETITION = """\
---
title: Benchmark petition {n}
target: The Benchmark Council
ask: Please reach the first milestone while the clock runs ({n}).
created: 2024-05-01T09:00:00+12:00
milestones: [10, 25]
imported:
  count: {count}
---
A petition of the write-back benchmark.
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post_signature(port: int, slug: str, n: int) -> tuple[float, dict[str, object]]:
    """Sign `slug` as signer number n; the response time in seconds and the JSON answer."""
    body = json.dumps({"name": f"Bench Signer {n}", "email": f"bench{n}@example.org"})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        started = time.perf_counter()
        conn.request(
            "POST", f"/api/petitions/{slug}/signatures", body, {"Content-Type": "application/json"}
        )
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
    finally:
        conn.close()
    if response.status != 201:
        raise SystemExit(f"signing {slug} answered {response.status}: {data[:300]!r}")
    return elapsed, json.loads(data)


def wait_for_page(page: Path, since: float) -> float:
    """Seconds from `since` (a perf_counter time) until the page on disk shows the milestone."""
    deadline = since + TIMEOUT
    while time.perf_counter() < deadline:
        try:
            if MARK in page.read_bytes():
                return time.perf_counter() - since
        except FileNotFoundError:
            pass  # between the build's swap and the next look
        time.sleep(POLL)
    raise SystemExit(f"{page} did not show the milestone within {TIMEOUT} s")


def write_content(work: Path, runs: int, filler: int) -> list[str]:
    """The example content plus the benchmark's petitions; returns the slugs to cross."""
    shutil.copytree(ROOT / "content", work / "content")
    shutil.copytree(ROOT / "templates", work / "templates")
    folder = work / "content" / "petitions"
    slugs = [f"bench-milestone-{n}" for n in range(runs + 1)]  # the first one is the warm-up
    for n, slug in enumerate(slugs):
        (folder / f"{slug}.md").write_text(PETITION.format(n=n, count=9))
    for n in range(filler):
        (folder / f"bench-filler-{n}.md").write_text(PETITION.format(n=f"filler {n}", count=3))
    return slugs


def start_serve(work: Path, port: int) -> subprocess.Popen[bytes]:
    """`build.py serve` over `work`, once it answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PETITION_")}
    env.update(PETITION_SECRET="writeback-benchmark-secret", PETITION_RATE_LIMIT="0")
    command = [
        sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port), "--no-watch",
        "--store", f"sqlite:///{work / 'signatures.db'}", "--content", "content",
        "--templates", "templates", "--out", "out", "--cache", "cache",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"serve exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("serve did not start within 30 s")


def cross(port: int, out: Path, slug: str, signer: int) -> tuple[float, float]:
    """Sign `slug` across its milestone: (response seconds, seconds until the page shows it)."""
    response_time, answer = post_signature(port, slug, signer)
    received = time.perf_counter()
    if not answer.get("milestone"):
        raise SystemExit(f"signing {slug} reached no milestone: {answer}")
    return response_time, wait_for_page(out / "petitions" / slug / "index.html", received)


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="milestones crossed (default 5)")
    parser.add_argument("--filler", type=int, default=0, help="extra petitions (default 0)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="writeback-bench-") as tmp:
        work = Path(tmp)
        slugs = write_content(work, args.runs, args.filler)
        port = free_port()
        process = start_serve(work, port)
        try:
            signer = 0
            baseline, crossing, on_disk = [], [], []
            cold = cross(port, work / "out", slugs[0], signer := signer + 1)
            for _ in range(WARM_UP):
                post_signature(port, EXAMPLE, signer := signer + 1)
            for slug in slugs[1:]:
                for _ in range(BASELINE_SAMPLES):
                    baseline.append(post_signature(port, EXAMPLE, signer := signer + 1)[0])
                response_time, latency = cross(port, work / "out", slug, signer := signer + 1)
                crossing.append(response_time)
                on_disk.append(latency)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(10)

    base = statistics.median(baseline)
    petitions = len(slugs) + args.filler + 4
    print(f"write-back latency: serve on loopback, {args.runs} runs, {petitions} petitions")
    rows = [
        ("signature response, no milestone (baseline)", base),
        ("signature response, crossing a milestone", statistics.median(crossing)),
        ("response -> milestone on the page on disk", statistics.median(on_disk)),
        ("  first write-back (cold), response -> page", cold[1]),
    ]
    for label, seconds in rows:
        print(f"{label:<46} {seconds * 1000:8.1f} ms  {seconds / base:6.1f}x")
    print(f"on-disk latency over runs (ms): {', '.join(f'{s * 1000:.1f}' for s in on_disk)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Measuring helpers for the benchmark scripts: thread timing, stores, requests, imports."""

from __future__ import annotations

import http.client
import json
import math
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def timed(
    n: int, threads: int, one: Callable[[int], None], budget: float = math.inf
) -> tuple[int, float]:
    """How many calls and seconds it took `threads` threads to call one(i) for i in range(n).

    The threads share the i between them and stop early once `budget` seconds have passed.
    The clock starts when every thread is ready; the first failure ends the script.
    """
    start = threading.Barrier(threads + 1)
    failures: list[Exception] = []
    done = [0] * threads

    def work(k: int) -> None:
        start.wait()
        deadline = time.perf_counter() + budget
        try:
            for i in range(k, n, threads):
                if time.perf_counter() > deadline:
                    break
                one(i)
                done[k] += 1
        except Exception as error:  # reported by the main thread below
            failures.append(error)

    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - began
    if failures:
        raise SystemExit(f"a timed call failed: {failures[0]!r}")
    return sum(done), seconds


class RequestCounter:
    """HTTP requests (every attempt) and API calls a botocore client sends, by operation."""

    def __init__(self, client: Any, service: str = "dynamodb"):
        self.requests: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        client.meta.events.register(f"before-send.{service}", self._request)
        client.meta.events.register(f"before-call.{service}", self._call)

    def _request(self, event_name: str, **_: Any) -> None:
        self.requests[event_name.rsplit(".", 1)[-1]] += 1

    def _call(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """(requests, calls) by operation, counted since the last reset."""
        return {op: (count, self.calls[op]) for op, count in self.requests.items()}

    def reset(self) -> None:
        """Forget what was counted so far."""
        self.requests.clear()
        self.calls.clear()


@contextmanager
def fresh_store(url: str) -> Iterator[Any]:
    """The initialised store a URL names (generator.store.open_store), closed after the block."""
    from generator.store import open_store  # the caller has put the repository on sys.path

    store = open_store(url)
    store.init()
    try:
        yield store
    finally:
        store.close()


def describe_requests(
    counts: dict[str, tuple[int, int]], n: int, as_totals: dict[str, str] | None = None
) -> str:
    """Requests per operation per unit of work (of n); operations in `as_totals` in all.

    `as_totals` maps an operation to the label its total is shown with.
    """
    parts = []
    for op, (requests, calls) in sorted(counts.items()):
        retries = f" ({requests - calls} SDK retries)" if requests > calls else ""
        if as_totals and op in as_totals:
            parts.append(f"{as_totals[op]} {requests} in all{retries}")
        else:
            parts.append(f"{op} {requests / n:.3f} each{retries}")
    return ", ".join(parts)


def post_json(
    url: str, body: Callable[[int], Any], n: int, threads: int, budget: float = math.inf
) -> tuple[int, float]:
    """timed() POSTs of body(i) as JSON to `url`, one keep-alive connection a thread.

    Every answer must be 201 Created; anything else ends the script.
    """
    parts = urlsplit(url)
    local = threading.local()
    headers = {"Content-Type": "application/json"}

    def one(i: int) -> None:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        local.conn.request("POST", parts.path, json.dumps(body(i)), headers)
        response = local.conn.getresponse()
        answer = response.read()
        if response.status != 201:
            raise RuntimeError(f"status {response.status}: {answer[:200]!r}")

    return timed(n, threads, one, budget)


def import_ms(module: str, cwd: Path, pythonpath: Path, repeat: int = 5) -> float:
    """Median milliseconds `import module` takes in a fresh process (python -X importtime).

    The figure is the cumulative time of the module's top-level line, so what the
    interpreter imports at start-up anyway is not counted.
    """
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    command = [sys.executable, "-X", "importtime", "-c", f"import {module}"]
    samples = []
    for _ in range(repeat):
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"`import {module}` failed:\n{done.stderr[-2000:]}")
        for line in done.stderr.splitlines():
            fields = line.split("|")
            if len(fields) == 3 and fields[2].rstrip() == f" {module}":  # top level: no indent
                samples.append(int(fields[1]) / 1000)
    if len(samples) != repeat:
        raise SystemExit(f"python -X importtime printed no top-level line for {module!r}")
    return statistics.median(samples)


def print_import_times(modules: dict[str, str], cwd: Path, pythonpath: Path) -> None:
    """Print import_ms of each module (with its note), as a ratio to the first one's."""
    times = {module: import_ms(module, cwd, pythonpath) for module in modules}
    first = next(iter(times.values()))
    print("\nImport time (python -X importtime in fresh processes, median of 5)")
    for module, ms in times.items():
        print(f"  import {module:<10}{ms:8.1f} ms  {ms / first:5.2f}×  ({modules[module]})")

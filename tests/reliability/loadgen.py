"""Many supporters signing at once over HTTP, as browsers' scripts would: the load driver.

A plan is a shuffled list of jobs: every distinct signer once, some signers again (the same
email in another case or with spaces: a duplicate), and some jobs that give up waiting for
the answer and send the same request again (a retry after a client-side timeout). Client
threads share the jobs; each keeps one keep-alive connection. An answer of 503, 429 or a
broken connection is retried (after a short wait) until it is 201 or the job runs out of
tries. Shared by tests/reliability and benchmarks/load.py.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

RETRYABLE = frozenset({429, 503})
TAKEN = frozenset({201, 202})  # counted at once, or pending until the email is confirmed
NO_ANSWER = 0  # the status recorded when the connection broke or timed out


@dataclass(frozen=True)
class Job:
    """One signing attempt: signer `number`, `email` as typed, and whether to abandon it once."""

    number: int
    email: str
    abandon_first: bool = False


def email_of(number: int) -> str:
    """Signer `number`'s email as stored after normalising (trimmed, lower case)."""
    return f"signer{number}@load.example.org"


def plan(signers: int, duplicates: int = 0, retries: int = 0, seed: int = 2017) -> list[Job]:
    """`signers` distinct signers, `duplicates` repeat signatures, `retries` abandoned sends.

    Duplicates re-type an earlier signer's email (other case, spaces); retries are jobs
    whose first send is abandoned before the answer comes and then sent again.
    """
    rng = random.Random(seed)
    jobs = [Job(n, email_of(n)) for n in range(signers)]
    for _ in range(duplicates):
        n = rng.randrange(signers)
        jobs.append(Job(n, f"  {email_of(n).upper()} "))
    abandon = set(rng.sample(range(len(jobs)), min(retries, len(jobs))))
    jobs = [Job(j.number, j.email, i in abandon) for i, j in enumerate(jobs)]
    rng.shuffle(jobs)
    return jobs


@dataclass
class LoadResult:
    """Every answer the clients got, the signers acknowledged with 201, and the wall time."""

    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests only
    acknowledged: set[int] = field(default_factory=set)  # signer numbers answered 201
    unfinished: list[int] = field(default_factory=list)  # jobs that ran out of tries
    abandoned: int = 0
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        """Requests sent, answered or not."""
        return sum(self.statuses.values()) + self.abandoned

    @property
    def server_errors(self) -> int:
        """Answers with a 5xx status."""
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def percentile(self, p: float) -> float:
        """The p-th percentile (0-100) of the answered requests' latency, in seconds."""
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1]

    def merge(self, other: LoadResult) -> None:
        """Add another client's results to these."""
        self.statuses.update(other.statuses)
        self.latencies += other.latencies
        self.acknowledged |= other.acknowledged
        self.unfinished += other.unfinished
        self.abandoned += other.abandoned


class _Client:
    """One supporter's browser: a keep-alive connection, reopened when it breaks."""

    def __init__(self, url: str, slug: str, timeout: float, pause: float, tries: int):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.path = f"{parts.path.rstrip('/')}/api/petitions/{slug}/signatures"
        self.timeout, self.pause, self.tries = timeout, pause, tries
        self.conn: http.client.HTTPConnection | None = None
        self.result = LoadResult()

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _send(self, body: bytes) -> int:
        headers = {"Content-Type": "application/json"}
        started = time.perf_counter()
        try:
            conn = self._connection()
            conn.request("POST", self.path, body, headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            self._drop()
            return NO_ANSWER
        self.result.latencies.append(time.perf_counter() - started)
        if response.will_close:
            self._drop()
        return response.status

    def _abandon(self, body: bytes) -> None:
        """Send the request and hang up before the answer, as a client that timed out."""
        try:
            conn = self._connection()
            conn.request("POST", self.path, body, {"Content-Type": "application/json"})
        except (OSError, http.client.HTTPException):
            pass
        self._drop()
        self.result.abandoned += 1

    def run(self, job: Job) -> None:
        """Sign until answered 201 or 202, retrying (same body) after 429, 503 or no answer."""
        body = json.dumps({"name": f"Load Signer {job.number}", "email": job.email}).encode()
        if job.abandon_first:
            self._abandon(body)
        for _ in range(self.tries):
            status = self._send(body)
            self.result.statuses[status] += 1
            if status in TAKEN:
                self.result.acknowledged.add(job.number)
                return
            if status not in RETRYABLE and status != NO_ANSWER:
                return
            time.sleep(self.pause)
        self.result.unfinished.append(job.number)


def run_load(
    url: str,
    slug: str,
    jobs: list[Job],
    clients: int = 50,
    *,
    timeout: float = 30.0,
    pause: float = 0.05,
    tries: int = 200,
) -> LoadResult:
    """Send `jobs` to the site at `url` from `clients` concurrent clients; what they got.

    A 429, 503 or broken connection waits `pause` seconds and tries again, up to `tries`
    sends per job. The clock starts when every client is ready.
    """
    queue = list(reversed(jobs))
    lock = threading.Lock()
    gate = threading.Barrier(clients + 1)
    workers = [_Client(url, slug, timeout, pause, tries) for _ in range(clients)]

    def work(client: _Client) -> None:
        gate.wait()
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    job = queue.pop()
                client.run(job)
        finally:
            client._drop()

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in workers]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    total = LoadResult(seconds=time.perf_counter() - started)
    for client in workers:
        total.merge(client.result)
    return total

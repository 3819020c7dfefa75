"""Many requests at once through the local server: each answer belongs to its own request.

The server calls the one Chalice app from a pool of threads, with no lock round it. Chalice
keeps the request being handled on the app object, so the app keeps it per thread
(chalicelib/threads.py); were it shared, a JSON signature could be answered as a form post
(or the reverse), sign with another request's body, or count under the wrong petition.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from generator.store.sqlite import SqliteStore
from tests.serve.client import Reply, request

from .harness import serving

PETITIONS = {f"thread-test-{n}": 1000 * n for n in range(1, 7)}  # slug: imported count
PER_PETITION = 60  # requests to each: signatures by JSON and by form, and status reads
CLIENTS = 24
PETITION = """\
---
title: Thread test {n}
target: The Test Council
ask: Keep every request apart.
created: 2024-01-01T09:00:00+13:00
milestones: [100000]
imported:
  count: {count}
---
Each answer must belong to its request.
"""


def add_petitions(work: Path) -> None:
    """The thread-test petitions, each with its own imported count (1000, 2000, …)."""
    for n, (slug, count) in enumerate(PETITIONS.items(), 1):
        text = PETITION.format(n=n, count=count)
        (work / "content" / "petitions" / f"{slug}.md").write_text(text, encoding="utf-8")


def send(url: str, slug: str, i: int) -> tuple[str, str, int, Reply]:
    """Request number i to petition `slug`: a JSON signature, a form signature or a read."""
    kind = ("json", "form", "status")[i % 3]
    email = f"{slug}-{i}@threads.example.org"
    path = f"/api/petitions/{slug}/signatures"
    if kind == "json":
        body = json.dumps({"name": f"Signer {i}", "email": email}).encode()
        reply = request(url, path, "POST", body, {"Content-Type": "application/json"})
    elif kind == "form":
        body = urlencode({"name": f"Signer {i}", "email": email}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        reply = request(url, path, "POST", body, headers)
    else:
        reply = request(url, f"/api/petitions/{slug}")
    return slug, kind, i, reply


def test_concurrent_requests_for_different_petitions_each_get_their_own_answer(
    work: Path, sqlite_store: SqliteStore
) -> None:
    add_petitions(work)
    jobs = [(slug, i) for i in range(PER_PETITION) for slug in PETITIONS]
    start = threading.Barrier(CLIENTS)

    def first_together(job: tuple[str, int]) -> tuple[str, str, int, Reply]:
        if job in jobs[:CLIENTS]:
            start.wait(10)  # the first wave leaves at once
        return send(site.url, *job)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns every few bytecodes: races show up
    try:
        with serving(work, sqlite_store) as site, ThreadPoolExecutor(CLIENTS) as pool:
            answers = list(pool.map(first_together, jobs))
    finally:
        sys.setswitchinterval(interval)

    signed: Counter[str] = Counter()
    for slug, kind, i, reply in answers:
        base = PETITIONS[slug]
        what = f"{kind} request {i} to {slug}: {reply.status} {reply.headers} {reply.body[:200]!r}"
        if kind == "json":
            assert reply.status == 201, what
            assert base < reply.json()["count"] <= base + PER_PETITION, what
            signed[slug] += 1
        elif kind == "form":
            assert reply.status == 303, what
            assert reply.headers["location"] == f"/petitions/{slug}/thanks/", what
            signed[slug] += 1
        else:
            assert reply.status == 200, what
            assert reply.json()["slug"] == slug, what
            assert base <= reply.json()["count"] <= base + PER_PETITION, what
    for slug in PETITIONS:  # every signature counted once, under its own petition
        assert sqlite_store.tally(slug).count == signed[slug]

"""A whole session with one distinctive signer, then a search for them everywhere.

`build.py serve` runs as a developer runs it. The signer signs by JSON and by form, trips
every kind of refusal, reaches a milestone (so the write-back re-renders pages), is
exported for delivery and finally forgotten. Then every file the session wrote (bar the
store and the export), everything the server printed, every answer and every command's
output is searched: the email must be nowhere, the name only in the export.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.privacy.markers import (
    EMAIL,
    EMAIL_MARKERS,
    NAME,
    NAME_MARKERS,
    SECOND_EMAIL,
    found_in,
    register,
    sweep,
)
from tests.serve.client import Reply, request
from tests.serve.launcher import ROOT, SECRET, ServeProcess, start_serve, stop_serve
from tests.support.answers import without_refill
from tests.support.eventually import eventually
from tests.support.fixture_site import BARE, CLOSED, OPEN, WON, copy_site

JSON_TYPE = {"Content-Type": "application/json"}
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}
MARKERS = (*NAME_MARKERS, *EMAIL_MARKERS)


class Session:
    """Requests to one server, every answer kept for the sweep."""

    def __init__(self, server: ServeProcess):
        self.server = server
        self.replies: list[Reply] = []

    def post(self, slug: str, body: bytes, headers: dict[str, str], ip: str) -> Reply:
        """POST to the signing route from `ip` and keep the answer."""
        path = f"/api/petitions/{slug}/signatures"
        reply = request(self.server.url, path, "POST", body, headers, source_ip=ip)
        self.replies.append(reply)
        return reply

    def sign(self, slug: str, ip: str, form: bool = False, **fields: object) -> Reply:
        """Sign as the page's script (JSON) or as a plain HTML form."""
        if form:
            return self.post(slug, urlencode(fields).encode(), FORM_TYPE, ip)
        return self.post(slug, json.dumps(fields).encode(), JSON_TYPE, ip)


def cli(work: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `build.py` in the session's folder with the server's key, as an organiser would."""
    env = {"PETITION_SECRET": SECRET, "PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"}
    store = f"sqlite:///{work / 'signatures.db'}"
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args, "--store", store, "--content", "content"],
        cwd=work, env=env, input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def wait_for_file_text(path: Path, text: str, timeout: float = 20.0) -> str:
    """The file's text once it contains `text` (the write-back runs in the background)."""

    def containing() -> str | None:
        content = path.read_text(encoding="utf-8") if path.exists() else ""
        return content if text in content else None

    return eventually(containing, timeout, interval=0.1, message=f"{path} containing {text!r}")


def provoke_every_refusal(session: Session) -> dict[str, int]:
    """Send the signer's details in every request the API refuses; their statuses by kind."""
    me = {"name": NAME, "email": EMAIL}
    statuses = {
        "bad email": session.sign(BARE, "127.0.0.6", name=NAME, email=EMAIL + "@@").status,
        "bad email (form)": session.sign(
            BARE, "127.0.0.6", True, name=NAME, email=EMAIL + " x"
        ).status,
        "closed": session.sign(CLOSED, "127.0.0.6", **me).status,
        "won (form)": session.sign(WON, "127.0.0.6", True, **me).status,
        "unknown petition": session.sign("no-such-petition", "127.0.0.6", **me).status,
        "unknown field": session.sign(BARE, "127.0.0.6", **me, **{EMAIL: NAME}).status,
        "too large": session.post(
            BARE, json.dumps({**me, "comment": NAME * 1000}).encode(), JSON_TYPE, "127.0.0.6"
        ).status,
        "wrong type": session.post(
            BARE, f"{NAME} <{EMAIL}>".encode(), {"Content-Type": "text/plain"}, "127.0.0.6"
        ).status,
        "bot": session.sign(BARE, "127.0.0.6", **me, website="http://spam.example").status,
    }
    return statuses


def counted(session: Session, count: int) -> dict[str, object] | None:
    """BARE's live figures once its count is `count` (the counter runs in the background)."""
    body: dict[str, object] = request(session.server.url, f"/api/petitions/{BARE}").json()
    return body if body["count"] == count else None


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Session, Path]]:
    """A server over a copy of the fixture content, allowing one signature a minute per client."""
    register(NAME, EMAIL, SECOND_EMAIL, *NAME_MARKERS)
    copy_site(tmp_path)
    server = start_serve(tmp_path, rate_limit=1, watch=False)
    try:
        yield Session(server), tmp_path
    finally:
        if server.process.poll() is None:
            stop_serve(server)


def test_a_signers_name_and_email_appear_only_where_they_must(
    served: tuple[Session, Path],
) -> None:
    session, work = served
    for n in range(9):  # nine others first, each from an address of their own
        filler = {"name": f"Filler {n}", "email": f"filler{n}@example.org"}
        assert session.sign(BARE, f"127.0.0.{10 + n}", **filler).status == 201

    tenth = session.sign(BARE, "127.0.0.2", name=NAME, email=EMAIL, postcode="6011")
    duplicate = session.sign(BARE, "127.0.0.3", name=NAME, email=f" {EMAIL.upper()} ")
    form = session.sign(
        OPEN, "127.0.0.4", True, name=NAME, email=EMAIL, postcode="6011", country="NZ",
        consent="on",
    )  # fmt: skip
    allowed = session.sign(BARE, "127.0.0.5", name=NAME, email=SECOND_EMAIL)
    limited = [  # the same client again within its minute (twice, in case a minute turned)
        session.sign(OPEN, "127.0.0.5", name=NAME, email=f"zzyzx.second+{i}@example.org")
        for i in range(2)
    ]
    refusals = provoke_every_refusal(session)

    # Counting runs on serve's own thread, just after each write: an answer's count may be a
    # signature behind; the milestone is the counter's, never the answer's.
    assert tenth.status == duplicate.status == 201
    assert tenth.json()["milestone"] is None
    assert set(duplicate.json()) == {"count", "goal", "milestone"}
    assert form.status == 303
    assert allowed.status == 201
    assert 429 in [r.status for r in limited]
    assert refusals == {
        "bad email": 400, "bad email (form)": 400, "closed": 409, "won (form)": 409,
        "unknown petition": 404, "unknown field": 400, "too large": 413, "wrong type": 415,
        "bot": 201,
    }  # fmt: skip

    live = eventually(lambda: counted(session, 11), message="BARE counted to 11")
    assert [m["count"] for m in live["milestones"]] == [10]  # the duplicate counted once
    page = work / "out" / "petitions" / BARE / "index.html"
    assert "10 signatures reached" in wait_for_file_text(page, "10 signatures reached")

    exported = cli(work, "export", BARE, "--out", "delivery.csv")
    with_emails = cli(work, "export", BARE, "--with-emails", "--out", "-")
    forgotten = cli(work, "forget", "-", stdin=f"{EMAIL}\n{SECOND_EMAIL}\n")
    after = cli(work, "export", BARE, "--out", "-")
    stop_serve(session.server)

    # The export holds what the target needs: the name, never the email unless asked for.
    assert exported.returncode == 0, exported.stderr
    delivery = (work / "delivery.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(delivery)))
    mine = [r for r in rows if r["name"] == NAME]
    assert len(rows) == 11
    assert [(r["postcode"], r["consent"]) for r in mine] == [("6011", "no"), ("", "no")]
    assert found_in(delivery, EMAIL_MARKERS) == []
    assert EMAIL in with_emails.stdout  # only when asked for
    # Forgetting removes both of the signer's emails everywhere; milestones stay.
    assert forgotten.returncode == 0, forgotten.stderr
    assert "removed 3 signature(s) of 2 of 2 signer(s) from 2 of 4 petition(s)" in forgotten.stdout
    assert found_in(after.stdout, MARKERS) == []
    assert len(list(csv.DictReader(io.StringIO(after.stdout)))) == 9

    # Nothing else the session wrote, printed or answered names the signer.
    written = sweep(work, MARKERS, skip=[work / "delivery.csv", *work.glob("signatures.db*")])
    assert written == []
    assert found_in(session.server.output, MARKERS) == []
    for reply in session.replies:
        headers = "\n".join(f"{k}: {v}" for k, v in reply.headers.items())
        assert found_in(f"{reply.status}\n{headers}\n", MARKERS) == []
        assert "no-store" in reply.headers.get("cache-control", ""), reply.status
        text = without_refill(reply.body.decode("utf-8", "replace"))
        assert found_in(text, MARKERS) == [], reply.status
    for run in (exported, forgotten, after):
        assert found_in(run.stdout + run.stderr, MARKERS) == []

"""Helpers for the API tests: fixture content, a settable clock and a request helper.

Importing this module puts functions/ on the path, as `chalice package` lays it out.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from chalice import Chalice
from chalice.test import Client

from generator.model import Content, Milestone, Petition, Site, Tally
from generator.signing.letters import Letter

if TYPE_CHECKING:
    from chalicelib.runtime import Runtime

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
if str(FUNCTIONS) not in sys.path:
    sys.path.insert(0, str(FUNCTIONS))


@dataclass(frozen=True)
class SigningApp:
    """The Chalice app object and the runtime it takes its service from."""

    app: Chalice
    runtime: Runtime


def signing_app() -> SigningApp:
    """functions/app.py's app and chalicelib's runtime, imported as Lambda would."""
    from app import app
    from chalicelib.runtime import runtime

    return SigningApp(app, runtime)


SECRET = "test-secret-not-for-production"
NZ = "Pacific/Auckland"
NOW = datetime(2024, 6, 1, 2, 35, 51, tzinfo=UTC)  # 14:35:51 +12:00 in Auckland


def seed_milestones() -> tuple[Milestone, ...]:
    """The seed petition's history (times in +12:00), oldest first."""
    times = [
        (10, "2017-04-14T14:35:51+12:00"),
        (25, "2017-04-14T15:12:51+12:00"),
        (50, "2017-04-14T15:47:59+12:00"),
        (100, "2017-04-14T18:08:00+12:00"),
        (500, "2017-04-20T18:05:41+12:00"),
    ]
    return tuple(Milestone(c, datetime.fromisoformat(t)) for c, t in times)


def make_site(**changes: Any) -> Site:
    """A site that asks for a postcode, consent and a comment, with a limit of 5 a minute,
    counting signatures without email confirmation."""
    values: dict[str, Any] = {
        "name": "Test Petitions",
        "base_url": "https://petitions.example.org",
        "time_zone": NZ,
        "language": "en-NZ",
        "milestones": (10, 25, 50, 100, 500, 1000),
        "organisation": "Example Org",
        "privacy_url": "https://petitions.example.org/privacy/",
        "signer_fields": ("postcode", "consent", "comment"),
        "rate_limit": 5,
        "confirmation": "off",  # counting at once; tests/api/test_confirmation.py turns it on
    }
    values.update(changes)
    return Site(**values)


def make_petition(slug: str, **changes: Any) -> Petition:
    """An open petition with the site's ladder unless `changes` say otherwise."""
    values: dict[str, Any] = {
        "slug": slug,
        "path": f"content/petitions/{slug}.md",
        "title": f"Petition {slug}",
        "target": "The Council",
        "ask": "Do the thing.",
        "body": "Because.",
        "created": datetime(2017, 4, 14, tzinfo=UTC),
        "milestones": (10, 25, 50, 100, 500, 1000),
    }
    values.update(changes)
    return Petition(**values)


def make_content(site: Site | None = None) -> Content:
    """Fixture petitions: open ones (one about to cross 10), closed, won and expired ones."""
    return Content(
        site=site or make_site(),
        petitions=(
            make_petition("open", milestones=(10, 25), imported=Tally(count=9)),
            make_petition("fresh"),
            make_petition("seed", imported=Tally(count=505, milestones=seed_milestones())),
            make_petition("goal", goal=2000, imported=Tally(count=1500)),
            make_petition("closed", status="closed"),
            make_petition("won", status="won"),
            make_petition("expired", closes=date(2017, 5, 1)),
            make_petition("closing", closes=date(2024, 6, 1)),
        ),
    )


class Clock:
    """A settable clock for the signing service."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Outbox:
    """A mailer that keeps the letters it is given."""

    def __init__(self) -> None:
        self.letters: list[Letter] = []

    def send(self, letter: Letter) -> None:
        self.letters.append(letter)

    def links(self) -> list[str]:
        """The confirmation links mailed, oldest first (their path below /api)."""
        return [urlsplit(x.links["confirm"]).path.removeprefix("/api") for x in self.letters
                if x.kind == "confirm"]  # fmt: skip


class Api:
    """Requests to the app as a browser or the page's script would send them."""

    def __init__(self, client: Client):
        self.client = client

    def sign(
        self,
        slug: str,
        fields: dict[str, Any] | None = None,
        *,
        form: bool = False,
        headers: dict[str, str] | None = None,
        **values: Any,
    ) -> Any:
        """POST a signature as JSON (default) or as an HTML form; return the response."""
        data = valid_fields(**values) if fields is None else fields
        if form:
            body = urlencode(data).encode()
            kind = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(data).encode()
            kind = "application/json"
        return self.post_raw(slug, body, {"Content-Type": kind, **(headers or {})})

    def post_raw(self, slug: str, body: bytes, headers: dict[str, str]) -> Any:
        """POST these exact bytes with these headers."""
        return self.client.http.post(f"/petitions/{slug}/signatures", headers=headers, body=body)

    def get(self, slug: str) -> Any:
        """GET a petition's live figures."""
        return self.client.http.get(f"/petitions/{slug}")


def valid_fields(**changes: Any) -> dict[str, Any]:
    """A valid signature for the fixture site, with `changes` applied (None removes a field)."""
    fields: dict[str, Any] = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "postcode": "6011",
        "consent": True,
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}

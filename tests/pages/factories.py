"""Sites, petitions and entries built directly (no content loader), seed-like by default."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generator.model import CallToAction, Location, Milestone, Petition, Site, Tally
from generator.render.markup import render_markdown
from generator.render.pages import Entry, Renderer

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# The seed petition's milestones as a store records them (UTC); the page shows them in
# Pacific/Auckland as 2017-04-20 18:05:41 +1200 and so on.
SEED_MILESTONES = (
    (10, "2017-04-14T02:35:51+00:00"),
    (25, "2017-04-14T03:12:51+00:00"),
    (50, "2017-04-14T03:47:59+00:00"),
    (100, "2017-04-14T06:08:00+00:00"),
    (500, "2017-04-20T06:05:41+00:00"),
)
SEED_TITLE = "Tell the NZ government to take a stand against death camps for gay men in Russia"


def make_site(**overrides: Any) -> Site:
    """A site like the seed's, in Pacific/Auckland, asking for every optional field."""
    site = Site(
        name="Action Station",
        base_url="https://petitions.example.org",
        time_zone="Pacific/Auckland",
        language="en-NZ",
        milestones=(10, 25, 50, 100, 500, 1000, 5000),
        organisation="ActionStation Aotearoa",
        privacy_url="https://example.org/privacy",
        api_url="/api",
        signer_fields=("postcode", "country", "consent", "comment"),
        description="People-powered petitions",
    )
    return replace(site, **overrides)


def make_petition(slug: str = "chechnya", **overrides: Any) -> Petition:
    """The seed petition (with coordinates and a call to action) unless overridden."""
    petition = Petition(
        slug=slug,
        path=f"content/petitions/{slug}.md",
        title=SEED_TITLE,
        target="The Ministry of Foreign Affairs and Trade",
        ask="We call on you to urge Russia to investigate the detention and murders of "
        "(perceived) gay men in Chechnya, publicly condemn this violent persecution, demand "
        "an immediate halt to the violence against the LGBTI community within Russian "
        "borders and the release of those detained.",
        body="Gay men are being kidnapped and killed in Chechnya, Russia.\n\n"
        "Everyone deserves the right to life, love, freedom, safety and security.\n",
        created=datetime(2017, 4, 14, 1, 0, tzinfo=UTC),
        milestones=(10, 25, 50, 100, 500, 1000, 5000),
        location=Location(
            "Ministry of Foreign Affairs & Trade",
            "Lambton Quay, Wellington, New Zealand",
            lat=-41.2789,
            lon=174.7767,
        ),
        call_to_action=CallToAction(
            "All Out is running an emergency fundraiser. You can make a donation here:",
            "https://allout.org/en/chechnya/",
        ),
    )
    return replace(petition, **overrides)


def seed_tally(count: int = 731) -> Tally:
    """The seed's count and milestones."""
    return Tally(count, tuple(Milestone(c, datetime.fromisoformat(t)) for c, t in SEED_MILESTONES))


def make_entry(petition: Petition | None = None, tally: Tally | None = None) -> Entry:
    """An entry as the build engine makes one: the ask rendered through markup."""
    petition = petition or make_petition()
    return Entry(
        petition, tally if tally is not None else seed_tally(), render_markdown(petition.ask)
    )


def render_petition(renderer: Renderer, entry: Entry) -> dict[str, bytes]:
    """Both pages of a petition, its body rendered as the engine would."""
    return renderer.petition_pages(entry, render_markdown(entry.petition.body))

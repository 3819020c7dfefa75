"""A petition's updates as the site shows them: each on its own page, in the petition's timeline
among its milestones (newest first), and in its Atom feed, /petitions/<slug>/feed.xml.

Pure like the rest of generator/render: the same petition gives the same bytes. `pages` takes
the renderer's template function, so these pages are rendered wherever the petition's are (the
build and the write-back).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from html import escape
from typing import Any, NamedTuple

from generator.model import Milestone, Petition, Update
from generator.render.markup import TOP_HEADING, plain_text, render_markdown

KINDS = {"update": "Update", "response": "Response", "delivery": "Delivered", "victory": "Victory"}
SUMMARY_LIMIT = 200  # characters of an update the timeline and the site's feed show
_HEADING = re.compile(rf"<(/?)h([{TOP_HEADING}-6])>")
_WHOLE_HEADING = re.compile(r"<h[1-6]>.*?</h[1-6]>", re.S)
Render = Callable[..., bytes]  # Renderer._render: a template's name and context -> bytes


class UpdateItem(NamedTuple):
    """An update as the site-wide pages show it (the feed, the sitemap): no body."""

    name: str  # Update.name, part of its URL
    title: str
    kind: str
    date: float  # POSIX time
    summary: str  # its first words as plain text (SUMMARY_LIMIT characters)


@dataclass(frozen=True)
class Moment:
    """One entry of a petition's timeline: a milestone reached or an update posted."""

    at: datetime
    milestone: Milestone | None = None
    update: Update | None = None
    url: str = ""  # an update's page, relative to the petition's
    label: str = ""  # an update's kind as the page names it (KINDS)
    summary: str = ""  # an update's first words


def update_rel(slug: str, name: str) -> str:
    """The output path of an update's page."""
    return f"petitions/{slug}/updates/{name}/index.html"


def update_url(slug: str, name: str) -> str:
    """The root-relative URL of an update's page."""
    return f"/petitions/{slug}/updates/{name}/"


def feed_rel(slug: str) -> str:
    """The output path of a petition's Atom feed."""
    return f"petitions/{slug}/feed.xml"


@lru_cache(maxsize=512)
def body_html(body: str) -> str:
    """An update's body as safe HTML, headings from <h3> (as the petition page's sections)."""
    return render_markdown(body)


def page_html(body: str) -> str:
    """An update's body as its own page shows it: under the page's <h1>, headings from <h2>."""
    shift = TOP_HEADING - 2
    return _HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) - shift}>", body_html(body))


def feed_html(update: Update) -> str:
    """An update's body as a feed entry's content: who it is from first, when it says."""
    sender = f"<p>From {escape(update.sender, quote=False)}</p>\n" if update.sender else ""
    return sender + body_html(update.body)


def summary(update: Update) -> str:
    """An update's first words as plain text (its headings left out)."""
    return plain_text(_WHOLE_HEADING.sub(" ", body_html(update.body)), SUMMARY_LIMIT)


def items(updates: Iterable[Update]) -> tuple[UpdateItem, ...]:
    """What the site-wide pages show of these updates."""
    return tuple(
        UpdateItem(u.name, u.title, u.kind, u.date.timestamp(), summary(u)) for u in updates
    )


def timeline(
    milestones: Sequence[Milestone], updates: Sequence[Update], zone: tzinfo
) -> list[Moment]:
    """Milestones and updates in one list, newest first (at one time, an update before a
    milestone, then the higher milestone first); a naive time is read in `zone`."""
    moments = [Moment(m.reached_at, milestone=m) for m in milestones]
    moments += [
        Moment(u.date, update=u, url=f"updates/{u.name}/", label=KINDS[u.kind], summary=summary(u))
        for u in updates
    ]

    def key(m: Moment) -> tuple[datetime, int, int, str]:
        at = m.at if m.at.tzinfo is not None else m.at.replace(tzinfo=zone)
        if m.update is not None:
            return at, 1, 0, m.update.name
        assert m.milestone is not None
        return at, 0, m.milestone.count, ""

    return sorted(moments, key=key, reverse=True)


def pages(
    render: Render, petition: Petition, base_url: str, common: dict[str, Any]
) -> dict[str, bytes]:
    """Each update's page and the petition's Atom feed, by output path."""
    slug = petition.slug
    out: dict[str, bytes] = {}
    for update in petition.updates:
        url = update_url(slug, update.name)
        out[update_rel(slug, update.name)] = render(
            "update.html",
            **{**common, "canonical": base_url + url},
            update=update,
            kind=KINDS[update.kind],
            body_html=page_html(update.body),
            description=summary(update) or update.title,
        )
    newest = max([petition.created, *(u.date for u in petition.updates)])
    entries = [
        {
            "post": u,
            "kind": KINDS[u.kind],
            "url": base_url + update_url(slug, u.name),
            "html": feed_html(u),
        }
        for u in reversed(petition.updates)
    ]
    feed = render(
        "petition_feed.xml",
        petition=petition,
        canonical=common["canonical"],
        feed_url=base_url + "/" + feed_rel(slug),
        updated=newest,
        entries=entries,
    )
    out[feed_rel(slug)] = feed
    return out

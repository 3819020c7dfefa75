"""The lists a visitor browses: every petition, each status's, each tag's, and their cards.

The home page lists every petition; `/open/`, `/won/` and `/closed/` list those with that
status and `/tags/<tag>/` those with that tag, each paginated like the index (`page/N/`
below its first page) and in index order; `/tags/` lists the tags. Pure: listings in,
collections, cards and what each page shows out (the renderer digests and renders them).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from generator.milestones import next_goal, progress
from generator.model import Site
from generator.render.feeds import page_links
from generator.render.listing import Listing

# The status filters, in the order the index lists them: status -> (nav label, heading).
STATUS_PAGES = {
    "open": ("Open", "Open petitions"),
    "won": ("Victories", "Victories"),
    "closed": ("Closed", "Closed petitions"),
}
BADGES = {"open": "Open", "won": "Victory", "closed": "Closed"}  # a card's status badge
TAGS_FOLDER = "tags/"


@dataclass(frozen=True)
class Collection:
    """A paginated list of petitions: all of them, one status's or one tag's."""

    key: str  # "" (all), a status, or "tag:<slug>"
    folder: str  # output folder of its first page: "", "open/", "tags/transport/"
    name: str  # what it is called: "All", "Open", or the tag as written
    heading: str  # its pages' h1
    chunks: list[list[Listing]]  # the petitions each page lists (one empty page when none)

    def url(self, page: int = 1) -> str:
        """Root-relative URL of one of its pages."""
        return list_url(self.folder, page)

    def rel(self, page: int = 1) -> str:
        """Output path of one of its pages."""
        return list_rel(self.folder, page)

    @property
    def count(self) -> int:
        """How many petitions it lists."""
        return sum(len(chunk) for chunk in self.chunks)


@dataclass(frozen=True)
class Lists:
    """Every list but the home page's: one per status and one per tag (by slug)."""

    statuses: list[Collection]
    tags: list[Collection]

    def pages(self) -> dict[str, tuple[Collection, int]]:
        """Each list page's output path -> its collection and page number."""
        return {c.rel(n): (c, n) for c in [*self.statuses, *self.tags] for n in _numbers(c)}


@dataclass(frozen=True)
class TagLink:
    """A tag as a link: its name as written and its page's URL."""

    name: str
    url: str


@dataclass(frozen=True)
class Filter:
    """A link of the status nav: all petitions, or one status's."""

    label: str
    url: str
    current: bool  # the list being shown


@dataclass(frozen=True)
class Card:
    """One petition on a list page."""

    slug: str
    url: str
    title: str
    target: str
    summary: str
    status: str
    badge: str  # "Open", "Victory", "Closed"
    count: int
    goal: int  # the next goal
    percent: int  # of the next goal, floored
    picture: str
    tags: tuple[TagLink, ...]


def list_url(folder: str, page: int = 1) -> str:
    """Root-relative URL of page `page` of the list whose first page is in `folder`."""
    first = "/" + quote(folder)
    return first if page == 1 else f"{first}page/{page}/"


def list_rel(folder: str, page: int = 1) -> str:
    """Output path of page `page` of the list whose first page is in `folder`."""
    return folder + ("" if page == 1 else f"page/{page}/") + "index.html"


@lru_cache(maxsize=4096)  # a site has a few tags, used by many petitions
def tag_slug(tag: str) -> str:
    """The tag as its page's folder name: case, accents and punctuation folded
    ("Public Transport" and "public-transport" are one tag, "Māori" is "maori")."""
    decomposed = unicodedata.normalize("NFKD", tag.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = re.sub(r"[\W_]+", "-", plain).strip("-")
    return slug or "tag-" + hashlib.sha256(tag.encode()).hexdigest()[:8]


def tag_url(tag: str) -> str:
    """Root-relative URL of a tag's page."""
    return list_url(f"{TAGS_FOLDER}{tag_slug(tag)}/")


def paginate(items: Sequence[Listing], per_page: int) -> list[list[Listing]]:
    """The items in pages of `per_page` (at least one page, maybe empty)."""
    size = max(1, per_page)
    pages = max(1, math.ceil(len(items) / size))
    return [list(items[i * size : (i + 1) * size]) for i in range(pages)]


def plan_lists(ordered: Sequence[Listing], per_page: int) -> Lists:
    """The status and tag lists of petitions already in index order."""
    statuses = [
        Collection(status, f"{status}/", label, heading, paginate(
            [item for item in ordered if item.status == status], per_page
        ))
        for status, (label, heading) in STATUS_PAGES.items()
    ]  # fmt: skip
    tagged: dict[str, list[Listing]] = {}
    spellings: dict[str, dict[str, int]] = {}
    for item in ordered:
        for tag in item.tags:
            slug = tag_slug(tag)
            used = spellings.setdefault(slug, {})
            used[tag] = used.get(tag, 0) + 1
            listed = tagged.setdefault(slug, [])
            if not listed or listed[-1] is not item:  # two spellings of one tag: listed once
                listed.append(item)
    tags = []
    for slug in sorted(tagged):
        name = min(spellings[slug].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        folder = f"{TAGS_FOLDER}{slug}/"
        heading = f"Petitions tagged “{name}”"
        chunks = paginate(tagged[slug], per_page)
        tags.append(Collection(f"tag:{slug}", folder, name, heading, chunks))
    return Lists(statuses, tags)


def card_shown(item: Listing) -> bytes:
    """All a petition's card shows, as bytes for the digest of a page listing it (worked
    out once per petition: a petition is on the index, its status's list and its tags')."""
    shown = (item[:5], item.summary, item.goal, item.ladder, item.tags, item.picture)
    return repr(shown).encode()


def cards_shown(items: Iterable[Listing], shown: Mapping[str, bytes]) -> bytes:
    """What the cards of these petitions show, in order (`shown`: card_shown by slug)."""
    return b"\0".join([shown[item.slug] for item in items])


def list_shown(collection: Collection, page: int, shown: Mapping[str, bytes]) -> tuple[object, ...]:
    """All a list page shows besides the fingerprint: its place, name and cards."""
    cards = cards_shown(collection.chunks[page - 1], shown)
    return (collection.key, collection.name, page, len(collection.chunks), cards)


def tags_shown(lists: Lists) -> list[tuple[str, str, int]]:
    """All the page of tags shows: each tag's folder, name and number of petitions."""
    return [(c.folder, c.name, c.count) for c in lists.tags]


def sitemap_pages(lists: Lists) -> list[tuple[str, list[Listing]]]:
    """The list pages the sitemap names (those listing anything), with what each lists, and
    the page of tags with every tagged petition."""
    pages = [
        (c.url(n), c.chunks[n - 1])
        for c in [*lists.statuses, *lists.tags]
        for n in _numbers(c)
        if c.chunks[n - 1]
    ]
    if lists.tags:
        tagged = {item.slug: item for c in lists.tags for chunk in c.chunks for item in chunk}
        pages.append((list_url(TAGS_FOLDER), [tagged[s] for s in sorted(tagged)]))
    return pages


def card(item: Listing) -> Card:
    """A petition's card."""
    goal = next_goal(item.signatures, item.ladder, item.goal)
    return Card(
        slug=item.slug,
        url=f"/petitions/{item.slug}/",
        title=item.title,
        target=item.target,
        summary=item.summary,
        status=item.status,
        badge=BADGES.get(item.status, item.status.title()),
        count=item.signatures,
        goal=goal,
        percent=math.floor(progress(item.signatures, goal) * 100),
        picture=item.picture,
        tags=tag_links(item.tags),
    )


def page_context(collection: Collection, page: int, lists: Lists, site: Site) -> dict[str, Any]:
    """What templates/index.html shows on page `page` of a list (the home page's is the
    collection with key "")."""
    about = site.description or f"Petitions from {site.organisation}"
    pages = len(collection.chunks)
    urls = {n: collection.url(n) for n in range(1, pages + 1)}
    tag = collection.key.startswith("tag:")
    filters = [] if tag else [
        Filter("All", list_url(""), collection.key == ""),
        *(Filter(c.name, c.url(), c.key == collection.key) for c in lists.statuses),
    ]  # fmt: skip
    where = f", page {page} of {pages}" if page > 1 else ""
    home = collection.key == ""
    return {
        "heading": collection.heading,
        "title": "" if home and page == 1 else f"{collection.heading}{where}",
        "page": page,
        "pages": pages,
        "cards": [card(item) for item in collection.chunks[page - 1]],
        "filters": filters,
        "tags_url": list_url(TAGS_FOLDER) if lists.tags else "",
        "lead": site.description if home else "",
        "description": about if home else f"{collection.heading}: {about}",
        "empty": "No petitions yet." if home else "None yet.",
        "links": page_links(page, pages),
        "page_urls": urls,
        "prev_url": urls.get(page - 1, ""),
        "next_url": urls.get(page + 1, ""),
    }


def tag_links(tags: Iterable[str]) -> tuple[TagLink, ...]:
    """Tags as links to their pages, each page once."""
    found: dict[str, TagLink] = {}
    for tag in tags:
        found.setdefault(tag_slug(tag), TagLink(tag, tag_url(tag)))
    return tuple(found.values())


def _numbers(collection: Collection) -> range:
    return range(1, len(collection.chunks) + 1)

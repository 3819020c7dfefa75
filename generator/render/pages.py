"""Pages from petitions: Jinja templates filled with a site's petitions, counts and times.

Rendering is pure: the same site, entries and templates always give the same bytes. It
never writes files; the build engine decides where the returned bytes go.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator.content.versions import TextVersion, petition_version
from generator.errors import ConfigError
from generator.milestones import next_goal, progress, timeline
from generator.model import Location, Petition, Site
from generator.render import browse, feeds, opendata, updates
from generator.render.badge import badge_svg
from generator.render.countfile import count_file, count_path
from generator.render.embed import badge_path, embed_codes, embed_path
from generator.render.feeds import index_rel, page_path
from generator.render.fingerprint import code_fingerprint
from generator.render.fonts import fonts_digest
from generator.render.history import history_path, notice, shown, versions_of
from generator.render.listing import Entry, Listing, aware, entry_listing
from generator.render.markup import plain_text
from generator.render.media import CARD_HEIGHT, CARD_WIDTH, Media, card_path
from generator.render.supporters import supporters
from generator.render.tiles import map_view, osm_url

# The pages a signer lands on after a form post or a link in mail, by folder name.
LANDING_PAGES = {
    "thanks": "thanks.html",
    "check-email": "check_email.html",
    "confirmed": "confirmed.html",
    "withdrawn": "withdrawn.html",
}
# A signer's receipt: receipt.js checks the log holds their signature (generator/log/receipts.py).
RECEIPT_PAGE = "receipt/index.html"
DESCRIPTION_LIMIT = 160
TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip  # not %B: the machine's locale must not change the pages
Asks = Callable[[list[str]], Mapping[str, str]]  # slugs -> each one's ask as sanitised HTML


@dataclass(frozen=True)
class SitePlan:
    """The site-wide pages worked out, not rendered: `inputs` maps each output path to a
    digest of all it shows (the fingerprint included); an unchanged digest, unchanged bytes."""

    inputs: dict[str, str]
    index: dict[str, int]  # index page path -> page number
    chunks: list[list[Listing]]  # the petitions each index page lists, in index order
    ordered: list[Listing]  # every petition in index order
    feed: list[Listing]  # the feed's petitions, newest first
    updated: str  # the feed's <updated>
    asks: Asks  # the feed's summaries, asked for only when the feed is rendered
    lists: browse.Lists  # the status and tag lists
    list_pages: dict[str, tuple[browse.Collection, int]]  # their pages' paths -> which page


def format_number(value: int) -> str:
    """A count with thousands separators: 1000 -> '1,000'."""
    return f"{value:,}"


def share_links(url: str, title: str) -> dict[str, str]:
    """Share URLs (email, WhatsApp, Facebook, X) for a page, no third-party script needed."""
    message = f"Please sign: {title}"
    q_url, q_title, q_message = (quote(s, safe="") for s in (url, title, message))
    q_body = quote(message + "\n\n" + url, safe="")
    return {
        "email": f"mailto:?subject={q_title}&body={q_body}",
        "whatsapp": f"https://wa.me/?text={quote(message + ' ' + url, safe='')}",
        "facebook": f"https://www.facebook.com/sharer/sharer.php?u={q_url}",
        "x": f"https://x.com/intent/post?url={q_url}&text={q_message}",
    }


def refuse_links_outside(folder: Path) -> None:
    """ConfigError naming the first link under `folder` that leads outside it (nothing is read
    through such a link: a template could otherwise publish any file on the build machine)."""
    root = folder.resolve()
    for where, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted([*dirs, *files]):
            path = Path(where) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                raise ConfigError(
                    f"{path}: a link to outside {folder}/; refused, nothing is read through it"
                )


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Renderer:
    """Renders one site's pages from the templates in `templates_dir`."""

    def __init__(
        self,
        site: Site,
        templates_dir: Path,
        compiled: BytecodeCache | None = None,
        media: Path | None = None,
    ):
        """`compiled`: where compiled templates are kept between runs (None: nowhere);
        `media`: where resized pictures and share cards are (None: in memory only)."""
        self.site = site
        self._media = Media(site.name, media)
        self.templates_dir = Path(templates_dir)
        if not (self.templates_dir / "static").is_dir():
            raise ConfigError(f"{self.templates_dir}: expected a templates folder with static/")
        refuse_links_outside(self.templates_dir)
        self._zone = ZoneInfo(site.time_zone)
        self._api_url = site.api_url.rstrip("/")
        self._assets = self._read_assets(self.templates_dir / "static")
        asset_urls = {name: "/" + path for name, (path, _) in self._assets.items()}
        self._env = Environment(
            loader=FileSystemLoader(self.templates_dir),
            autoescape=select_autoescape(("html", "xml"), default_for_string=True, default=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # read once: the fingerprint describes the templates as loaded
            bytecode_cache=compiled,
        )
        self._env.filters.update(number=format_number, stamp=self._stamp, iso=self._iso)
        self._env.filters.update(day=self._day)
        self._env.filters.update(tag_url=browse.tag_url)
        self._env.filters.update(text_version=petition_version)  # the form's `version`
        self._env.globals.update(site=site, assets=asset_urls, api_url=self._api_url)
        self.fingerprint = self._fingerprint()

    def _read_assets(self, static_dir: Path) -> dict[str, tuple[str, bytes]]:
        """Static files by name, each with its content-fingerprinted output path."""
        assets = {}
        for file in sorted(p for p in static_dir.iterdir() if p.is_file()):
            data = file.read_bytes()
            digest = hashlib.sha256(data).hexdigest()[:8]
            assets[file.name] = (f"assets/{file.stem}.{digest}{file.suffix}", data)
        return assets

    def _fingerprint(self) -> str:
        # The code and libraries that shape pages are part of it as much as the templates are.
        h = hashlib.sha256(f"code {code_fingerprint()}\nsite {self.site!r}\n".encode())
        h.update(f"fonts {fonts_digest()}\n".encode())  # the share cards' letters
        files = sorted(p for p in self.templates_dir.rglob("*") if p.is_file())
        for path in files:
            h.update(
                f"{path.relative_to(self.templates_dir).as_posix()} {_file_digest(path)}\n".encode()
            )
        return h.hexdigest()

    def _local(self, moment: datetime) -> datetime:
        return aware(moment, self._zone).astimezone(self._zone)

    def _stamp(self, moment: datetime) -> str:
        return self._local(moment).strftime(TIME_FORMAT)

    def _day(self, moment: date) -> str:
        """A day as people write it: 3 March 2025 (a time is taken in the site's zone)."""
        day = self._local(moment).date() if isinstance(moment, datetime) else moment
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"

    def _iso(self, moment: datetime) -> str:
        return self._local(moment).isoformat(timespec="seconds")

    def _render(self, template: str, **context: Any) -> bytes:
        return self._env.get_template(template).render(**context).encode("utf-8")

    def _absolute(self, path: str) -> str:
        return self.site.base_url + path

    def petition_pages(
        self, entry: Entry, body_html: str, history: Sequence[TextVersion] | None = None
    ) -> dict[str, bytes]:
        """The petition's page, its count file, the pages its signers land on, its embed page
        and badge, by output path: its index.html, count.json, thanks/ (signed), check-email/
        (a link was mailed), confirmed/ and withdrawn/ ("this wasn't me"), embed/ and
        badge.svg under petitions/<slug>/; updates/<name>/ and feed.xml (its updates); and
        history/, its text's versions (`history`: from git, oldest first; None: the versions
        the store has seen)."""
        petition, count = entry.petition, entry.tally.count
        versions = versions_of(petition, entry.tally, history)
        page_url = f"/petitions/{petition.slug}/"
        canonical = self._absolute(page_url)
        goal = next_goal(count, petition.milestones, petition.goal)
        point = _coordinates(petition.location)
        cta = petition.call_to_action
        media = self._media.petition(petition, count)  # its picture's files and share card
        card_url = self._absolute("/" + card_path(petition.slug))
        common = {
            "petition": petition,
            "page_url": page_url,
            "canonical": canonical,
            "share_links": share_links(canonical, petition.title),
        }
        page = self._render(
            "petition.html",
            **common,
            ask_html=entry.ask_html,
            body_html=body_html,
            description=plain_text(entry.ask_html, DESCRIPTION_LIMIT) or petition.title,
            image={"url": card_url, "alt": media.card_alt, "size": (CARD_WIDTH, CARD_HEIGHT)},
            picture=media.picture,
            count=count,
            pending=entry.tally.pending,
            goal=goal,
            percent=math.floor(progress(count, goal) * 100),
            values={},
            problems={},
            moments=updates.timeline(timeline(entry.tally), petition.updates, self._zone),
            supporters=supporters(entry.tally),  # "Where supporters are" (_regions.html)
            map=map_view(*point, self.site.tile_url) if point and self.site.tile_url else None,
            tile_host=urlsplit(self.site.tile_url).hostname or "",
            osm_url=osm_url(*point) if point else "",
            cta_where=_link_label(cta.url) if cta else "",
            embed=embed_codes(canonical, petition.title),
            text_change=notice(versions, entry.tally),  # _text_version.html
        )
        pages = {
            f"petitions/{petition.slug}/index.html": page,
            count_path(petition.slug): count_file(petition, entry.tally, self.site),
        }
        for name, template in LANDING_PAGES.items():
            pages[f"petitions/{petition.slug}/{name}/index.html"] = self._render(template, **common)
        pages.update(self._embed_pages(entry, common, goal))
        pages.update(updates.pages(self._render, petition, self.site.base_url, common))
        pages.update(media.files)
        created = aware(petition.created, self._zone)
        pages[opendata.daily_path(petition.slug)] = opendata.daily_csv(
            opendata.daily_counts(created, entry.tally, self._zone)
        )
        pages[history_path(petition.slug)] = self._render(
            "history.html",
            **{**common, "canonical": self._absolute(f"{page_url}history/")},
            description=f"Every version of the text of “{petition.title}”, and what changed.",
            versions=shown(versions),
        )
        return pages

    def _embed_pages(self, entry: Entry, common: dict[str, Any], goal: int) -> dict[str, bytes]:
        """The petition's embed page (for other sites' iframes) and count badge, by output
        path: embed/index.html and badge.svg under petitions/<slug>/."""
        petition, tally = entry.petition, entry.tally
        embed = self._render(
            "embed.html",
            **common,
            description=plain_text(entry.ask_html, DESCRIPTION_LIMIT) or petition.title,
            count=tally.count,
            pending=tally.pending,
            goal=goal,
            percent=math.floor(progress(tally.count, goal) * 100),
        )
        badge = badge_svg(tally.count, petition.title, petition.status)
        return {embed_path(petition.slug): embed, badge_path(petition.slug): badge}

    def answer(self, template: str, petition: Petition | None, **context: Any) -> bytes:
        """A page the signing API answers with (a form that needs fixing, a confirmation
        page, a link that does not work), in the site's templates and stylesheet."""
        return self._render(template, petition=petition, **context)

    def site_pages(self, entries: list[Entry]) -> dict[str, bytes]:
        """Index pages, feed.xml, sitemap.xml, robots.txt, 404.html, the receipt page,
        fingerprinted assets and the open data's petitions.json and schema.json."""
        return self.render_site(self.plan_site(entries))

    def plan_site(self, entries: list[Entry]) -> SitePlan:
        """Every site-wide output path with a digest of what it shows, rendering nothing."""
        asks = {e.petition.slug: e.ask_html for e in entries}
        listings = [entry_listing(e, self._zone) for e in entries]
        return self.plan_listings(listings, lambda slugs: {s: asks[s] for s in slugs})

    def plan_listings(self, listings: Sequence[Listing], asks: Asks) -> SitePlan:
        """plan_site from each petition's listing; `asks(slugs)` gives those petitions' asks
        as sanitised HTML, called only to render the feed."""
        ordered = feeds.in_index_order(listings)
        chunks = browse.paginate(ordered, self.site.per_page)
        pages = len(chunks)
        index = {index_rel(n): n for n in range(1, pages + 1)}
        lists = browse.plan_lists(ordered, self.site.per_page)
        tagged = bool(lists.tags)  # the status nav links the page of tags when there is one
        cards = {item.slug: browse.card_shown(item) for item in ordered}
        inputs = {  # what an index page shows: each petition's card, the page count, the nav
            rel: self._digest("index", n, pages, tagged, browse.cards_shown(chunks[n - 1], cards))
            for rel, n in index.items()
        }
        list_pages = lists.pages()
        for rel, (collection, n) in list_pages.items():
            inputs[rel] = self._digest("list", tagged, *browse.list_shown(collection, n, cards))
        if tagged:
            tags_page = browse.list_rel(browse.TAGS_FOLDER)
            inputs[tags_page] = self._digest("tags", browse.tags_shown(lists))
        updated = feeds.rfc3339(feeds.newest(listings))
        chosen = feeds.feed_entries(listings)
        shown = [(i.slug, i.title, i.created, i.updated, i.shown, i.updates) for i in chosen]
        inputs["feed.xml"] = self._digest("feed", updated, shown)
        named = browse.sitemap_pages(lists)
        inputs["sitemap.xml"] = self._digest(
            "sitemap", feeds.sitemap_inputs(chunks, listings, named)
        )
        shown_data = sorted(opendata.data_shown(i) for i in listings)  # by slug
        inputs[opendata.PETITIONS_FILE] = self._digest("data", shown_data)
        fixed = ("robots.txt", "404.html", RECEIPT_PAGE)
        for rel in (*fixed, *(path for path, _ in self._assets.values())):
            inputs[rel] = self._digest(rel)  # these show nothing but the fingerprint covers
        inputs[opendata.SCHEMA_FILE] = self._digest(opendata.SCHEMA_FILE)
        plan = dict(sorted(inputs.items()))
        return SitePlan(plan, index, chunks, ordered, chosen, updated, asks, lists, list_pages)

    def _digest(self, *shown: object) -> str:
        """sha256 of the fingerprint and `shown` (bytes as they are, anything else as repr)."""
        h = hashlib.sha256(self.fingerprint.encode())
        for part in shown:
            data = part if isinstance(part, bytes) else repr(part).encode()
            h.update(b"\0%d\0%s" % (len(data), data))
        return h.hexdigest()

    def render_site(self, plan: SitePlan, paths: Iterable[str] | None = None) -> dict[str, bytes]:
        """The bytes of the plan's pages at `paths` (default: all of them), by path."""
        pages = len(plan.chunks)
        page_urls = {n: page_path(n) for n in range(1, pages + 1)}
        home, base = self._absolute("/"), self.site.base_url
        fixed: dict[str, Callable[[], bytes]] = {
            "feed.xml": lambda: self._render(
                "feed.xml", home_url=home, feed_url=base + "/feed.xml", updated=plan.updated,
                items=feeds.feed_items(plan.feed, base, plan.asks([i.slug for i in plan.feed])),
            ),
            "sitemap.xml": lambda: self._render("sitemap.xml", urls=feeds.sitemap_urls(
                [(page_urls[n], c) for n, c in enumerate(plan.chunks, start=1)]
                + browse.sitemap_pages(plan.lists), plan.ordered, base
            )),
            browse.list_rel(browse.TAGS_FOLDER): lambda: self._render(
                "tags.html", tags=plan.lists.tags, canonical=self._absolute("/tags/"),
                description=f"Petitions by topic, from {self.site.organisation}",
            ),
            "robots.txt": lambda: self._render("robots.txt", sitemap_url=base + "/sitemap.xml"),
            "404.html": lambda: self._render("404.html"),
            RECEIPT_PAGE: lambda: self._render("receipt.html"),
            opendata.SCHEMA_FILE: lambda: opendata.schema_json(self.site),
            opendata.PETITIONS_FILE: lambda: opendata.petitions_json(
                plan.ordered, self.site, self._zone
            ),
            **{path: _constant(data) for path, data in self._assets.values()},
        }  # fmt: skip
        out = {}
        for rel in sorted(plan.inputs if paths is None else set(paths)):
            n = plan.index.get(rel)
            if n is not None:
                out[rel] = self._index_page(n, plan, page_urls)
            elif rel in plan.list_pages:
                out[rel] = self._list_page(*plan.list_pages[rel], plan)
            else:
                out[rel] = fixed[rel]()
        return out

    def _index_page(self, n: int, plan: SitePlan, page_urls: dict[int, str]) -> bytes:
        """Index page `n` of the plan; its pagination links a window of pages."""
        home = browse.Collection("", "", "All", "Petitions", plan.chunks)
        return self._list_page(home, n, plan)

    def _list_page(self, collection: browse.Collection, n: int, plan: SitePlan) -> bytes:
        """Page `n` of a list of petitions (the index, a status's or a tag's) as cards."""
        context = browse.page_context(collection, n, plan.lists, self.site)
        return self._render("index.html", **context, canonical=self._absolute(collection.url(n)))


def _constant(data: bytes) -> Callable[[], bytes]:
    """A page maker that gives these bytes as they are."""
    return lambda: data


def _coordinates(place: Location | None) -> tuple[float, float] | None:
    """Where a petition's map is centred (lat, lon); None when it has no map."""
    if place is None or place.lat is None or place.lon is None:
        return None
    return place.lat, place.lon


def _link_label(url: str) -> str:
    """Where a link goes as people read it: the host (no scheme, no "www."), or the address
    of a mailto: link; shown beside a labelled button, never as its label."""
    parts = urlsplit(url)
    if parts.scheme == "mailto":
        return parts.path
    return parts.netloc.removeprefix("www.") or url

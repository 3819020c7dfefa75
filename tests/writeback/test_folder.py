"""Write-back into a real output folder: a milestone rewrites the petition page, index and feed."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from generator.counting.counter import Counter, MilestoneHook
from generator.counting.sources import SqliteFeed
from generator.errors import PetitionSiteError
from generator.model import Content, Milestone
from generator.render.opendata import PETITIONS_FILE, daily_path
from generator.signing.service import SigningService
from generator.store.base import Store
from generator.store.sqlite import SqliteStore
from generator.writeback.publish import FolderPublisher, PublishError
from generator.writeback.refresh import WriteBack
from generator.writeback.worker import local_writeback
from tests.pages.html_tree import parse

from .support import NOW, NOW_ISO, NOW_ON_PAGE, OTHER, SLUG, TEMPLATES, TENTH, Built, sign

ServiceFor = Callable[[Iterable[MilestoneHook]], SigningService]
PAGE = f"petitions/{SLUG}/index.html"
THANKS = f"petitions/{SLUG}/thanks/index.html"
COUNT_FILE = f"petitions/{SLUG}/count.json"  # what the page's script polls
CARD = f"petitions/{SLUG}/card.png"  # the share card shows the count too (test_card.py)
BADGE = f"petitions/{SLUG}/badge.svg"  # so do its count badge and embed page (test_embed.py)
EMBED = f"petitions/{SLUG}/embed/index.html"
# The lists with its card: the open petitions' and its tags' pages.
LISTS = {"open/index.html", "tags/transport/index.html", "tags/education/index.html"}
ATOM = "{http://www.w3.org/2005/Atom}"


def timeline(page: bytes) -> list[str]:
    """The milestone timeline's entries as a reader sees them, newest first."""
    tree = parse(page)
    found = tree.find_all("ol", id="timeline")
    return [li.text for li in found[0].find_all("li")] if found else []


def index_count(index: bytes, slug: str) -> str:
    """The count the index page shows for one petition."""
    link = parse(index).find("a", href=f"/petitions/{slug}/")
    item = next(a for a in link.ancestors() if a.tag == "li")
    return item.find("strong").text


def feed_entry_updated(feed: bytes, slug: str) -> str:
    """The <updated> of the feed entry of one petition."""
    for entry in ET.fromstring(feed).iter(f"{ATOM}entry"):
        if entry.findtext(f"{ATOM}id", "").endswith(f"/petitions/{slug}/"):
            return entry.findtext(f"{ATOM}updated", "")
    raise AssertionError(f"no feed entry for {slug}")


def test_milestone_rewrites_the_page_index_and_feed_and_nothing_else(
    built: Built, store: Store, content: Content, service_for: ServiceFor
) -> None:
    built.age()
    before, mtimes = built.files(), built.mtimes()
    assert timeline(before[PAGE]) == []
    with local_writeback(content, TEMPLATES, store, built.out, built.cache) as worker:
        service = service_for([worker.hook])
        assert sign(service, SLUG, 10) == TENTH
        assert worker.wait(timeout=30)
        assert worker.refreshes == 1 and worker.failures == 0

    page = built.read(PAGE)
    assert timeline(page) == [f"{NOW_ON_PAGE} 10 signatures reached"]
    assert parse(page).by_id("count").text == "10"
    assert index_count(built.read("index.html"), SLUG) == "10"
    assert index_count(before["index.html"], SLUG) == "0"
    assert feed_entry_updated(built.read("feed.xml"), SLUG) == "2025-06-20T06:05:41Z"
    counts = json.loads(built.read(COUNT_FILE))
    assert (counts["count"], counts["milestones"]) == (10, [{"count": 10, "reached_at": NOW_ISO}])
    changed = {rel for rel, data in built.files().items() if before[rel] != data}
    own = {PAGE, COUNT_FILE, CARD, BADGE, EMBED, daily_path(SLUG)}
    shown = LISTS | {"index.html", "feed.xml", PETITIONS_FILE}  # the open data shows counts
    assert own | shown <= changed
    assert changed <= own | shown | {"sitemap.xml"}
    data = json.loads(built.read(PETITIONS_FILE))
    assert [p["count"] for p in data["petitions"] if p["slug"] == SLUG] == [10]
    assert ">10<" in built.read(BADGE).decode()
    assert parse(built.read(EMBED)).by_id("count").text == "10"
    untouched = {rel for rel, ns in built.mtimes().items() if mtimes[rel] == ns}
    assert untouched == set(mtimes) - changed  # nothing rewritten with equal bytes
    assert {THANKS, f"petitions/{OTHER}/index.html", "robots.txt"} <= untouched


def test_signatures_between_milestones_publish_nothing(
    built: Built, store: Store, content: Content, service_for: ServiceFor
) -> None:
    with local_writeback(content, TEMPLATES, store, built.out, built.cache) as worker:
        assert sign(service_for([worker.hook]), SLUG, 9) == [[]] * 9
        assert worker.wait(timeout=30)
        assert worker.refreshes == 0
    assert timeline(built.read(PAGE)) == []


def test_a_counter_asks_for_one_write_back_per_milestone_however_often_a_batch_comes(
    built: Built, store: SqliteStore, content: Content, uncounted_service: SigningService
) -> None:
    assert sign(uncounted_service, SLUG, 10) == [[]] * 10  # on the feed, not counted yet
    with local_writeback(content, TEMPLATES, store, built.out, built.cache) as worker:
        counter = Counter(content, store, on_milestone=[worker.hook])
        batch = store.feed()
        assert batch is not None and len(batch.changes) == 10
        assert [u.reached for u in counter.apply(batch)] == [(Milestone(10, NOW),)]
        assert counter.apply(batch) == []  # delivered again (a retried batch): applied once
        assert counter.drain(SqliteFeed(store)) == 0
        assert worker.wait(timeout=30)
        assert worker.refreshes == 1 and worker.failures == 0

    assert timeline(built.read(PAGE)) == [f"{NOW_ON_PAGE} 10 signatures reached"]
    assert store.tally(SLUG).count == 10


def test_a_second_refresh_writes_nothing(
    built: Built, store: Store, content: Content, service_for: ServiceFor
) -> None:
    writeback = WriteBack(content, TEMPLATES, store, FolderPublisher(built.out), built.cache)
    assert sign(service_for([]), SLUG, 10) == TENTH
    first = writeback.refresh(SLUG)
    assert PAGE in first.paths and THANKS not in first.paths
    built.age()
    mtimes = built.mtimes()
    again = writeback.refresh(SLUG)
    assert again.paths == ()
    assert built.mtimes() == mtimes


def test_the_next_build_gives_the_same_bytes_as_the_write_back(
    built: Built, store: Store, content: Content, service_for: ServiceFor
) -> None:
    assert sign(service_for([]), SLUG, 10) == TENTH
    WriteBack(content, TEMPLATES, store, FolderPublisher(built.out), built.cache).refresh(SLUG)
    written = built.files()
    built.rebuild()
    assert built.files() == written


def test_a_failed_publish_is_logged_the_signature_kept_and_the_next_build_catches_up(
    built: Built,
    store: Store,
    content: Content,
    service_for: ServiceFor,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    missing = tmp_path / "not-built"
    with local_writeback(content, TEMPLATES, store, missing, built.cache) as worker:
        service = service_for([worker.hook])
        assert sign(service, SLUG, 10) == TENTH
        assert worker.wait(timeout=30)
        assert worker.failures == 1
    assert f"write-back failed slugs={SLUG}" in caplog.text
    assert "not-built: no built site to publish into" in caplog.text
    assert "Person" not in caplog.text and "@example.net" not in caplog.text
    assert not missing.exists()
    assert store.tally(SLUG).count == 10
    built.rebuild()
    assert timeline(built.read(PAGE)) == [f"{NOW_ON_PAGE} 10 signatures reached"]


def test_folder_publisher_refuses_paths_outside_the_output(built: Built) -> None:
    with pytest.raises(PublishError):
        FolderPublisher(built.out / "missing").publish({"index.html": b"x"})
    with pytest.raises(PetitionSiteError, match="must be relative and stay inside"):
        FolderPublisher(built.out).publish({"../escape.html": b"x"})
    assert not (built.out.parent / "escape.html").exists()

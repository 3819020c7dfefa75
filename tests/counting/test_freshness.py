"""Count files and pages kept fresh from the counts: the count file rewritten at most once a
second and the pages at most once a minute per petition while the count moves, the end of a
burst caught by the sweep, nothing rewritten when nothing moved."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from generator.counting.counter import Counter
from generator.model import Content, Milestone, Petition, Site, Tally
from generator.render.countfile import count_path
from generator.store.base import Signature
from generator.store.sqlite import SqliteStore
from generator.writeback.fresh import Freshness
from generator.writeback.publish import FolderPublisher, Published
from tests.support.counting import source_of

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SLUG, OTHER = "save-the-park", "fix-the-bridge"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Files:
    """A folder publisher that remembers what it was asked to publish."""

    def __init__(self, out: Path) -> None:
        self.folder = FolderPublisher(out)
        self.calls: list[tuple[list[str], bool]] = []

    def publish(self, files: Mapping[str, bytes], invalidate: bool = True) -> Published:
        self.calls.append((sorted(files), invalidate))
        return self.folder.publish(files, invalidate)


def make_content() -> Content:
    site = Site("Test", "https://petitions.example.org", "Pacific/Auckland", "en", (3, 10),
                "Test", "/privacy")  # fmt: skip
    imported = Tally(100, (Milestone(50, T0 - timedelta(days=3)),))
    petitions = tuple(
        Petition(slug=slug, path=f"content/petitions/{slug}.md", title=slug, target="Council",
                 ask="Ask", body="", created=T0, milestones=(3, 10, 150), imported=imported)
        for slug in (SLUG, OTHER)
    )  # fmt: skip
    return Content(site, petitions)


def sign(store: SqliteStore, n: int, slug: str = SLUG) -> None:
    store.sign(Signature(slug, f"{n:064x}", "Signer", "s@example.org", T0 + timedelta(seconds=n)))


def setup(tmp_path: Path) -> tuple[SqliteStore, Clock, Files, list[list[str]], Counter, Freshness]:
    clock = Clock()
    store = SqliteStore(tmp_path / "signatures.db", clock=clock)
    store.init()
    out = tmp_path / "site"
    out.mkdir()
    files, rendered = Files(out), []
    content = make_content()
    fresh = Freshness(content, store, files, pages=rendered.append, clock=clock)
    return store, clock, files, rendered, Counter(content, store, on_counted=[fresh.counted]), fresh


def test_the_count_file_says_what_the_page_script_shows(tmp_path: Path) -> None:
    store, _, files, _, counter, _ = setup(tmp_path)
    for n in range(1, 4):
        sign(store, n)

    counter.drain(source_of(store))

    document = json.loads((files.folder.out_dir / count_path(SLUG)).read_bytes())
    assert document == {
        "slug": SLUG,
        "count": 103,  # 100 imported
        "pending": 0,
        "goal": 150,
        "milestones": [
            {"count": 50, "reached_at": "2026-02-27T01:00:00+13:00"},
        ],
        "updated": "2026-03-02T01:00:00+13:00",
        "imported": 100,
        "log_size": 0,  # this counter keeps no log (tests/writeback/test_logs.py has one)
        "log_base": 3,  # so it lists none of the 3 signatures counted here
        "by_country": {},  # these signers gave no country
        "by_region": {},
    }
    assert files.calls == [([count_path(SLUG)], False)]  # no CDN invalidation


def test_the_count_file_gives_places_of_five_or_more_as_the_counter_counts_them(
    tmp_path: Path,
) -> None:
    store, _, files, _, counter, _ = setup(tmp_path)
    for n in range(1, 8):
        region = "NZ-WGN" if n <= 5 else "NZ-AUK"
        store.sign(
            Signature(SLUG, f"{n:064x}", "Signer", "s@example.org", T0 + timedelta(seconds=n),
                      postcode="6011", country="NZ", region=region)
        )  # fmt: skip

    counter.drain(source_of(store))

    document = json.loads((files.folder.out_dir / count_path(SLUG)).read_bytes())
    assert (document["by_country"], document["by_region"]) == ({"NZ": 7}, {"NZ-WGN": 5})


def test_a_burst_rewrites_the_count_file_once_a_second_and_the_pages_once_a_minute(
    tmp_path: Path,
) -> None:
    store, clock, files, rendered, counter, fresh = setup(tmp_path)
    source = source_of(store)
    for n in range(1, 121):  # two signatures a second for a minute, counted as they come
        sign(store, n)
        counter.drain(source)
        if n % 10 == 0:
            fresh.sweep()
        clock.now += timedelta(seconds=0.5)

    file_writes = [call for call in files.calls if call[0] == [count_path(SLUG)]]
    assert 59 <= len(file_writes) <= 61  # one a second, not one a signature
    assert len(rendered) == 1  # pages: once in the minute
    clock.now += timedelta(seconds=60)
    fresh.sweep()  # the end of the burst
    assert len(rendered) == 2
    document = json.loads((files.folder.out_dir / count_path(SLUG)).read_bytes())
    assert document["count"] == 220 == 100 + store.tally(SLUG).count


def test_the_sweep_writes_only_what_moved_since_its_last_write(tmp_path: Path) -> None:
    store, clock, files, rendered, counter, fresh = setup(tmp_path)
    sign(store, 1)
    counter.drain(source_of(store))  # leading edge: file and pages of SLUG
    clock.now += timedelta(seconds=0.1)
    sign(store, 2)
    counter.drain(source_of(store))  # within the same second and minute: nothing
    assert len(files.calls) == 1 and rendered == [[SLUG]]

    clock.now += timedelta(seconds=2)
    fresh.sweep()  # the second signature's count reaches the file
    clock.now += timedelta(minutes=2)
    fresh.sweep()  # and the pages; OTHER never moved
    fresh.sweep()  # nothing moved since

    assert [call[0] for call in files.calls] == [[count_path(SLUG)]] * 2
    assert rendered == [[SLUG], [SLUG]]
    assert json.loads((files.folder.out_dir / count_path(SLUG)).read_bytes())["count"] == 102

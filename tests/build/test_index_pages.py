"""Rebuilding the site-wide pages: only the index pages whose listing changed are rewritten."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from generator.build import sources
from generator.build.output import manifest_path
from generator.model import Content, Tally
from generator.render.countfile import count_path
from generator.render.opendata import PETITIONS_FILE
from generator.render.pages import LANDING_PAGES, Renderer
from tests.build.conftest import Project, petition_text, snapshot

OLD = 1_000_000_000_000_000_000  # an mtime (ns) no build writes: 2001-09-09


def listed(project: Project) -> Project:
    """Eight more open petitions with counts 1000, 990, ... 930: with 2 per page, 6 index pages.

    Page 1: p-00 p-01, 2: p-02 p-03, 3: p-04 p-05, 4: p-06 p-07, 5: the footpath (open, 30) and
    the safe crossing (won), 6: the pool (closed).
    """
    for i in range(8):
        project.write(f"p-{i:02d}", petition_text(f"Petition {i:02d}", count=1000 - 10 * i))
    return project


def aged(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Give every file under `folder` an old mtime, so any rewrite shows; then snapshot it."""
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD, OLD))
    return snapshot(folder)


def rewritten(before: dict[str, tuple[int, bytes]], folder: Path) -> set[str]:
    """Paths under `folder` added, removed or rewritten since `before` (see aged)."""
    after = snapshot(folder)
    return {
        p for p in before.keys() | after.keys() if before.get(p, (0,))[0] != after.get(p, (0,))[0]
    }


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder: relative path -> bytes."""
    return {rel: data for rel, (_, data) in snapshot(folder).items()}


def assert_same_as_full_build(project: Project, tmp_path: Path, name: str, **kw: object) -> None:
    """The output equals, file for file and byte for byte, a full build of the same input."""
    project.build(out=tmp_path / name, full=True, **kw)  # type: ignore[arg-type]
    assert tree(project.out) == tree(tmp_path / name)


def pages_of(slug: str, folder: Path) -> set[str]:
    """A petition's files in the output `folder` (its own pages, its count file, its embed…)."""
    folders = (f"petitions/{slug}/", f"data/petitions/{slug}/")  # its pages, its open data
    found = {p for p in snapshot(folder) if p.startswith(folders)}
    assert found > {f"petitions/{slug}/index.html", count_path(slug)} | {
        f"petitions/{slug}/{name}/index.html" for name in LANDING_PAGES
    }
    return found


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The numbers of the index pages the builds render (with workers=1: all in this process)."""
    numbers: list[int] = []
    index_page = Renderer._index_page

    def spy(self: Renderer, n: int, *args: object) -> bytes:
        numbers.append(n)
        return index_page(self, n, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Renderer, "_index_page", spy)
    return numbers


@pytest.fixture
def many(project: Project) -> Project:
    """The project with eleven petitions, built once, every file aged."""
    listed(project).build()
    return project


def test_new_title_rewrites_only_the_index_page_listing_it(
    many: Project, tmp_path: Path, rendered: list[int]
) -> None:
    before = aged(many.out)
    many.write("p-03", petition_text("Renamed 03", count=970))
    report = many.build()
    assert report.rendered == 1
    assert rendered == [2]  # the other index pages are not even rendered
    # The feed shows titles, the sitemap does not; page 2 lists p-02 and p-03.
    # Its card on page 2 of the index and of the open petitions; the feed shows titles.
    listing = {"page/2/index.html", "open/page/2/index.html", "feed.xml", PETITIONS_FILE}
    assert rewritten(before, many.out) == pages_of("p-03", many.out) | listing
    assert b"Renamed 03" in (many.out / "page/2/index.html").read_bytes()
    assert_same_as_full_build(many, tmp_path, "full")


class Raised:
    """Counts as a store would give them: p-06 up from 940 to 995, the others imported."""

    def tallies(self, content: Content) -> dict[str, Tally]:
        """Imported tallies, but p-06 with 995 signatures and its milestones as they were."""
        out = {p.slug: p.imported for p in content.petitions}
        out["p-06"] = Tally(995, out["p-06"].milestones)
        return out


def test_count_that_reorders_the_index_rewrites_the_pages_it_moves(
    many: Project, tmp_path: Path, rendered: list[int]
) -> None:
    before = aged(many.out)
    report = many.build(counts=Raised())
    assert report.rendered == 1
    assert sorted(rendered) == [1, 2, 3, 4]
    # p-06 moves from page 4 to page 1, pushing p-01..p-05 one place down; pages 5 and 6 and
    # the feed and sitemap (no counts) stay as they were.
    moved = {"index.html", "page/2/index.html", "page/3/index.html", "page/4/index.html"}
    moved |= {"open/" + rel for rel in moved}  # the open petitions' list: the same pages
    assert rewritten(before, many.out) == pages_of("p-06", many.out) | moved | {PETITIONS_FILE}
    first = (many.out / "index.html").read_text("utf-8")
    assert first.index("Petition 00") < first.index("Petition 06") < first.index("995")
    assert_same_as_full_build(many, tmp_path, "full", counts=Raised())


def test_count_that_keeps_the_order_rewrites_one_index_page(many: Project) -> None:
    before = aged(many.out)
    many.write("p-05", petition_text("Petition 05", count=951))
    many.build()
    listing = {"page/3/index.html", "open/page/3/index.html", PETITIONS_FILE}  # its count
    assert rewritten(before, many.out) == pages_of("p-05", many.out) | listing


def test_count_change_plans_the_site_without_reading_other_petitions(
    many: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The index, feed and sitemap are planned from the content index: no other parsed
    # petition is unpickled when one petition's count changes (and the feed stays as it was).
    shards: list[int] = []
    read_shard = sources._Store.read_shard

    def spy(self: sources._Store, n: int) -> object:
        shards.append(n)
        return read_shard(self, n)

    monkeypatch.setattr(sources._Store, "read_shard", spy)
    before = aged(many.out)
    many.write("p-05", petition_text("Petition 05", count=951))
    many.build()
    saved = len(shards)  # the shard of p-05, read to be rewritten
    listing = {"page/3/index.html", "open/page/3/index.html", PETITIONS_FILE}  # its count
    assert rewritten(before, many.out) == pages_of("p-05", many.out) | listing
    assert saved <= 1
    assert_same_as_full_build(many, tmp_path, "full")


def test_incremental_builds_match_full_builds(many: Project, tmp_path: Path) -> None:
    petitions = many.content / "petitions"
    steps = [
        lambda: many.write("p-00", petition_text("Petition 00", status="won", count=1000)),
        lambda: (petitions / "p-07.md").unlink(),
        lambda: [(petitions / f"p-0{i}.md").unlink() for i in (1, 2, 3)],
        lambda: many.write("p-09", petition_text("A new one", count=26)),
        lambda: many.write("fix-the-footpath", petition_text("Fix the footpath", body="New.\n")),
    ]
    for i, step in enumerate(steps):
        step()
        assert not many.build().full
        assert_same_as_full_build(many, tmp_path, f"full-{i}")
    assert not (many.out / "page/6").exists()  # 8 petitions left: 4 pages


def test_body_change_leaves_every_site_page_alone(many: Project, rendered: list[int]) -> None:
    before = aged(many.out)
    many.write("p-04", petition_text("Petition 04", count=960, body="Other reasons.\n"))
    many.build()
    assert rewritten(before, many.out) == pages_of("p-04", many.out)
    assert rendered == []


def test_template_change_renders_every_index_page(many: Project, rendered: list[int]) -> None:
    template = many.templates / "index.html"
    text = template.read_text("utf-8")
    template.write_text(text.replace("<h1>{{ heading }}", "<h1>All: {{ heading }}"))
    many.build()
    assert sorted(rendered) == [1, 2, 3, 4, 5, 6]
    assert "<h1>All: Petitions, page 6 of 6" in (many.out / "page/6/index.html").read_text("utf-8")
    assert "<h1>All: Victories" in (many.out / "won/index.html").read_text("utf-8")


def test_manifest_of_an_older_format_means_a_full_build(many: Project) -> None:
    path = manifest_path(many.out)
    data = json.loads(path.read_text("utf-8"))
    data["format"] -= 1
    path.write_text(json.dumps(data), encoding="utf-8")
    report = many.build()
    assert (report.full, report.rendered) == (True, 11)
    assert many.build().full is False

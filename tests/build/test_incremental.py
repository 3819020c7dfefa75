"""The engine: deterministic output, incremental rebuilds, and nothing half-written."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from generator.build.output import MANIFEST_FORMAT, manifest_path
from generator.content.loading import load_content
from generator.model import Content, Milestone, Tally
from generator.render.countfile import count_path
from generator.render.pages import LANDING_PAGES, Entry, Renderer
from tests.build.conftest import Project, petition_text, snapshot

FOOTPATH = "petitions/fix-the-footpath/index.html"
FOOTPATH_PAGES = {FOOTPATH, count_path("fix-the-footpath")} | {
    f"petitions/fix-the-footpath/{name}/index.html" for name in LANDING_PAGES
}


def files_of(snap: dict[str, tuple[int, bytes]], slug: str) -> set[str]:
    """A petition's files in a snapshot of the output: everything in its folder and in its
    open data's folder."""
    return {p for p in snap if p.startswith((f"petitions/{slug}/", f"data/petitions/{slug}/"))}


def changed(before: dict[str, tuple[int, bytes]], after: dict[str, tuple[int, bytes]]) -> set[str]:
    """Paths added, removed or rewritten (new mtime) between two snapshots."""
    paths = before.keys() | after.keys()
    return {p for p in paths if before.get(p, (0,))[0] != after.get(p, (0,))[0]}


def test_same_input_gives_same_bytes(project: Project, tmp_path: Path) -> None:
    project.build(out=tmp_path / "one")
    (tmp_path / "cache").rename(tmp_path / "old-cache")  # second build renders Markdown again
    project.build(out=tmp_path / "two", full=True)
    one = {k: v[1] for k, v in snapshot(tmp_path / "one").items()}
    two = {k: v[1] for k, v in snapshot(tmp_path / "two").items()}
    assert one.keys() == two.keys()
    assert FOOTPATH in one and "index.html" in one and "sitemap.xml" in one
    assert one == two


def test_pool_and_single_process_give_same_bytes(project: Project, tmp_path: Path) -> None:
    for i in range(60):
        project.write(f"petition-{i:02d}", petition_text(f"Petition number {i}", count=25 + i * 10))
    project.build(out=tmp_path / "one", workers=1)
    report = project.build(out=tmp_path / "two", workers=2)
    assert report.rendered == 63
    one = {k: v[1] for k, v in snapshot(tmp_path / "one").items()}
    assert one == {k: v[1] for k, v in snapshot(tmp_path / "two").items()}


def test_rebuild_without_changes_renders_and_writes_nothing(project: Project) -> None:
    first = project.build()
    assert (first.rendered, first.unchanged) == (3, 0)
    before = snapshot(project.out)
    again = project.build()
    assert (again.rendered, again.unchanged, again.written) == (0, 3, 0)
    assert snapshot(project.out) == before


def test_changing_one_petition_rewrites_only_its_pages(project: Project) -> None:
    project.build()
    before = snapshot(project.out)
    project.write("fix-the-footpath", petition_text("Fix the footpath", body="New reasons.\n"))
    report = project.build()
    assert (report.rendered, report.unchanged) == (1, 2)
    after = snapshot(project.out)
    assert changed(before, after) == files_of(after, "fix-the-footpath") > FOOTPATH_PAGES
    assert b"New reasons." in after[FOOTPATH][1]


def test_new_title_rewrites_its_pages_and_the_site_pages_listing_it(project: Project) -> None:
    project.build()
    before = snapshot(project.out)
    project.write("fix-the-footpath", petition_text("Mend the footpath"))
    project.build()
    after = snapshot(project.out)
    assert changed(before, after) > FOOTPATH_PAGES
    assert {"sitemap.xml", "feed.xml"} & changed(before, after)
    assert not {"404.html", "robots.txt"} & changed(before, after)


def test_template_change_rerenders_every_petition(project: Project) -> None:
    project.build()
    with (project.templates / "base.html").open("a", encoding="utf-8") as f:
        f.write("{# a comment changes the fingerprint #}\n")
    report = project.build()
    assert (report.rendered, report.unchanged) == (3, 0)


def test_removed_petition_loses_its_folder(project: Project) -> None:
    project.build()
    files = files_of(snapshot(project.out), "save-the-pool")  # pages, count file, badge…
    (project.content / "petitions" / "save-the-pool.md").unlink()
    report = project.build()
    assert report.petitions == 2 and report.deleted == len(files) + 1  # and index page 2
    assert (project.out / "closed/index.html").is_file()  # now empty, but linked from the nav
    assert not (project.out / "petitions" / "save-the-pool").exists()
    assert not (project.out / "page").exists()
    assert b"save-the-pool" not in (project.out / "sitemap.xml").read_bytes()
    assert "save-the-pool" not in json.loads(manifest_path(project.out).read_text())["petitions"]


def test_full_rerenders_everything(project: Project) -> None:
    project.build()
    before = snapshot(project.out)
    report = project.build(full=True)
    assert (report.rendered, report.full) == (3, True)
    assert {k: v[1] for k, v in before.items()} == {
        k: v[1] for k, v in snapshot(project.out).items()
    }


class OneMoreSignature:
    """Counts as a store would give them: one more signature and a milestone for one slug."""

    def tallies(self, content: Content) -> dict[str, Tally]:
        """Imported tallies, with fix-the-footpath at 50 and its 50 milestone reached."""
        out = {p.slug: p.imported for p in content.petitions}
        old = out["fix-the-footpath"]
        reached = Milestone(50, old.milestones[-1].reached_at.replace(year=2025))
        out["fix-the-footpath"] = Tally(50, (*old.milestones, reached))
        return out


def test_new_count_rerenders_only_that_petition(project: Project) -> None:
    project.build()
    report = project.build(counts=OneMoreSignature())
    assert (report.rendered, report.unchanged) == (1, 2)
    page = (project.out / FOOTPATH).read_text("utf-8")
    assert '<strong id="count">50</strong>' in page
    assert "50 signatures reached" in page


def test_failed_render_leaves_output_and_no_temporary_folders(project: Project) -> None:
    project.build()
    before = snapshot(project.out)
    manifest = manifest_path(project.out).read_bytes()
    page = project.templates / "base.html"
    page.write_text(page.read_text("utf-8") + "{{ no_such_variable }}", encoding="utf-8")
    for full in (False, True):
        with pytest.raises(Exception, match="no_such_variable"):
            project.build(full=full)
        assert snapshot(project.out) == before
        assert manifest_path(project.out).read_bytes() == manifest
        assert sorted(p.name for p in project.root.iterdir()) == [
            ".out.manifest.json",
            "cache",
            "content",
            "out",
            "templates",
        ]


def test_stale_manifest_means_a_full_build(project: Project) -> None:
    project.build()
    manifest_path(project.out).write_text(
        json.dumps({"format": MANIFEST_FORMAT, "stale": True}), "utf-8"
    )
    report = project.build()
    assert (report.full, report.rendered) == (True, 3)
    assert "fix-the-footpath" in json.loads(manifest_path(project.out).read_text())["petitions"]


def test_content_cache_picks_up_an_edit_with_the_same_size(project: Project) -> None:
    project.build()
    path = project.content / "petitions" / "fix-the-footpath.md"
    text = path.read_text("utf-8")
    path.write_text(text.replace("Fix the footpath", "Fix the foot-path"[:16]), encoding="utf-8")
    assert path.read_text("utf-8") != text and len(path.read_text("utf-8")) == len(text)
    report = project.build()
    assert report.rendered == 1
    assert b"Fix the foot-pat" in (project.out / FOOTPATH).read_bytes()


def test_site_wide_pages_do_not_show_bodies(project: Project) -> None:
    # The engine skips the site-wide pages when only bodies changed; this holds it to that.
    content = load_content(project.content)
    renderer = Renderer(content.site, project.templates)

    def pages(body: str, source_hash: str) -> dict[str, bytes]:
        entries = [
            Entry(replace(p, body=body, source_hash=source_hash, path="x"), p.imported, "<p>a</p>")
            for p in content.petitions
        ]
        return renderer.site_pages(entries)

    assert pages("one body", "1" * 64) == pages("another body", "2" * 64)

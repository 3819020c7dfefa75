"""Rebuilding the status and tag lists, the embed pages and the badges: only what shows a
change is rewritten, and an incremental build gives what a full one does."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.model import Content, Tally
from tests.build.conftest import Project, petition_text
from tests.build.test_index_pages import aged, assert_same_as_full_build, rewritten

SVG = "{http://www.w3.org/2000/svg}"


def tagged(title: str, tags: str, status: str = "open", count: int = 30) -> str:
    """A petition's text with tags (a YAML list)."""
    return petition_text(title, status, count=count).replace("status:", f"tags: {tags}\nstatus:", 1)


@pytest.fixture
def tags(project: Project) -> Project:
    """The three petitions, the footpath and the crossing tagged, built once, every file aged."""
    project.write("fix-the-footpath", tagged("Fix the footpath", "[walking, roads]"))
    project.write("safe-crossing", tagged("Build a safe crossing", "[walking]", "won", 600))
    project.build()
    aged(project.out)
    return project


def own(project: Project, slug: str) -> set[str]:
    """A petition's files: its folder's and its open data's (daily.csv)."""
    folders = (project.out / "petitions" / slug, project.out / "data" / "petitions" / slug)
    return {
        p.relative_to(project.out).as_posix() for f in folders for p in f.rglob("*") if p.is_file()
    }


def badge_text(project: Project, slug: str) -> list[str | None]:
    root = ET.parse(project.out / "petitions" / slug / "badge.svg").getroot()
    return [t.text for t in root.iter(f"{SVG}text")]


def test_the_first_build_writes_the_lists_embeds_and_badges(tags: Project) -> None:
    out = tags.out
    lists = ["open/", "won/", "closed/", "tags/", "tags/walking/", "tags/roads/"]
    pool = ["petitions/save-the-pool/embed/index.html", "petitions/save-the-pool/badge.svg"]
    for rel in [folder + "index.html" for folder in lists] + pool:
        assert (out / rel).is_file(), rel
    walking = (out / "tags/walking/index.html").read_text("utf-8")
    assert "Fix the footpath" in walking and "Build a safe crossing" in walking
    assert "Save the pool" not in walking
    assert badge_text(tags, "safe-crossing") == ["signatures", "600"]


def test_a_new_tag_rewrites_its_petition_its_cards_and_the_tag_pages(
    tags: Project, tmp_path: Path
) -> None:
    before = aged(tags.out)
    tags.write("save-the-pool", tagged("Save the pool", "[Roads]", "closed", 120))
    report = tags.build()
    assert report.rendered == 1
    assert rewritten(before, tags.out) == own(tags, "save-the-pool") | {
        "page/2/index.html", "closed/index.html",  # its cards show the tag
        "tags/index.html", "tags/roads/index.html",  # roads: 2 petitions now
    }  # fmt: skip
    assert "Save the pool" in (tags.out / "tags/roads/index.html").read_text("utf-8")
    assert_same_as_full_build(tags, tmp_path, "full")


def test_the_last_petition_of_a_tag_takes_its_page_away(tags: Project, tmp_path: Path) -> None:
    tags.write("fix-the-footpath", tagged("Fix the footpath", "[walking]"))
    tags.build()
    assert not (tags.out / "tags/roads").exists()
    assert b"/tags/roads/" not in (tags.out / "sitemap.xml").read_bytes()
    assert b"/tags/roads/" not in (tags.out / "tags/index.html").read_bytes()
    assert_same_as_full_build(tags, tmp_path, "full")


def test_a_victory_moves_a_petition_from_the_open_list_to_the_won_one(
    tags: Project, tmp_path: Path
) -> None:
    before = aged(tags.out)
    tags.write("fix-the-footpath", tagged("Fix the footpath", "[walking, roads]", "won"))
    tags.build()
    changed = rewritten(before, tags.out) - own(tags, "fix-the-footpath")
    assert {"open/index.html", "won/index.html", "index.html"} <= changed
    assert {"tags/walking/index.html", "tags/roads/index.html"} <= changed  # its badge
    assert "closed/index.html" not in changed and "tags/index.html" not in changed
    assert "Fix the footpath" not in (tags.out / "open/index.html").read_text("utf-8")
    assert "Fix the footpath" in (tags.out / "won/index.html").read_text("utf-8")
    assert_same_as_full_build(tags, tmp_path, "full")


class Counted:
    """Counts as a store would give them: the footpath at 1,234, the others imported."""

    def tallies(self, content: Content) -> dict[str, Tally]:
        """Imported tallies but the footpath's."""
        out = {p.slug: p.imported for p in content.petitions}
        out["fix-the-footpath"] = Tally(1234, out["fix-the-footpath"].milestones)
        return out


def test_a_new_count_moves_the_badge_and_the_embed(tags: Project, tmp_path: Path) -> None:
    before = aged(tags.out)
    tags.build(counts=Counted())
    changed = rewritten(before, tags.out)
    footpath = "petitions/fix-the-footpath/"
    assert {footpath + "badge.svg", footpath + "embed/index.html"} <= changed
    assert badge_text(tags, "fix-the-footpath") == ["signatures", "1,234"]
    assert ">1,234<" in (tags.out / footpath / "embed/index.html").read_text("utf-8")
    assert not {p for p in changed if p.startswith("petitions/save-the-pool/")}
    assert "tags/roads/index.html" in changed and "won/index.html" not in changed
    assert_same_as_full_build(tags, tmp_path, "full", counts=Counted())


def test_a_body_change_leaves_the_lists_alone(tags: Project) -> None:
    before = aged(tags.out)
    tags.write(
        "fix-the-footpath",
        tagged("Fix the footpath", "[walking, roads]").replace("matters.", "matters a lot."),
    )
    tags.build()
    assert rewritten(before, tags.out) == own(tags, "fix-the-footpath")

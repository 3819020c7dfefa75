"""Folder petitions in the incremental build: a change to any file of a bundle (an update
included) rebuilds that petition's pages, and only the site-wide pages that show it."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import ContentErrors
from tests.build.conftest import Project, snapshot
from tests.build.test_incremental import changed, files_of

SLUG = "safe-crossing"  # won: it may carry a victory
UPDATE = """\
---
title: {title}
date: {day}T10:00:00+13:00
kind: victory
---
{body}
"""
PAGE = f"petitions/{SLUG}/updates/2024-03-01-we-won/index.html"


def bundle(project: Project) -> Path:
    """Turn safe-crossing.md into safe-crossing/index.md with one update; its updates/."""
    single = project.content / "petitions" / f"{SLUG}.md"
    folder = project.content / "petitions" / SLUG
    (folder / "updates").mkdir(parents=True)
    single.rename(folder / "index.md")
    write_update(folder / "updates", "We won", "The crossing is built.")
    return folder / "updates"


def write_update(folder: Path, title: str, body: str, name: str = "2024-03-01-we-won") -> Path:
    """Write updates/<name>.md, dated the day its name says."""
    path = folder / f"{name}.md"
    path.write_text(UPDATE.format(title=title, day=name[:10], body=body), encoding="utf-8")
    return path


def test_a_petition_turned_into_a_folder_keeps_its_address(project: Project) -> None:
    project.build()
    before = snapshot(project.out)
    bundle(project)

    report = project.build()

    assert (report.petitions, report.rendered) == (3, 1)
    after = snapshot(project.out)
    assert before.keys() < after.keys()  # every page is still there, and the update's page
    assert PAGE in after and f"petitions/{SLUG}/feed.xml" in before


def test_editing_an_update_rebuilds_only_its_petition_and_the_feed(project: Project) -> None:
    updates = bundle(project)
    project.build()
    before = snapshot(project.out)

    write_update(updates, "We won", "The crossing is built, and painted.")
    report = project.build()

    assert (report.rendered, report.unchanged) == (1, 2)
    after = snapshot(project.out)
    assert changed(before, after) == files_of(after, SLUG) | {"feed.xml"}  # its summary
    assert b"and painted." in after[PAGE][1]


def test_a_new_update_adds_its_page_to_the_sitemap_and_feeds(project: Project) -> None:
    updates = bundle(project)
    project.build()
    before = snapshot(project.out)

    write_update(updates, "Delivered", "We handed it over.", name="2024-02-20-delivered")
    report = project.build()

    assert report.rendered == 1
    after = snapshot(project.out)
    new = f"petitions/{SLUG}/updates/2024-02-20-delivered/index.html"
    assert changed(before, after) == files_of(after, SLUG) | {"feed.xml", "sitemap.xml"}
    assert new in after and new not in before
    assert b"/updates/2024-02-20-delivered/" in after[f"petitions/{SLUG}/feed.xml"][1]


def test_a_removed_update_loses_its_page(project: Project) -> None:
    updates = bundle(project)
    project.build()

    (updates / "2024-03-01-we-won.md").unlink()
    report = project.build()

    assert (report.rendered, report.deleted) == (1, 1)
    assert not (project.out / PAGE).exists()
    assert b"/updates/" not in (project.out / "sitemap.xml").read_bytes()


def test_a_broken_update_stops_a_warm_build_and_writes_nothing(project: Project) -> None:
    updates = bundle(project)
    project.build()
    before = snapshot(project.out)
    (updates / "2024-03-01-we-won.md").write_text(
        UPDATE.format(title="We won", day="2024-03-01", body="").replace("victory", "triumph"),
        encoding="utf-8",
    )

    with pytest.raises(ContentErrors) as caught:
        project.build()

    assert [str(e).split(": ")[1] for e in caught.value.errors] == ["kind", "body"]
    assert snapshot(project.out) == before


@pytest.mark.parametrize("where", ["folder", "both"])
def test_a_folder_that_is_no_petition_stops_a_warm_build(project: Project, where: str) -> None:
    project.build()
    if where == "folder":  # a folder without index.md
        (project.content / "petitions" / "drafts").mkdir()
        expected = "content/petitions/drafts:1: folder: "
    else:  # one slug as a file and as a folder
        (project.content / "petitions" / "save-the-pool").mkdir()
        (project.content / "petitions" / "save-the-pool" / "index.md").write_bytes(
            (project.content / "petitions" / "save-the-pool.md").read_bytes()
        )
        expected = "content/petitions/save-the-pool.md:1: slug: duplicate slug 'save-the-pool'"

    with pytest.raises(ContentErrors) as caught:
        project.build()

    (error,) = caught.value.errors
    assert str(error).startswith(expected)

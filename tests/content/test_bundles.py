"""A petition may be a folder: content/petitions/<slug>/index.md with its pictures and updates/
beside it (a page bundle), next to single files. A folder there is a petition or an error."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.content.conftest import FRONT, ContentDir
from tests.support.pictures import write_picture

UPDATE = """\
---
title: The Council replies
date: 2024-03-01T10:00:00+13:00
kind: response
from: The Mayor's office
---
We will **fix it** in April.
"""


def write(path: Path, text: str) -> Path:
    """Write a file, making its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bundle_and_a_single_file_load_side_by_side(content: ContentDir) -> None:
    content.petition("fix-the-footpath.md")
    content.petition("mend-the-road/index.md", FRONT.replace("footpath", "road"))
    updates = content.root / "petitions" / "mend-the-road" / "updates"
    write(updates / "2024-03-01-council-replies.md", UPDATE)
    started = UPDATE.replace("kind: response", "kind: update").replace("03-01", "02-20")
    write(updates / "2024-02-20-we-started.md", started)

    single, bundle = content.load().petitions

    assert (single.slug, single.path, single.updates) == (
        "fix-the-footpath",
        "content/petitions/fix-the-footpath.md",
        (),
    )
    assert bundle.slug == "mend-the-road"
    assert bundle.path == "content/petitions/mend-the-road/index.md"
    assert bundle.title == "Fix the road on Main Street"
    first, second = bundle.updates  # oldest first, whatever the file names say
    assert (first.name, second.name) == ("2024-02-20-we-started", "2024-03-01-council-replies")
    assert second.path == "content/petitions/mend-the-road/updates/2024-03-01-council-replies.md"
    assert (second.title, second.kind, second.sender) == (
        "The Council replies",
        "response",
        "The Mayor's office",
    )
    assert second.date == datetime.fromisoformat("2024-03-01T10:00:00+13:00")
    assert second.body == "We will **fix it** in April."


def test_a_folder_without_index_md_is_an_error_naming_the_folder(content: ContentDir) -> None:
    content.petition("fine.md")
    write(content.root / "petitions" / "mend-the-road" / "road.md", "---\n")

    (error,) = content.errors()

    assert error.startswith("content/petitions/mend-the-road:1: folder: ")
    assert "needs an index.md (content/petitions/mend-the-road/index.md)" in error


def test_a_slug_both_as_file_and_as_folder_is_an_error_naming_both(content: ContentDir) -> None:
    content.petition("mend-the-road.md")
    content.petition("mend-the-road/index.md")

    (error,) = content.errors()

    assert error.startswith("content/petitions/mend-the-road.md:1: slug: duplicate slug")
    assert "content/petitions/mend-the-road/index.md has it too" in error
    assert "either a file <slug>.md or a folder <slug>/index.md; keep one" in error


def test_a_file_called_index_md_beside_the_petitions_is_refused(content: ContentDir) -> None:
    content.petition("index.md")

    (error,) = content.errors()

    assert error.startswith("content/petitions/index.md:1: file: index.md is a bundle's")


def test_markdown_in_a_bundle_that_nothing_reads_is_an_error(content: ContentDir) -> None:
    content.petition("mend-the-road/index.md")
    bundle = content.root / "petitions" / "mend-the-road"
    write(bundle / "2024-03-01-news.md", UPDATE)  # an update outside updates/
    write(bundle / "notes" / "draft.md", "ideas\n")

    errors = content.errors()

    assert [e.split(": ")[0] for e in errors] == [
        "content/petitions/mend-the-road/2024-03-01-news.md:1",
        "content/petitions/mend-the-road/notes/draft.md:1",
    ]
    assert "only index.md is read in a petition's folder; an update goes in updates/" in errors[0]


def test_other_files_and_hidden_ones_may_sit_in_a_bundle(content: ContentDir) -> None:
    content.petition("mend-the-road/index.md")
    bundle = content.root / "petitions" / "mend-the-road"
    write(bundle / "sources.txt", "Council minutes, 3 March\n")
    write(bundle / ".notes.md", "private\n")
    write(bundle / "updates" / ".DS_Store", "\0")
    write(content.root / "petitions" / ".drafts" / "idea.md", "not yet\n")

    (petition,) = content.load().petitions

    assert petition.slug == "mend-the-road" and petition.updates == ()


def test_a_bundle_finds_its_own_picture_beside_index_md(content: ContentDir) -> None:
    picture = FRONT + "image:\n  file: crossing.jpg\n  alt: Children at the kerb\n"
    content.petition("mend-the-road/index.md", picture)
    write_picture(content.root / "petitions" / "mend-the-road" / "crossing.jpg")
    write_picture(content.root / "pictures" / "crossing.jpg", shade=90)  # under content/: second

    (petition,) = content.load().petitions

    assert petition.image is not None
    assert petition.image.path == "content/petitions/mend-the-road/crossing.jpg"


def test_a_bundle_falls_back_to_pictures_under_content(content: ContentDir) -> None:
    picture = FRONT + "image:\n  file: pictures/crossing.jpg\n  alt: Children at the kerb\n"
    content.petition("mend-the-road/index.md", picture)
    write_picture(content.root / "pictures" / "crossing.jpg")

    (petition,) = content.load().petitions

    assert petition.image is not None
    assert petition.image.path == "content/pictures/crossing.jpg"


def test_a_bundles_folder_name_is_its_slug_and_is_checked(content: ContentDir) -> None:
    content.petition("Mend_The_Road/index.md")

    (error,) = content.errors()

    assert error.startswith("content/petitions/Mend_The_Road/index.md:1: slug: folder name must")


def test_a_changed_update_changes_the_petitions_source_hash(content: ContentDir) -> None:
    content.petition("mend-the-road/index.md")
    update = write(content.root / "petitions/mend-the-road/updates/2024-03-01-a.md", UPDATE)
    before = content.load().petitions[0].source_hash

    update.write_text(UPDATE.replace("April", "May"), encoding="utf-8")

    assert content.load().petitions[0].source_hash != before

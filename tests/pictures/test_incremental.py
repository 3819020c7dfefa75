"""Builds and the picture: its bytes decide a rebuild of its petition (a new picture, new files,
the old ones gone), its mtime alone does not, and nothing else does."""

from __future__ import annotations

import os
from pathlib import Path

from generator.build.counts import ContentCounts
from generator.build.engine import BuildOptions, BuildReport, build
from tests.pages.html_tree import parse
from tests.support.fixture_site import CLOSED, copy_site
from tests.support.pictures import write_picture

FOLDER = f"petitions/{CLOSED}"  # the fixture petition with a picture


class Site:
    """The fixture site copied into tmp_path, built with a cache, one process."""

    def __init__(self, root: Path) -> None:
        self.content, self.templates = copy_site(root)
        self.out, self.cache = root / "site", root / "cache"
        self.picture = self.content / "pictures" / "harbour-pool.jpg"

    def build(self) -> BuildReport:
        options = BuildOptions(
            self.content, self.templates, self.out, self.cache, counts=ContentCounts(), workers=1
        )
        return build(options)

    def files(self) -> dict[str, bytes]:
        return {
            p.relative_to(self.out).as_posix(): p.read_bytes()
            for p in sorted(self.out.rglob("*"))
            if p.is_file()
        }

    def pictures(self) -> set[str]:
        return {name for name in self.files() if name.startswith(f"{FOLDER}/picture-")}


def test_the_picture_file_decides_a_rebuild_of_its_petition_and_nothing_else(
    tmp_path: Path,
) -> None:
    site = Site(tmp_path)
    assert site.build().rendered == 4
    assert site.build().rendered == 0
    before, names = site.files(), site.pictures()
    assert len(names) == 6

    os.utime(site.picture, ns=(1_000_000_000 * 10**9,) * 2)  # touched, bytes as they were
    assert site.build().rendered == 0
    assert site.files() == before

    write_picture(site.picture, 1000, 600, shade=90)  # a new picture, same name and size
    report = site.build()

    assert report.rendered == 1
    after = site.files()
    assert site.pictures().isdisjoint(names) and len(site.pictures()) == 6  # old files deleted
    changed = {name for name in after.keys() & before.keys() if after[name] != before[name]}
    own = {name for name in changed if name.startswith(FOLDER)}
    assert own == {f"{FOLDER}/index.html", f"{FOLDER}/card.png"}
    smallest = next(n for n in site.pictures() if "/picture-480." in n and n.endswith(".webp"))
    for listing in changed - own:  # the index, status and tag pages: its card's picture
        assert f"/{smallest}".encode() in after[listing], listing
    srcset = parse(after[f"{FOLDER}/index.html"]).find("source").attrs["srcset"]
    assert all(f"/{name}" in srcset for name in site.pictures() if name.endswith(".webp"))
    assert site.build().rendered == 0


def test_another_petitions_change_leaves_the_pictures_alone(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.build()
    before = site.files()
    other = site.content / "petitions" / "free-bus-fares-for-students.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")

    assert site.build().rendered == 1
    assert {n: d for n, d in site.files().items() if n.startswith(FOLDER)} == {
        n: d for n, d in before.items() if n.startswith(FOLDER)
    }

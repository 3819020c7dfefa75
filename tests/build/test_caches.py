"""The caches behind fast rebuilds: rendered Markdown, parsed content, and losing them."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build.engine import check_conflicts
from generator.build.markdown_cache import MarkdownCache
from generator.build.output import (
    OutputConflict,
    PetitionRecord,
    manifest_path,
    safe_relpath,
    written_elsewhere,
)
from tests.build.conftest import Project, petition_text, snapshot


class Counting:
    """A Markdown renderer that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str) -> str:
        self.calls += 1
        return f"<p>{text}</p>"


def test_markdown_cache_renders_each_text_once_across_processes_and_runs(tmp_path: Path) -> None:
    render = Counting()
    first = MarkdownCache(tmp_path / "md", "1", render)
    assert first.render("*hi*") == "<p>*hi*</p>"
    assert first.render("*hi*") == "<p>*hi*</p>"
    first.close()
    second = MarkdownCache(tmp_path / "md", "1", render)
    assert second.render("*hi*") == "<p>*hi*</p>"
    assert (render.calls, second.hits, second.misses) == (1, 1, 0)
    second.close()


def test_markdown_cache_misses_when_the_markup_version_changes(tmp_path: Path) -> None:
    render = Counting()
    MarkdownCache(tmp_path / "md", "1", render).close()
    old = MarkdownCache(tmp_path / "md", "1", render)
    old.render("text")
    old.close()
    new = MarkdownCache(tmp_path / "md", "2", render)
    new.render("text")
    new.close()
    assert render.calls == 2


def test_markdown_cache_without_a_folder_keeps_nothing(tmp_path: Path) -> None:
    render = Counting()
    cache = MarkdownCache(None, "1", render)
    cache.render("a")
    cache.render("a")
    cache.close()
    assert render.calls == 2 and list(tmp_path.iterdir()) == []


def test_lost_markdown_cache_rebuilds_from_the_sources(project: Project) -> None:
    project.build()
    for path in (project.cache / "markdown").iterdir():
        path.unlink()
    with (project.templates / "base.html").open("a", encoding="utf-8") as f:
        f.write("{# changed #}\n")
    report = project.build()
    assert report.rendered == 3
    page = (project.out / "petitions" / "fix-the-footpath" / "index.html").read_text("utf-8")
    assert "<h3>Details</h3>" in page


def test_corrupt_content_cache_is_ignored(project: Project) -> None:
    project.build()
    for path in (project.cache / "content").rglob("*.pickle"):
        path.write_bytes(b"not a pickle")
    report = project.build()
    assert (report.rendered, report.unchanged) == (0, 3)


def test_two_producers_of_one_path_are_named(project: Project) -> None:
    records = {
        "a": PetitionRecord("k1", ["petitions/a/index.html"]),
        "b": PetitionRecord("k2", ["petitions/a/index.html"]),
    }
    with pytest.raises(OutputConflict, match="petition 'a' and by petition 'b'"):
        check_conflicts(records, {})
    with pytest.raises(OutputConflict, match="petition 'a' and by the site-wide pages"):
        check_conflicts({"a": records["a"]}, {"petitions/a/index.html": b""})


@pytest.mark.parametrize("rel", ["../x.html", "/etc/passwd", "a/../../b", "a\\b", ""])
def test_output_paths_stay_inside_the_output(rel: str) -> None:
    with pytest.raises(OutputConflict):
        safe_relpath(rel)


def test_forgotten_files_are_written_again(project: Project) -> None:
    project.build()
    page = project.out / "petitions" / "fix-the-footpath" / "index.html"
    page.write_text("written by a write-back", encoding="utf-8")
    (project.out / "index.html").write_text("written by a write-back", encoding="utf-8")
    written_elsewhere(project.out, ["petitions/fix-the-footpath/index.html", "index.html"])
    report = project.build()
    assert report.rendered == 1
    assert "written by" not in page.read_text("utf-8")
    assert "written by" not in (project.out / "index.html").read_text("utf-8")
    assert manifest_path(project.out).is_file()


def test_lost_parsed_petitions_are_read_again_from_the_sources(
    project: Project, tmp_path: Path
) -> None:
    project.build()
    for path in (project.cache / "content").rglob("[0-9]*.pickle"):
        path.unlink()  # the index stays: it still says every file is known
    project.write("save-the-pool", petition_text("Save the public pool", status="closed"))
    report = project.build()
    assert report.rendered == 1
    project.build(out=tmp_path / "full", full=True)
    assert snapshot_bytes(project.out) == snapshot_bytes(tmp_path / "full")


def snapshot_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under a folder: relative path -> bytes."""
    return {rel: data for rel, (_, data) in snapshot(folder).items()}

"""Loading a whole folder: every problem at once, duplicate slugs, paths and hashes."""

from __future__ import annotations

import hashlib
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from generator.content.loading import check_petition, load_content, load_petition, load_site
from generator.errors import ContentErrors
from tests.content.conftest import FRONT, ContentDir


def test_every_problem_in_every_file_is_reported_together(content: ContentDir) -> None:
    content.site("name: Test\nbase_url: https://example.org\ncolour: blue\n")
    content.petition("a.md", FRONT + "status: pending\n")
    content.petition("b.md", FRONT.replace("+13:00", ""), body="")
    content.petition("good.md")
    errors = content.errors()
    assert errors[-1].startswith("content/site.yaml:3: colour: unknown field; expected one of")
    assert [e.split(":", 2)[:2] for e in errors] == [
        ["content/petitions/a.md", "6"],
        ["content/petitions/b.md", "5"],
        ["content/petitions/b.md", "6"],
        *[["content/site.yaml", "1"]] * 5,
        ["content/site.yaml", "3"],
    ]


def test_slugs_equal_but_for_case_or_extension_are_duplicates(content: ContentDir) -> None:
    content.petition("fix.md")
    content.petition("fix.MD")
    assert content.errors() == [
        "content/petitions/fix.md:1: slug: duplicate slug 'fix':"
        " content/petitions/fix.MD has it too; rename one of them"
    ]


def test_petitions_come_sorted_with_path_hash_and_site_ladder(content: ContentDir) -> None:
    b = content.petition("b-petition.md")
    content.petition("a-petition.md", FRONT + "milestones: [5, 50]\n")
    (content.root / "petitions" / "notes.txt").write_text("not a petition", encoding="utf-8")
    loaded = content.load()
    a_petition, b_petition = loaded.petitions
    assert [p.slug for p in loaded.petitions] == ["a-petition", "b-petition"]
    assert a_petition.milestones == (5, 50)
    assert b_petition.milestones == (10, 100, 1000)
    assert b_petition.path == "content/petitions/b-petition.md"
    assert b_petition.source_hash == hashlib.sha256(b.read_bytes()).hexdigest()
    assert b_petition.body == "People using wheelchairs and prams cannot get past."
    assert b_petition.status == "open"
    assert b_petition.created.isoformat() == "2024-02-12T08:15:00+13:00"


def test_paths_outside_the_current_directory_are_shown_as_given(
    content: ContentDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = content.petition("fix.md", FRONT + "status: pending\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    site = load_site(Path("../content/site.yaml"))
    with pytest.raises(ContentErrors) as caught:
        load_petition(bad, site)
    assert str(caught.value).startswith(f"{bad}:6: status:")


def test_check_petition_results_cross_process_boundaries(content: ContentDir) -> None:
    good = content.petition("good.md")
    bad = content.petition("bad.md", FRONT + "status: pending\n")
    site = load_site(content.root / "site.yaml")
    for path in (good, bad):
        result = check_petition(path, site)
        assert pickle.loads(pickle.dumps(result)) == result


def test_content_loading_needs_no_templating_or_markdown() -> None:
    code = (
        "import sys, generator.content.loading; "
        "print(sorted(m for m in ('jinja2', 'markdown', 'nh3', 'boto3') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_an_empty_petitions_folder_is_a_site_without_petitions(content: ContentDir) -> None:
    assert load_content(Path("content")).petitions == ()

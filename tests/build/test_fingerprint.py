"""Everything that shapes a page is in its build key: edit any render module or the milestone
arithmetic, or upgrade markdown, nh3 or jinja2, and the next incremental build renders anew.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.render import fingerprint
from tests.build.conftest import ROOT, Project


@pytest.fixture
def fresh_fingerprints() -> Iterator[None]:
    """Forget the fingerprints this process worked out, before and after the test."""
    fingerprint.code_fingerprint.cache_clear()
    fingerprint.markup_fingerprint.cache_clear()
    yield
    fingerprint.code_fingerprint.cache_clear()
    fingerprint.markup_fingerprint.cache_clear()


def _upgraded(name: str, version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the build believe `name` is installed at `version`."""
    real = fingerprint.library_versions

    def versions(names: object) -> dict[str, str]:
        found = real(names)  # type: ignore[arg-type]
        return {k: (version if k == name else v) for k, v in found.items()}

    monkeypatch.setattr(fingerprint, "library_versions", versions)


@pytest.mark.parametrize("library", ["markdown", "nh3", "jinja2"])
def test_a_library_upgrade_renders_every_page_again(
    library: str, project: Project, monkeypatch: pytest.MonkeyPatch, fresh_fingerprints: None
) -> None:
    assert project.build().rendered == 3
    assert project.build().rendered == 0

    _upgraded(library, "999.0", monkeypatch)
    fingerprint.code_fingerprint.cache_clear()
    fingerprint.markup_fingerprint.cache_clear()

    assert project.build().rendered == 3
    assert project.build().rendered == 0


def test_markdown_is_rendered_again_only_when_what_renders_it_changes(
    monkeypatch: pytest.MonkeyPatch, fresh_fingerprints: None
) -> None:
    before = fingerprint.markup_fingerprint()
    _upgraded("jinja2", "999.0", monkeypatch)
    fingerprint.markup_fingerprint.cache_clear()
    assert fingerprint.markup_fingerprint() == before  # templates do not shape Markdown's HTML
    _upgraded("nh3", "999.0", monkeypatch)
    fingerprint.markup_fingerprint.cache_clear()
    assert fingerprint.markup_fingerprint() != before


def test_the_fingerprint_covers_every_render_module_and_the_milestone_arithmetic() -> None:
    names = {f"{p.parent.name}/{p.name}" for p in fingerprint.shaping_files()}
    render = {f"render/{p.name}" for p in (ROOT / "generator" / "render").glob("*.py")}
    assert render <= names
    assert {"generator/milestones.py", "generator/model.py"} <= names


def _copy_of_the_code(tmp_path: Path) -> Path:
    """A copy of build.py and the generator package that a test may edit."""
    code = tmp_path / "code"
    shutil.copytree(ROOT / "generator", code / "generator", ignore=shutil.ignore_patterns("__py*"))
    shutil.copy(ROOT / "build.py", code / "build.py")
    return code


def _build(code: Path, project: Project) -> str:
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, str(code / "build.py"), *project.args()],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize(
    ("module", "old", "new", "page", "shown"),
    [  # a label on the index, and the goal arithmetic the petition page shows
        ("render/browse.py", '"open": "Open"', '"open": "Signed now"', "index.html", "Signed now"),
        (
            "milestones.py",
            "return goal\n",
            "return goal * 2\n",
            "petitions/fix-the-footpath/index.html",
            'data-goal="100"',
        ),
    ],
)
def test_editing_code_that_shapes_pages_rebuilds_them(
    module: str, old: str, new: str, page: str, shown: str, project: Project, tmp_path: Path
) -> None:
    project.write(
        "fix-the-footpath",
        (project.content / "petitions" / "fix-the-footpath.md")
        .read_text(encoding="utf-8")
        .replace("status: open\n", "status: open\ngoal: 50\n"),
    )
    code = _copy_of_the_code(tmp_path)
    assert "3 rendered" in _build(code, project)
    assert "0 rendered" in _build(code, project)
    before = (project.out / page).read_text(encoding="utf-8")

    source = code / "generator" / module
    text = source.read_text(encoding="utf-8")
    assert old in text
    source.write_text(text.replace(old, new, 1), encoding="utf-8")

    assert "3 rendered" in _build(code, project)
    after = (project.out / page).read_text(encoding="utf-8")
    assert after != before
    assert shown in after

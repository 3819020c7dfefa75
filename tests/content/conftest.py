"""A content folder built in tmp_path, with the current directory set to tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.content.loading import load_content
from generator.errors import ContentErrors
from generator.model import Content

SITE = """\
name: Test Petitions
base_url: https://petitions.example.org/
time_zone: Pacific/Auckland
language: en-NZ
milestones: [10, 100, 1000]
organisation: Test Trust
privacy_url: https://example.org/privacy
"""

FRONT = """\
title: Fix the footpath on Main Street
target: Harbour City Council
ask: Repair the broken footpath outside the library.
created: 2024-02-12T08:15:00+13:00
"""

BODY = "People using wheelchairs and prams cannot get past.\n"


class ContentDir:
    """A content folder under construction: write files, then load it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "petitions").mkdir(parents=True)
        self.site(SITE)

    def site(self, text: str) -> Path:
        """Write site.yaml."""
        path = self.root / "site.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    def petition(self, name: str, front: str = FRONT, body: str = BODY) -> Path:
        """Write petitions/<name> (e.g. `x.md`, or `x/index.md` for a bundle) with front
        matter (from line 2) and a body."""
        path = self.root / "petitions" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
        return path

    def load(self) -> Content:
        """Load the folder through its path relative to the current directory."""
        return load_content(Path("content"))

    def errors(self) -> list[str]:
        """Every error message loading reports (loading must fail)."""
        with pytest.raises(ContentErrors) as caught:
            self.load()
        return [str(e) for e in caught.value.errors]


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ContentDir:
    """An empty but valid content folder at ./content, the current directory being tmp_path."""
    monkeypatch.chdir(tmp_path)
    return ContentDir(tmp_path / "content")

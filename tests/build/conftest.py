"""A small site to build in tmp_path: content, a copy of the templates, out and cache folders."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.build.counts import ContentCounts, CountSource
from generator.build.engine import BuildOptions, BuildReport, build

ROOT = Path(__file__).resolve().parents[2]

SITE = """\
name: Test Petitions
base_url: https://petitions.example.org
time_zone: Pacific/Auckland
language: en-NZ
milestones: [10, 25, 50, 100, 500, 1000]
organisation: Test Trust
privacy_url: https://example.org/privacy
signer_fields: [postcode]
per_page: 2
"""


def petition_text(title: str, status: str = "open", body: str = "", count: int = 30) -> str:
    """The text of a valid petition file."""
    body = body or f"Why {title.lower()} matters.\n\n## Details\n\n- one\n- two\n"
    return f"""\
---
title: {title}
target: Harbour City Council
ask: Please {title.lower()}, before **winter**.
created: 2024-02-12T08:15:00+13:00
status: {status}
location:
  name: Harbour City Library
  address: 1 Main Street, Harbour City
  lat: -41.2784
  lon: 174.7763
imported:
  count: {count}
  milestones:
    10: 2024-02-12T09:00:00+13:00
    25: 2024-02-13T10:30:00+13:00
---
{body}"""


@dataclass
class Project:
    """A project folder in tmp_path: content/, templates/, and where builds go."""

    root: Path

    @property
    def content(self) -> Path:
        """The content folder."""
        return self.root / "content"

    @property
    def templates(self) -> Path:
        """The project's own copy of the templates (tests may edit it)."""
        return self.root / "templates"

    @property
    def out(self) -> Path:
        """The output folder."""
        return self.root / "out"

    @property
    def cache(self) -> Path:
        """The cache folder."""
        return self.root / "cache"

    def write(self, slug: str, text: str) -> Path:
        """Write (or overwrite) petitions/<slug>.md."""
        path = self.content / "petitions" / f"{slug}.md"
        path.write_text(text, encoding="utf-8")
        return path

    def build(
        self,
        out: Path | None = None,
        full: bool = False,
        counts: CountSource | None = None,
        workers: int = 1,
    ) -> BuildReport:
        """Build the project through the engine's API."""
        options = BuildOptions(
            self.content,
            self.templates,
            out or self.out,
            self.cache,
            full,
            counts or ContentCounts(),
            workers,
        )
        return build(options)

    def args(self, *extra: str) -> list[str]:
        """Command-line arguments that build this project."""
        return [
            "--content",
            str(self.content),
            "--templates",
            str(self.templates),
            "--out",
            str(self.out),
            "--cache",
            str(self.cache),
            "--workers",
            "1",
            *extra,
        ]


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under a folder: relative path -> (mtime_ns, bytes)."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """Three petitions (open, closed, won) and the repo's templates, cwd = tmp_path."""
    monkeypatch.chdir(tmp_path)
    p = Project(tmp_path)
    (p.content / "petitions").mkdir(parents=True)
    (p.content / "site.yaml").write_text(SITE, encoding="utf-8")
    p.write("fix-the-footpath", petition_text("Fix the footpath"))
    p.write("save-the-pool", petition_text("Save the pool", status="closed", count=120))
    p.write("safe-crossing", petition_text("Build a safe crossing", status="won", count=600))
    shutil.copytree(ROOT / "templates", p.templates)
    return p

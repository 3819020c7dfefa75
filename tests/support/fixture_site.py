"""The fixture site the tests build: tests/fixtures/site/content, and its expected output.

Tests read this content (or content they write into tmp_path), never the organisers'
examples in content/, so an example can be renamed or rewritten without breaking a test.
Only tests/content/test_example_content.py reads content/: the examples must build clean.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.build.counts import ContentCounts, CountSource
from generator.build.engine import BuildOptions, BuildReport, build

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
FIXTURE = REPO / "tests" / "fixtures" / "site"
CONTENT = FIXTURE / "content"
EXPECTED = FIXTURE / "expected"

# The fixture's petitions. Index order: open first, then won, then closed; by count within.
OPEN = "speak-up-for-detained-gay-men"  # open: a map, a call to action, 731 imported, goal 1000
BARE = "free-bus-fares-for-students"  # open, no place, nothing imported: 10 signatures reach 10
WON = "crossing-outside-the-school"  # won, 843 imported; a bundle (folder) with two updates
WON_UPDATES = ("2024-02-20-council-replies", "2024-04-29-the-crossing-is-open")  # oldest first
CLOSED = "heat-the-harbour-pool"  # closed, a place without coordinates, 612 imported
SLUGS = (OPEN, BARE, WON, CLOSED)
OPEN_TITLE = "Tell the government to speak up for gay men detained in Chechnya"


def copy_content(content: Path) -> Path:
    """A copy of the fixture content at `content` (to edit, or to add petitions to)."""
    shutil.copytree(CONTENT, content)
    return content


def copy_site(work: Path) -> tuple[Path, Path]:
    """Copies of the fixture content and the repository's templates in `work`, as
    `work/content` and `work/templates`; returns both."""
    content = copy_content(work / "content")
    templates = work / "templates"
    shutil.copytree(TEMPLATES, templates)
    return content, templates


def build_fixture(
    out: Path, cache: Path | None = None, counts: CountSource | None = None
) -> BuildReport:
    """Build the fixture content with the repository's templates into `out` (one process,
    so the output is the same on every machine)."""
    options = BuildOptions(
        CONTENT, TEMPLATES, out, cache, full=True, counts=counts or ContentCounts(), workers=1
    )
    return build(options)

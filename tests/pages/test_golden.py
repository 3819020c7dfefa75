"""The fixture site builds into exactly the files in tests/fixtures/site/expected/.

Any change to what the site writes (a template, the Markdown, a filter, an asset and so its
hashed name) shows here as a unified diff. When the change is intended, regenerate the
expected files with `make golden` and review them in the commit. test_fixture_site.py checks
what matters on those pages by parsing them, so a careless regeneration cannot hide a
regression.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from tests.support.fixture_site import EXPECTED, build_fixture

REGENERATE = "make golden"


def files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by its path relative to it."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def tree_differences(expected: Path, built: Path) -> list[str]:
    """What differs between two folders: missing and extra files, and a unified diff of each
    text file whose bytes differ (binary files are named). Empty when they are the same."""
    want, got = files(expected), files(built)
    problems = [f"missing (expected, not built): {name}" for name in sorted(want.keys() - got)]
    problems += [f"extra (built, not expected): {name}" for name in sorted(got.keys() - want)]
    for name in sorted(want.keys() & got.keys()):
        if want[name] == got[name]:
            continue
        try:
            old, new = want[name].decode("utf-8"), got[name].decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"differs (binary): {name}")
            continue
        diff = difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            f"expected/{name}",
            f"built/{name}",
        )
        problems.append("".join(diff) or f"differs in line endings only: {name}")
    return problems


def test_the_fixture_site_builds_exactly_the_expected_files(tmp_path: Path) -> None:
    report = build_fixture(tmp_path / "site", tmp_path / "cache")

    assert report.petitions == 4
    problems = tree_differences(EXPECTED, tmp_path / "site")
    if problems:
        pytest.fail(
            "the built fixture site differs from tests/fixtures/site/expected/:\n\n"
            + "\n".join(problems)
            + f"\nIf the change is intended, run `{REGENERATE}` and review the diff.",
            pytrace=False,
        )


def test_the_comparison_shows_a_diff_and_names_missing_and_extra_files(tmp_path: Path) -> None:
    built = tmp_path / "built"
    shutil.copytree(EXPECTED, built)
    page = built / "index.html"
    page.write_text(page.read_text("utf-8").replace("<h1>Petitions</h1>", "<h1>Pétitions</h1>"))
    (built / "robots.txt").unlink()
    (built / "stray.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (script,) = (built / "assets").glob("sign.*.js")
    script.write_bytes(b"\xff\xfe")  # not UTF-8: no diff to show

    problems = tree_differences(EXPECTED, built)

    assert problems[:3] == [
        "missing (expected, not built): robots.txt",
        "extra (built, not expected): stray.png",
        f"differs (binary): assets/{script.name}",
    ]
    (diff,) = [p for p in problems if p.startswith("--- expected/index.html")]
    assert "\n+++ built/index.html\n" in diff
    assert "\n-<h1>Petitions</h1>\n+<h1>Pétitions</h1>\n" in diff
    assert tree_differences(EXPECTED, EXPECTED) == []


def test_regenerating_writes_what_the_build_writes(tmp_path: Path) -> None:
    from tests.fixtures.regenerate import regenerate

    target = tmp_path / "expected"
    target.mkdir()
    (target / "left-over.html").write_text("from an older build")

    written = regenerate(target)
    build_fixture(tmp_path / "built")

    assert "left-over.html" not in written
    assert written == sorted(files(tmp_path / "built"))
    assert tree_differences(tmp_path / "built", target) == []

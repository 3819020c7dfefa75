"""Every built page passes the W3C Nu HTML checker (npm `vnu-jar`, run on the installed Java).

html-validate (test_html_validate.py) checks our own rules; the Nu checker is the reference
reading of the HTML standard and catches what html-validate does not (a bad URL in an
attribute, say). Both run on the fixture site and on the rich pages html-validate builds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.pages.test_html_validate import build as build_rich_pages
from tests.support.fixture_site import REPO, build_fixture

VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def nu_check(folder: Path) -> list[dict[str, Any]]:
    """The Nu checker's errors for every HTML file under `folder` (empty when all pass).

    Fails (never skips) with what to install when Java or the jar is missing.
    """
    java = shutil.which("java")
    assert java, "Java is missing: the Nu checker needs a Java runtime; run `make system`"
    assert VNU_JAR.is_file(), f"the Nu checker is missing: no {VNU_JAR}; run `make node`"
    done = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--skip-non-html", "--errors-only", "--format", "json",
         str(folder)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )  # fmt: skip
    report = json.loads(done.stderr or "{}")  # the checker writes its JSON report to stderr
    messages: list[dict[str, Any]] = report.get("messages", [])
    if done.returncode != 0 and not messages:
        raise AssertionError(f"the Nu checker failed (exit {done.returncode}):\n{done.stderr}")
    return messages


def show(messages: list[dict[str, Any]], root: Path) -> str:
    """One line per message: `file:line: message`, paths relative to `root`."""
    lines = []
    for m in messages:
        where = m.get("url", "").removeprefix("file:").removeprefix(str(root) + "/")
        lines.append(f"{where}:{m.get('lastLine', '?')}: {m.get('type')}: {m.get('message')}")
    return "\n".join(lines)


def test_every_page_of_the_fixture_site_and_the_rich_pages_pass_the_nu_checker(
    tmp_path: Path,
) -> None:
    build_fixture(tmp_path / "fixture")
    build_rich_pages(tmp_path / "rich")
    pages = sorted(tmp_path.rglob("*.html"))
    assert len(pages) == 44 + 51  # the fixture site's pages, then html-validate's

    messages = nu_check(tmp_path)

    assert messages == [], show(messages, tmp_path)


def test_the_nu_checker_would_catch_the_old_inline_icon(tmp_path: Path) -> None:
    # The icon base.html used to inline: a data: URL with unescaped spaces.
    icon = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E"
    page = tmp_path / "index.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>x</title>'
        f'<link rel="icon" type="image/svg+xml" href="{icon}"></head>'
        "<body><p>x</p></body></html>",
        encoding="utf-8",
    )

    messages = nu_check(tmp_path)

    assert [m["type"] for m in messages] == ["error"], show(messages, tmp_path)
    assert "Space is not allowed" in messages[0]["message"], show(messages, tmp_path)

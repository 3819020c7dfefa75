"""Lighthouse on the petition, index, tag, embed and thank-you pages: accessibility, best
practices and SEO must score 100.

Performance is measured and reported (test-artifacts/lighthouse-<page>.txt and the test's
`performance` property) but not gated: on a shared, noisy machine it says little.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import CHROMIUM_FLAGS, EXAMPLE, ROOT, Site, require_chromium

pytestmark = pytest.mark.browser

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
GATED = ("accessibility", "best-practices", "seo")
TIMEOUT = 120


def chrome_flags() -> str:
    """The offline Chromium flags as one --chrome-flags value (the resolver rule quoted)."""
    return " ".join(
        ["--headless=new"] + [f'"{flag}"' if " " in flag else flag for flag in CHROMIUM_FLAGS]
    )


def run_lighthouse(url: str, report: Path) -> dict[str, Any]:
    """Lighthouse's JSON report of `url`, using Debian's Chromium."""
    if not LIGHTHOUSE.is_file():
        pytest.fail(
            "node_modules/.bin/lighthouse is missing; run `make node` (npm ci)", pytrace=False
        )
    command = [
        str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
        "--only-categories=accessibility,best-practices,seo,performance",
        f"--chrome-flags={chrome_flags()}",
    ]  # fmt: skip
    env = {**os.environ, "CHROME_PATH": str(require_chromium())}
    done = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        cwd=report.parent,
    )
    assert done.returncode == 0 and report.is_file(), (
        f"{shlex.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return json.loads(report.read_text())


def shortfalls(result: dict[str, Any], category: str) -> list[str]:
    """The scored audits of a category that did not pass, with what Lighthouse says of them."""
    lines = []
    for ref in result["categories"][category]["auditRefs"]:
        audit = result["audits"][ref["id"]]
        if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
            items = (audit.get("details") or {}).get("items") or []
            lines.append(f"{ref['id']}: {audit['title']} {json.dumps(items[:3])[:400]}")
    return lines


PAGES = {
    "petition": f"/petitions/{EXAMPLE}/",
    "index": "/",
    "tag": "/tags/human-rights/",
    "embed": f"/petitions/{EXAMPLE}/embed/",
    "thank-you": f"/petitions/{EXAMPLE}/thanks/",
}


NOT_INDEXED = {"thank-you"}  # its only SEO shortfall may be "is-crawlable" (noindex, robots.txt)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_scores_100_for_accessibility_best_practices_and_seo(
    site: Site,
    artifacts: Path,
    tmp_path: Path,
    record_property: pytest.RecordProperty,
    name: str,
) -> None:
    """Lighthouse's default (mobile) profile; performance is reported, not gated."""
    url = site.url + PAGES[name]
    result = run_lighthouse(url, tmp_path / "lighthouse.json")
    (artifacts / f"lighthouse-{name}.json").write_text(json.dumps(result))

    scores = {key: category["score"] for key, category in result["categories"].items()}
    summary = " ".join(f"{key}={round(score * 100)}" for key, score in scores.items())
    (artifacts / f"lighthouse-{name}.txt").write_text(f"{url}\n{summary}\n")
    record_property("performance", round(scores["performance"] * 100))
    print(f"lighthouse {name}: {summary}")

    assert not result.get("runtimeError"), result["runtimeError"]
    failing = {key: shortfalls(result, key) for key in GATED if scores[key] < 1}
    if name in NOT_INDEXED:  # noindex on purpose: a thank-you page is no search result
        failing["seo"] = [f for f in failing.get("seo", []) if not f.startswith("is-crawlable:")]
        failing = {key: lines for key, lines in failing.items() if lines}
    assert not failing, f"Lighthouse below 100 on {url}: {summary}\n" + "\n".join(
        f"{key}: {line}" for key, lines in failing.items() for line in lines
    )

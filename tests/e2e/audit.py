"""What the accessibility tests measure on a page: axe-core's violations, and how far it
reaches past a phone's width."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.serve.launcher import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PHONE_WIDTH = 320


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The axe-core violations of the page as it is now (the tags above)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing; run `make node` (npm ci)", pytrace=False)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and element, for the failure message."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}"
        for v in violations
        for node in v["nodes"]
    )


def too_wide(page: Page, width: int = PHONE_WIDTH) -> tuple[int, list[str]]:
    """The page's scroll width, and the first few elements reaching past `width`."""
    scroll_width = int(page.evaluate("document.documentElement.scrollWidth"))
    wide = page.evaluate(
        """width => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 0.5)
            .slice(0, 5).map(e => e.outerHTML.slice(0, 80))""",
        width,
    )
    return scroll_width, list(wide)

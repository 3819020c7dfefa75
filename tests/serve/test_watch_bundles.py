"""Watching folder petitions: saving an update (a file two folders down) or adding one
rebuilds the served petition; a broken update is reported at its line and field."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.fixture_site import WON, WON_UPDATES

from .client import request
from .launcher import ServeProcess
from .test_watch import REBUILD_TIMEOUT, replace_line, wait_for_page

RESPONSE = WON_UPDATES[0]


def test_saving_an_update_rebuilds_its_page_and_its_petition(
    serve_copy: Callable[..., ServeProcess],
) -> None:
    server = serve_copy()
    updates = server.work / "content" / "petitions" / WON / "updates"

    replace_line(updates / f"{RESPONSE}.md", "title:", "title: The Council agrees to decide")

    wait_for_page(server, f"/petitions/{WON}/updates/{RESPONSE}/", "The Council agrees to decide")
    assert "The Council agrees to decide" in request(server.url, f"/petitions/{WON}/").text

    (updates / "2024-03-01-delivered.md").write_text(
        "---\ntitle: Handed over\ndate: 2024-03-01T09:00:00+13:00\nkind: delivery\n---\nDone.\n"
    )
    wait_for_page(server, f"/petitions/{WON}/", "Handed over")
    assert request(server.url, f"/petitions/{WON}/updates/2024-03-01-delivered/").status == 200


def test_a_broken_update_is_reported_and_the_site_kept(
    serve_copy: Callable[..., ServeProcess],
) -> None:
    server = serve_copy()
    update = server.work / "content" / "petitions" / WON / "updates" / f"{RESPONSE}.md"
    printed = len(server.lines)

    line = replace_line(update, "kind:", "kind: reply")

    error = server.wait_for_output(r"\.md:\d+: ", timeout=REBUILD_TIMEOUT, start=printed)
    assert error.startswith(f"content/petitions/{WON}/updates/{RESPONSE}.md:{line}: kind: ")
    server.wait_for_output("left as it was", start=printed)
    page = request(server.url, f"/petitions/{WON}/updates/{RESPONSE}/")
    assert page.status == 200 and "The Council will decide in March" in page.text

"""Watching: saving a petition or a template rebuilds the served site; a broken save does not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.support.eventually import eventually

from .client import request
from .conftest import EXAMPLE
from .launcher import ServeProcess

REBUILD_TIMEOUT = 8.0  # the watcher is told of a save at once; a rebuild takes well under 1 s


def wait_for_page(server: ServeProcess, path: str, text: str) -> str:
    """The page's HTML once it contains `text`; AssertionError if that never happens."""

    def showing() -> str | None:
        html = request(server.url, path).text
        return html if text in html else None

    return eventually(
        showing,
        REBUILD_TIMEOUT,
        interval=0.1,
        message=lambda: f"{path} showing {text!r}; serve printed:\n{server.output}",
    )


def replace_line(path: Path, old_start: str, new: str) -> int:
    """Replace the first line starting with `old_start`; returns its 1-based number."""
    lines = path.read_text().splitlines(keepends=True)
    for number, line in enumerate(lines, 1):
        if line.startswith(old_start):
            lines[number - 1] = new + "\n"
            path.write_text("".join(lines))
            return number
    raise AssertionError(f"no line starting {old_start!r} in {path}")


def test_saving_a_petition_rebuilds_its_page(serve_copy: Callable[..., ServeProcess]) -> None:
    server = serve_copy()
    source = server.work / "content" / "petitions" / f"{EXAMPLE}.md"

    replace_line(source, "title:", "title: Aotearoa stands with Chechnya's gay men")

    html = wait_for_page(server, f"/petitions/{EXAMPLE}/", "Aotearoa stands with Chechnya")
    assert "<h1>Aotearoa stands with Chechnya&#39;s gay men</h1>" in html
    assert "Aotearoa stands with Chechnya" in request(server.url, "/").text


def test_saving_a_template_rebuilds_the_site(serve_copy: Callable[..., ServeProcess]) -> None:
    server = serve_copy()
    template = server.work / "templates" / "404.html"

    template.write_text(template.read_text().replace("Page not found</h1>", "Nothing here</h1>"))

    wait_for_page(server, "/no-such-page", "<h1>Nothing here</h1>")


def test_broken_save_reports_file_line_field_and_keeps_the_old_site(
    serve_copy: Callable[..., ServeProcess],
) -> None:
    server = serve_copy()
    source = server.work / "content" / "petitions" / f"{EXAMPLE}.md"
    old_page = request(server.url, f"/petitions/{EXAMPLE}/").text
    printed = len(server.lines)

    line = replace_line(source, "tags:", "tags: [human-rights]\nstatus: pending")
    line += 1  # the status line follows the tags line

    error = server.wait_for_output(r"\.md:\d+: ", timeout=REBUILD_TIMEOUT, start=printed)
    assert error.startswith(f"content/petitions/{EXAMPLE}.md:{line}: status: ")
    assert "pending" in error
    server.wait_for_output("left as it was", start=printed)
    page = request(server.url, f"/petitions/{EXAMPLE}/")
    assert page.status == 200
    assert page.text == old_page
    assert request(server.url, f"/api/petitions/{EXAMPLE}").json()["status"] == "open"

    replace_line(source, "status:", "status: closed")  # fixed: the next save is picked up
    wait_for_page(server, f"/petitions/{EXAMPLE}/", "This petition is closed")


def test_a_template_saved_broken_keeps_the_old_site_and_the_watcher(
    serve_copy: Callable[..., ServeProcess],
) -> None:
    server = serve_copy()
    template = server.work / "templates" / "404.html"
    good = template.read_text()
    printed = len(server.lines)

    template.write_text(good + "{% if %}\n")

    error = server.wait_for_output(r"404\.html:\d+: error: ", REBUILD_TIMEOUT, start=printed)
    assert error.endswith("the site was left as it was; fix it and save again")
    assert request(server.url, "/no-such-page").text == (server.out / "404.html").read_text()
    template.write_text(good.replace("Page not found</h1>", "Still watching</h1>"))
    wait_for_page(server, "/no-such-page", "<h1>Still watching</h1>")
    assert "Traceback" not in server.output

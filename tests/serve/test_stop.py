"""Starting and stopping `serve` the way a developer does: Ctrl-C, or bad content at start."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from tests.support.fixture_site import copy_site

from .conftest import EXAMPLE
from .launcher import ServeProcess


def test_ctrl_c_stops_cleanly_and_frees_the_port(
    serve_copy: Callable[..., ServeProcess],
) -> None:
    server = serve_copy()
    server.wait_for_output(r"serving out/ and the signing API at http://127\.0\.0\.1:\d+/")

    status = server.interrupt()

    assert status == 0, server.output
    assert server.lines[-1] == "stopping"
    assert "Traceback" not in server.output
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", server.port)) != 0  # nothing listens any more


def test_bad_content_at_start_is_reported_and_nothing_is_served(tmp_path: Path) -> None:
    content, _ = copy_site(tmp_path)
    source = content / "petitions" / f"{EXAMPLE}.md"
    source.write_text(source.read_text().replace("target: ", "targte: ", 1))
    server = ServeProcess(tmp_path)

    status = server.process.wait(20)
    server.interrupt()

    assert status == 1
    assert f"content/petitions/{EXAMPLE}.md:3: targte: " in server.output
    assert "Traceback" not in server.output
    assert not (tmp_path / "out").exists()

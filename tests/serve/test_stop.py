"""Starting and stopping `serve` the way a developer does: Ctrl-C, bad content or a port in use
at start."""

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
    server = serve_copy()  # on --port 0: the line names the port it took
    server.wait_for_output(
        rf"serving out/ and the signing API at http://127\.0\.0\.1:{server.port}/"
    )

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


def test_a_port_in_use_is_named_with_how_to_choose_another_before_anything_is_built(
    tmp_path: Path,
) -> None:
    copy_site(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = ServeProcess(tmp_path, port=port)
        status = server.process.wait(20)
        server.interrupt()

    assert status == 1
    assert server.lines[0] == f"error: port {port} on 127.0.0.1 is already in use", server.output
    assert "--port N" in server.output
    assert "make serve PORT=N" in server.output
    assert "Traceback" not in server.output
    assert "built" not in server.output
    assert not (tmp_path / "out").exists()  # the address is taken before the build
    assert not (tmp_path / "signatures.db").exists()  # ... and before the store is opened

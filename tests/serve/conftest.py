"""Fixtures of the serve tests: `build.py serve` in a child process over a copy of the
fixture content, everything it writes kept under the test's temporary folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.fixture_site import OPEN, copy_site

from .launcher import ServeProcess, start_serve, stop_serve

EXAMPLE = OPEN  # open, with a history of 731 imported signatures


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """One server (no watching) shared by a module's read-mostly tests."""
    work = tmp_path_factory.mktemp("serve")
    copy_site(work)
    server = start_serve(work, watch=False)
    try:
        yield server
    finally:
        stop_serve(server)


@pytest.fixture
def serve_copy(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    """Start a server of this test's own over a fresh copy; `serve_copy(rate_limit=1)`."""
    started: list[ServeProcess] = []
    copy_site(tmp_path)

    def start(*, rate_limit: int = 0, watch: bool = True) -> ServeProcess:
        server = start_serve(tmp_path, rate_limit=rate_limit, watch=watch)
        started.append(server)
        return server

    yield start
    for server in started:
        stop_serve(server)

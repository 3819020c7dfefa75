"""Fixtures for the organiser's commands: a project folder, a store of each kind, signatures.

Counts move downstream of the store, from its change feed: `Project.count()` counts what is
waiting, as the counter (serve's thread, the aggregator function) would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.commands.main import main
from generator.content.loading import load_content
from generator.signing.signer import email_key
from generator.store import open_store
from generator.store.base import Signature, Store
from tests.support.counting import count_now
from tests.support.fixture_site import copy_content

SECRET = "organiser-tests-secret-0123456789"
START = datetime(2024, 6, 1, 2, 35, 51, tzinfo=UTC)  # 14:35:51 +1200 in Auckland


@dataclass
class Run:
    """What one command did: its exit status and what it printed."""

    status: int
    out: str
    err: str


@dataclass
class Project:
    """An organiser's folder (the current directory) with content and a store."""

    path: Path
    store_url: str
    store: Store
    capsys: pytest.CaptureFixture[str]

    def sign(
        self, slug: str, name: str, email: str, minutes: float = 0, **fields: object
    ) -> Signature:
        """Store a signature as the app would (email hashed with the app's key)."""
        signature = Signature(
            slug=slug, email_key=email_key(SECRET.encode(), email), name=name, email=email,
            signed_at=START + timedelta(minutes=minutes), **fields,  # type: ignore[arg-type]
        )  # fmt: skip
        assert self.store.sign(signature).added
        return signature

    def count(self) -> int:
        """Count what the store's change feed holds now, as the counter downstream would
        (with the project's content as it is now); how many changes it read."""
        return count_now(self.store, load_content(self.path / "content"))

    def run(self, *args: str) -> Run:
        """Run `build.py` with these arguments (and this project's store) in-process."""
        self.capsys.readouterr()
        status = main([*args, "--store", self.store_url])
        captured = self.capsys.readouterr()
        return Run(status, captured.out, captured.err)


@pytest.fixture(params=["sqlite", "moto"])
def project(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Project]:
    """A copy of the fixture content in the current directory, and an empty store of each kind."""
    copy_content(tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PETITION_SECRET", SECRET)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/data/signatures.db"
        store = open_store(url)
        store.init()
        yield Project(tmp_path, url, store, capsys)
        store.close()
        return
    from moto import mock_aws

    with mock_aws():
        url = "dynamodb://petitions?region=us-east-1"
        store = open_store(url)
        store.init()
        yield Project(tmp_path, url, store, capsys)
        store.close()

"""Fixtures of the write-back tests: the fixture site built into tmp_path, a SQLite store,
and a signing service whose clock is fixed so milestone times are known, counting each
signature at once with a counter whose milestone hooks are the test's (as `serve` and the
aggregator function do, from the change feed)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from generator.content.loading import load_content
from generator.counting.counter import MilestoneHook
from generator.model import Content
from generator.signing.service import SigningService
from generator.signing.settings import Settings
from generator.store import open_store
from generator.store.base import Store
from tests.support.counting import counting_inline

from .support import CONTENT, NOW, Built, build_site


@pytest.fixture(scope="session")
def content() -> Content:
    """The fixture content (tests/fixtures/site/content)."""
    return load_content(CONTENT)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty SQLite store in tmp_path."""
    opened = open_store(f"sqlite:///{tmp_path}/signatures.db")
    opened.init()
    yield opened
    opened.close()


@pytest.fixture
def built(tmp_path: Path, store: Store) -> Built:
    """The fixture site built into tmp_path/_site before anyone signed."""
    site = Built(tmp_path / "_site", tmp_path / ".cache", store)
    build_site(site.out, site.cache, store)
    return site


SETTINGS = Settings.from_environ(
    {
        "PETITION_SECRET": "writeback-tests-secret",
        "PETITION_RATE_LIMIT": "0",
        "PETITION_CONFIRMATION": "off",
    }
)


@pytest.fixture
def service_for(
    content: Content, store: Store
) -> Callable[[Iterable[MilestoneHook]], SigningService]:
    """A signing service over the store, its clock fixed at NOW, whose signatures are counted
    as they are made by a counter with these milestone hooks."""

    def make(hooks: Iterable[MilestoneHook]) -> SigningService:
        counting = counting_inline(store, content, list(hooks))
        return SigningService(content, store, SETTINGS, clock=lambda: NOW, after_write=counting)

    return make


@pytest.fixture
def uncounted_service(content: Content, store: Store) -> SigningService:
    """A signing service over the store, its clock fixed at NOW, that leaves its signatures on
    the store's change feed for a counter to take later (as the table's stream does)."""
    return SigningService(content, store, SETTINGS, clock=lambda: NOW)

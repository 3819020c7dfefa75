"""Fixtures for the signing API: fixture content, a store per implementation, a test client.

The app is the real Chalice app in functions/; it is handed its content, store, settings
and clock through `chalicelib.runtime.configure`, the same door a host process uses.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from generator.model import Content
from generator.signing.settings import Settings
from generator.store.base import Store
from generator.store.dynamodb import DynamoStore
from generator.store.sqlite import SqliteStore
from tests.support.counting import counting_inline

# Hypothesis keeps its example database and caches in the system's temp folder, not in the
# working copy (it reads this when first storing, which is after this conftest is imported).
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "petition-sites-hypothesis")
)

from .support import FUNCTIONS, NOW, SECRET, Api, Clock, make_content, signing_app


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each implementation: SQLite in tmp_path, DynamoDB on moto."""
    # The stores' own clock (the rate limit's minute) stands still: a test never straddles
    # two minutes, whenever it runs.
    if request.param == "sqlite":
        opened: Store = SqliteStore(tmp_path / "signatures.db", clock=lambda: NOW)
        opened.init()
        yield opened
        opened.close()
        return
    from moto import mock_aws

    with mock_aws():
        opened = DynamoStore("petitions-test", region="us-east-1", clock=lambda: NOW)
        opened.init()
        yield opened
        opened.close()


@pytest.fixture
def env() -> dict[str, str]:
    """The environment the app's settings read; tests change it to change a setting."""
    return {"PETITION_SECRET": SECRET, "PETITION_TEMPLATES": str(FUNCTIONS.parent / "templates")}


@pytest.fixture
def clock() -> Clock:
    """The time the app believes it is (fixed, so milestone times are predictable)."""
    return Clock(NOW)


@pytest.fixture
def content() -> Content:
    """The fixture content the app serves."""
    return make_content()


@pytest.fixture
def configure(
    store: Store, env: dict[str, str], clock: Clock, content: Content
) -> Iterator[Callable[..., None]]:
    """Hand the app its content, store, settings and clock; `configure(x=...)` overrides one.

    Unless a test hands its own `after_write`, each write is counted at once in the request's
    thread (tests/support/counting.py), with the content, store and milestone hooks this
    call configures, so an answer's count includes its own signature."""

    def apply(**overrides: Any) -> None:
        values: dict[str, Any] = {
            "content": content,
            "store": store,
            "settings": Settings.from_environ(env),
            "clock": clock,
        }
        values.update(overrides)
        hooks = list(values.get("on_milestone", ()))
        values["on_milestone"] = hooks
        if "after_write" not in values:
            values["after_write"] = counting_inline(values["store"], values["content"], hooks)
        signing_app().runtime.configure(**values)

    apply()
    yield apply
    signing_app().runtime.reset()


@pytest.fixture
def api(configure: Callable[..., None]) -> Api:
    """The app behind Chalice's in-process test client, configured with the fixtures."""
    return Api(Client(signing_app().app, stage_name="api", project_dir=str(FUNCTIONS)))

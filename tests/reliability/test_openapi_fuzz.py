"""The API fuzzed from its OpenAPI description (schemathesis) through the local server.

Requests are generated from functions/openapi.yaml, valid and invalid (wrong types, missing
and extra fields, odd strings), against a petition that takes signatures, closed and won
ones, and slugs that do not exist. Every answer must be a documented status with a
documented body and headers; none may be a 5xx or carry a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from generator.store.sqlite import SqliteStore
from tests.support.fixture_site import CLOSED, WON

from .harness import LOAD_SLUG, ROOT, LocalApp, make_site, serving

SLUGS = [
    LOAD_SLUG,
    CLOSED,
    WON,
    "no-such-petition",
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_path(ROOT / "functions" / "openapi.yaml")
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Mostly real slugs (open, closed, won, unknown); sometimes what was generated."""
    generated = st.just(path_parameters)
    known = st.sampled_from(SLUGS).map(lambda slug: {**path_parameters, "slug": slug})
    return st.one_of(known, known, known, generated)


@pytest.fixture(scope="module")
def fuzzed_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalApp]:
    """One server for the whole run: SQLite store, no rate limit (429 would hide the rest)."""
    folder = tmp_path_factory.mktemp("fuzz")
    store = SqliteStore(folder / "signatures.db")
    store.init()
    with serving(make_site(folder / "site"), store) as site:
        yield site
    store.close()


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_as_documented(
    case: Case, fuzzed_site: LocalApp
) -> None:
    response = case.call(base_url=fuzzed_site.url + "/api", timeout=10)
    assert "Traceback" not in response.text
    case.validate_response(response, checks=CHECKS)

"""Rate limiting by client address, and 503s when the store or the configuration fails."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.errors import StoreError
from generator.store.base import RateLimit, Signature, SignOutcome, Store

from .support import Api, make_content, make_site

ORIGIN = {"PETITION_ORIGIN_SECRET": "cloudfront-shared-secret"}


def _sign_many(api: Api, count: int, **kwargs: Any) -> list[Any]:
    return [api.sign("fresh", email=f"signer{i}@example.org", **kwargs) for i in range(count)]


def test_the_sites_limit_answers_429_with_retry_after(api: Api) -> None:
    responses = _sign_many(api, 6)

    assert [r.status_code for r in responses] == [201] * 5 + [429]
    refused = responses[-1]
    assert refused.json_body["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert api.get("fresh").json_body["count"] == 5


def test_a_rate_limited_form_post_gets_an_html_page(api: Api) -> None:
    responses = _sign_many(api, 6, form=True)

    assert responses[-1].status_code == 429
    assert "Retry-After" in responses[-1].headers
    assert "Too many signatures" in responses[-1].body.decode()


def test_the_environment_overrides_the_sites_limit(
    api: Api, env: dict[str, str], configure: Callable[..., None]
) -> None:
    env["PETITION_RATE_LIMIT"] = "2"
    configure()

    assert [r.status_code for r in _sign_many(api, 3)] == [201, 201, 429]


def test_a_limit_of_zero_turns_it_off(
    api: Api, env: dict[str, str], configure: Callable[..., None]
) -> None:
    env["PETITION_RATE_LIMIT"] = "0"
    configure()

    assert {r.status_code for r in _sign_many(api, 12)} == {201}


def test_the_site_can_turn_the_limit_off(api: Api, configure: Callable[..., None]) -> None:
    configure(content=make_content(make_site(rate_limit=0)))

    assert {r.status_code for r in _sign_many(api, 8)} == {201}


@pytest.mark.parametrize(
    "spoof",
    [
        lambda i: {"X-Forwarded-For": f"198.51.100.{i}"},
        lambda i: {"CloudFront-Viewer-Address": f"198.51.100.{i}:443"},
        lambda i: {"CloudFront-Viewer-Address": f"198.51.100.{i}:443", "X-Origin-Verify": ""},
    ],
)
def test_spoofed_address_headers_do_not_escape_the_limit(
    api: Api, spoof: Callable[[int], dict[str, str]]
) -> None:
    responses = [
        api.sign("fresh", email=f"signer{i}@example.org", headers=spoof(i)) for i in range(6)
    ]

    assert responses[-1].status_code == 429


def test_a_wrong_origin_secret_does_not_make_the_viewer_address_trusted(
    api: Api, env: dict[str, str], configure: Callable[..., None]
) -> None:
    env.update(ORIGIN)
    configure()
    responses = [
        api.sign(
            "fresh",
            email=f"signer{i}@example.org",
            headers={
                "CloudFront-Viewer-Address": f"198.51.100.{i}:443",
                "X-Origin-Verify": "guess",
            },
        )
        for i in range(6)
    ]

    assert responses[-1].status_code == 429


@pytest.mark.parametrize(
    "viewer",
    [
        lambda i: f"198.51.100.{i}:443",
        lambda i: f"2001:db8::{i + 1}:443",
        lambda i: f"[2001:db8::{i + 1}]:443",
    ],
)
def test_cloudfront_viewer_addresses_are_limited_one_by_one_when_proven(
    api: Api, env: dict[str, str], configure: Callable[..., None], viewer: Callable[[int], str]
) -> None:
    env.update(ORIGIN)
    configure()
    proof = {"X-Origin-Verify": ORIGIN["PETITION_ORIGIN_SECRET"]}
    many_viewers = [
        api.sign(
            "fresh",
            email=f"signer{i}@example.org",
            headers={"CloudFront-Viewer-Address": viewer(i), **proof},
        )
        for i in range(7)
    ]
    one_viewer = [
        api.sign(
            "fresh",
            email=f"again{i}@example.org",
            headers={"CloudFront-Viewer-Address": viewer(100), **proof},
        )
        for i in range(6)
    ]

    assert {r.status_code for r in many_viewers} == {201}
    assert [r.status_code for r in one_viewer] == [201] * 5 + [429]


def _everything_stored(request: pytest.FixtureRequest, tmp_path: Path) -> bytes:
    """Every byte the store holds: the SQLite files, or a scan of the DynamoDB table."""
    if request.node.callspec.params["store"] == "sqlite":
        return b"".join(f.read_bytes() for f in tmp_path.glob("signatures.db*"))
    import boto3

    client = boto3.client("dynamodb", region_name="us-east-1")
    return json.dumps(client.scan(TableName="petitions-test")["Items"]).encode()


def test_client_addresses_are_not_stored_raw(
    api: Api,
    env: dict[str, str],
    configure: Callable[..., None],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    env.update(ORIGIN)
    configure()
    proof = {"X-Origin-Verify": ORIGIN["PETITION_ORIGIN_SECRET"]}
    api.sign("fresh", headers={"CloudFront-Viewer-Address": "203.0.113.77:443", **proof})
    api.sign("fresh", email="other@example.org")

    stored = _everything_stored(request, tmp_path)
    assert b"other@example.org" in stored  # the check reads real data
    assert b"203.0.113.77" not in stored
    assert b"127.0.0.1" not in stored


class BrokenStore:
    """A store that cannot be reached."""

    def __init__(self, inner: Store):
        self.inner = inner

    def sign(self, signature: Signature, rate: RateLimit | None = None) -> SignOutcome:
        raise StoreError("table unreachable after 3 retries")

    def tally(self, slug: str) -> Any:
        raise StoreError("table unreachable after 3 retries")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("form", [False, True])
def test_a_store_failure_is_a_503_with_retry_after(
    api: Api, store: Store, configure: Callable[..., None], form: bool
) -> None:
    configure(store=BrokenStore(store))
    response = api.sign("fresh", form=form)

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert "unreachable" not in response.body.decode()
    if not form:
        assert response.json_body["error"]["code"] == "unavailable"
    assert api.get("fresh").status_code == 503


def test_a_missing_secret_is_a_503_and_a_log_line_naming_the_setting(
    api: Api, env: dict[str, str], configure: Callable[..., None], caplog: pytest.LogCaptureFixture
) -> None:
    del env["PETITION_SECRET"]
    configure()
    caplog.set_level(logging.ERROR)
    response = api.sign("fresh")

    assert response.status_code == 503
    assert "PETITION_SECRET" not in response.body.decode()
    assert "PETITION_SECRET is not set" in caplog.text
    assert api.get("fresh").status_code == 200  # reading needs no secret


class BuggyStore(BrokenStore):
    """A store with a bug: it raises something no one planned for."""

    def sign(self, signature: Signature, rate: RateLimit | None = None) -> SignOutcome:
        raise RuntimeError("bug with a secret detail")


def test_a_bug_is_a_500_in_the_api_error_shape_without_a_traceback(
    api: Api, store: Store, configure: Callable[..., None]
) -> None:
    configure(store=BuggyStore(store))
    response = api.sign("fresh")

    assert response.status_code == 500
    assert response.json_body == {
        "error": {
            "code": "internal_error",
            "message": "Something went wrong on our side.",
            "field": None,
        }
    }
    assert "secret detail" not in response.body.decode()

"""Signing requests as the page's script and a plain HTML form send them, over HTTP."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from tests.serve.client import Reply, request


def sign(
    url: str,
    slug: str,
    email: str,
    *,
    name: str = "Test Signer",
    form: bool = False,
    headers: dict[str, str] | None = None,
    **fields: object,
) -> Reply:
    """POST a signature as JSON (or as a form with `form=True`) and return the reply."""
    data: dict[str, object] = {"name": name, "email": email, **fields}
    if form:
        body = urlencode(data).encode()
        kind = "application/x-www-form-urlencoded"
    else:
        body = json.dumps(data).encode()
        kind = "application/json"
    sent = {"Content-Type": kind, **(headers or {})}
    return request(url, f"/api/petitions/{slug}/signatures", "POST", body, sent)


def post(url: str, slug: str, body: bytes, headers: dict[str, str]) -> Reply:
    """POST these exact bytes with these headers to a petition's signatures."""
    return request(url, f"/api/petitions/{slug}/signatures", "POST", body, headers)


def retry_after(reply: Reply) -> int:
    """The reply's Retry-After in seconds (AssertionError when missing or not a number)."""
    value = reply.headers.get("retry-after", "")
    assert value.isdigit() and int(value) >= 1, f"Retry-After {value!r} on {reply.status}"
    return int(value)

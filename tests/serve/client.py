"""A tiny HTTP client for the serve tests: no redirects followed, raw paths, chosen source IP."""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Reply:
    """What the server answered."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


def request(
    base_url: str,
    path: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    source_ip: str | None = None,
) -> Reply:
    """Send one request with `path` exactly as given (no normalising) and return the reply."""
    parts = urlsplit(base_url)
    source = (source_ip, 0) if source_ip else None
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10, source_address=source)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        conn.close()


def sign_json(
    base_url: str,
    slug: str,
    name: str,
    email: str,
    *,
    source_ip: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """POST a signature as the page's script does (JSON)."""
    payload = json.dumps({"name": name, "email": email}).encode()
    sent = {"Content-Type": "application/json", **(headers or {})}
    return request(base_url, f"/api/petitions/{slug}/signatures", "POST", payload, sent, source_ip)


def raw_request(base_url: str, data: bytes, timeout: float = 10) -> bytes:
    """Send these exact bytes and read until the server hangs up; its whole answer."""
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer

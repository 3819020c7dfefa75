"""The WSGI app `serve` runs: the output folder's files, and the signing API under a prefix.

For the API a request becomes the API Gateway (REST, proxy) event Lambda would receive, with
the client's socket address as `identity.sourceIp` (the rate limit counts by it) and the body
exactly as sent (bytes that are not UTF-8 reach the app base64-encoded, and it answers 400),
and is handed to the very same Chalice app object; its answer goes back unchanged. Any other
path is a file of the output folder (`/x/` is `x/index.html`, a folder without its slash is
a 301, anything else a 404 with the site's 404 page), for GET and HEAD only.
"""

from __future__ import annotations

import base64
import mimetypes
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote

from generator.local import outbox

if TYPE_CHECKING:  # the app's type; the app itself is handed in (generator.local.site)
    from chalice.app import Chalice

MAX_TARGET = 8 * 1024  # a longer request target (path and query) is a 414
JSON_404 = b'{"error": {"code": "not_found", "message": "no such route", "field": null}}'
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}

StartResponse = Callable[..., Any]


def api_event(
    app: Chalice,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    source_ip: str,
) -> dict[str, Any] | None:
    """The API Gateway (REST, proxy) event for a request to the app; None when no route matches.

    `headers` have lower-case names; `source_ip` is the client's socket address, which the
    rate limit counts by (as API Gateway's `identity.sourceIp`).
    """
    from chalice.local import RouteMatcher

    # The matcher parses its argument as a URL: a '#' or '?' that was percent-encoded in the
    # request would cut the path short there. API Gateway routes on the path as sent, so
    # those two stay encoded for matching and are decoded again in the captured values.
    escaped = path.replace("%", "%25").replace("#", "%23").replace("?", "%3F")
    try:
        route = RouteMatcher(list(app.routes)).match_route(escaped)
    except ValueError:
        return None
    captured = {k: unquote(v) for k, v in (route.captured or {}).items()} or None
    binary = headers.get("content-type", "") in app.api.binary_types
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:  # hand the app the exact bytes: it answers 400, not mojibake
        binary = True
    return {
        "requestContext": {
            "httpMethod": method,
            "resourcePath": route.route,
            "identity": {"sourceIp": source_ip},
            "path": path,
            "stage": "api",
        },
        "headers": headers,
        "multiValueQueryStringParameters": parse_qs(query) or None,
        "pathParameters": captured,
        "stageVariables": {},
        "body": (base64.b64encode(body).decode() if binary else text) if body else None,
        "isBase64Encoded": binary,
    }


def static_file(root: Path, url_path: str) -> tuple[Path | None, str | None]:
    """The file a decoded URL path names under `root` (`/x/` → `x/index.html`), or a redirect.

    (None, None) for anything that is not a file inside `root`: a path out of it, a NUL
    byte, or a name the file system refuses (too long, say) is simply not found.
    """
    if "\x00" in url_path:
        return None, None
    clean = posixpath.normpath(url_path).lstrip("/")
    try:
        candidate = (root / clean).resolve()
        if not candidate.is_relative_to(root):
            return None, None
        if candidate.is_dir():
            if not url_path.endswith("/"):
                return None, quote(url_path) + "/"
            candidate = candidate / "index.html"
        return (candidate, None) if candidate.is_file() else (None, None)
    except (OSError, ValueError):  # ENAMETOOLONG and kin: no such file
        return None, None


@dataclass
class Answer:
    """One HTTP answer: status, headers (a name may repeat) and body."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def send(self, start_response: StartResponse, head: bool) -> list[bytes]:
        """Start the WSGI response; the body (none for HEAD, whose length is still given)."""
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Unknown"
        headers = [(k, v) for k, v in self.headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(self.body))))
        start_response(f"{int(self.status)} {phrase}", headers)
        return [] if head else [self.body]


def _text(path: str) -> str | None:
    """A WSGI path (bytes as latin-1) as the UTF-8 text it was; None when it is not UTF-8."""
    try:
        return path.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None


def _request_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request's headers with lower-case names, as API Gateway hands them to Lambda."""
    headers = {
        key[5:].lower().replace("_", "-"): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):  # present only when sent (maybe empty)
        if key in environ:
            headers[key.lower().replace("_", "-")] = environ[key]
    return headers


class SiteApp:
    """The WSGI app `serve` runs: one output folder, one Chalice app mounted at a prefix."""

    def __init__(
        self, out_dir: Path, app: Chalice, api_prefix: str = "/api", outbox: Path | None = None
    ):
        self.out_dir = Path(out_dir).resolve()
        self.app = app
        self.api_prefix = api_prefix.rstrip("/")
        self.outbox = outbox  # the file mailer's folder, shown at /_outbox/ (None: not shown)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        raw = environ.get("PATH_INFO", "")  # percent-decoded by the server; bytes as latin-1
        prefix = self.api_prefix
        if len(environ.get("REQUEST_URI", "")) > MAX_TARGET:  # waitress gives the raw target
            answer = Answer(HTTPStatus.REQUEST_URI_TOO_LONG, [("Cache-Control", "no-store")])
        elif raw == prefix or raw.startswith(prefix + "/"):
            answer = self._api(environ, method, _text(raw[len(prefix) :] or "/"))
        elif method not in ("GET", "HEAD"):
            answer = Answer(HTTPStatus.METHOD_NOT_ALLOWED, [("Allow", "GET, HEAD")])
        elif self.outbox is not None and raw.startswith(outbox.PREFIX):
            answer = self._outbox(raw[len(outbox.PREFIX) :])
        else:
            answer = self._static(_text(raw))
        return answer.send(start_response, head=method == "HEAD")

    def _api(self, environ: dict[str, Any], method: str, path: str | None) -> Answer:
        """The app's answer to an API request (`path` below the prefix; None if not UTF-8)."""
        length = int(environ.get("CONTENT_LENGTH") or 0)  # waitress checked it and read it all
        body = environ["wsgi.input"].read(length) if length else b""
        headers, address = _request_headers(environ), environ.get("REMOTE_ADDR", "")
        query = environ.get("QUERY_STRING", "")
        event = None
        if path is not None:
            event = api_event(self.app, method, path, query, headers, body, address)
        if event is None:
            return Answer(HTTPStatus.NOT_FOUND, [("Content-Type", "application/json")], JSON_404)
        from chalice.local import LambdaContext

        response = self.app(event, LambdaContext("api_handler", 512, max_runtime_ms=30000))
        raw = response.get("body") or b""
        if response.get("isBase64Encoded"):
            raw = base64.b64decode(raw)
        elif isinstance(raw, str):
            raw = raw.encode()
        sent = [(k, str(v)) for k, v in (response.get("headers") or {}).items()]
        for name, values in (response.get("multiValueHeaders") or {}).items():
            sent.extend((name, str(v)) for v in values)
        sent = [(k, v) for k, v in sent if k.lower() not in _HOP_BY_HOP]
        return Answer(response["statusCode"], sent, raw)

    def _outbox(self, name: str) -> Answer:
        """The outbox listing, or one message in it."""
        assert self.outbox is not None
        page = outbox.listing(self.outbox) if not name else outbox.message(self.outbox, name)
        if page is None:
            return self._static("/_outbox/missing")
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")]
        return Answer(HTTPStatus.OK, headers, page)

    def _static(self, url_path: str | None) -> Answer:
        """A file of the output folder, a redirect to a folder's slash, or the 404 page."""
        file, redirect = static_file(self.out_dir, url_path) if url_path else (None, None)
        if redirect:
            return Answer(HTTPStatus.MOVED_PERMANENTLY, [("Location", redirect)])
        data = _read(file) if file is not None else None
        status = HTTPStatus.OK
        if file is None or data is None:  # not found, or gone since the look (a rebuild)
            status, file = HTTPStatus.NOT_FOUND, self.out_dir / "404.html"
            data = _read(file) or b"Not found\n"
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/xml", "application/javascript"):
            kind += "; charset=utf-8"
        return Answer(status, [("Content-Type", kind), ("Cache-Control", "no-cache")], data)


def _read(file: Path) -> bytes | None:
    try:
        return file.read_bytes()
    except OSError:
        return None

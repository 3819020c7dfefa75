"""The local server: the built site and the signing app on one origin.

Static files come from the output folder; requests under the API prefix are turned into
the API Gateway events Lambda would receive and handed to the very same Chalice app object.
"""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
import posixpath
import re
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

if TYPE_CHECKING:  # the app's type; the app itself is handed in (generator.local.site)
    from chalice.app import Chalice

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # the app itself answers 413 above 16 KiB; this only bounds memory


def api_event(
    app: Chalice,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    source_ip: str,
) -> dict[str, Any] | None:
    """The API Gateway (REST, proxy) event for a request to the app; None when no route matches."""
    from chalice.local import RouteMatcher

    try:
        route = RouteMatcher(list(app.routes)).match_route(path)
    except ValueError:
        return None
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
        "headers": {k.lower(): v for k, v in headers.items()},
        "multiValueQueryStringParameters": parse_qs(query) or None,
        "pathParameters": route.captured,
        "stageVariables": {},
        "body": (base64.b64encode(body).decode() if binary else text) if body else None,
        "isBase64Encoded": binary,
    }


def static_file(root: Path, url_path: str) -> tuple[Path | None, str | None]:
    """The file a URL path names under `root` (`/x/` → `x/index.html`), or a redirect target."""
    clean = posixpath.normpath(unquote(url_path))
    if clean.startswith("..") or "\x00" in clean:
        return None, None
    candidate = (root / clean.lstrip("/")).resolve()
    if not candidate.is_relative_to(root.resolve()):
        return None, None
    if candidate.is_dir():
        if not url_path.endswith("/"):
            return None, url_path + "/"
        candidate = candidate / "index.html"
    return (candidate, None) if candidate.is_file() else (None, None)


class SiteServer(ThreadingHTTPServer):
    """A threaded HTTP server for one output folder and one Chalice app mounted at a prefix."""

    server_address: tuple[str, int]  # where an AF_INET server is bound: text host, port
    daemon_threads = True
    request_queue_size = 128  # listen backlog: the default 5 resets bursts of new clients
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], out_dir: Path, app: Chalice, api_prefix: str = "/api"
    ):
        super().__init__(address, _Handler)
        self.out_dir = Path(out_dir)
        self.app = app
        self.api_prefix = api_prefix.rstrip("/")
        # Chalice keeps the request being handled on the app object: one API call at a time.
        self.api_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log a request that failed; a client that hung up early is routine, not a traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            log.debug("client %s went away: %s", client_address, error)
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        """The server's base URL, e.g. http://127.0.0.1:8000."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _Refusal(Exception):
    """A request body that cannot be read: the status and code to answer with, and why."""

    def __init__(self, status: HTTPStatus, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


def _too_large() -> _Refusal:
    """The refusal of a body over MAX_BODY (a new one each time: exceptions carry tracebacks)."""
    return _Refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_large", "The body is too large.")


_LENGTH = re.compile(r"[0-9]{1,15}")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")


class _Handler(BaseHTTPRequestHandler):
    server: SiteServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms ACK wait
    timeout = 30  # seconds a connection may stay silent, idle or in the middle of a request

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._dispatch(head=False)

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def do_POST(self) -> None:
        self._dispatch(head=False)

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST

    def __getattr__(self, name: str) -> Any:
        """Any other method (TRACE, QUERY, ...) is answered like POST (405), never 501."""
        if name.startswith("do_"):
            return self.do_POST
        raise AttributeError(name)

    def _dispatch(self, head: bool) -> None:
        parts = urlsplit(self.path)
        prefix = self.server.api_prefix
        if parts.path == prefix or parts.path.startswith(prefix + "/"):
            self._api(parts.path[len(prefix) :] or "/", parts.query)
        elif self.command in ("GET", "HEAD"):
            self._static(parts.path, head)
        else:
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET, HEAD"}, b"")

    def _refuse(self, status: HTTPStatus, code: str, message: str) -> None:
        """Answer in the API's error shape and hang up (the rest of the request is unread)."""
        self.close_connection = True
        body = json.dumps({"error": {"code": code, "message": message, "field": None}})
        self._send(
            status, {"Content-Type": "application/json", "Cache-Control": "no-store"}, body.encode()
        )

    def _body(self) -> bytes:
        """The request body, sized or chunked; _Refusal when it cannot be read."""
        try:
            if "Transfer-Encoding" in self.headers:
                return self._chunked_body()
            return self._sized_body()
        except TimeoutError:
            raise _Refusal(
                HTTPStatus.REQUEST_TIMEOUT, "timeout", "The request body did not arrive."
            ) from None

    def _sized_body(self) -> bytes:
        lengths = set(self.headers.get_all("Content-Length") or ["0"])
        text = lengths.pop().strip() if len(lengths) == 1 else ""
        if not _LENGTH.fullmatch(text):
            raise _Refusal(
                HTTPStatus.BAD_REQUEST, "bad_request", "The Content-Length is not valid."
            )
        if int(text) > MAX_BODY:
            raise _too_large()
        return self.rfile.read(int(text))

    def _chunked_body(self) -> bytes:
        codings = ",".join(self.headers.get_all("Transfer-Encoding") or [])
        if codings.strip().lower() != "chunked":
            raise _Refusal(HTTPStatus.BAD_REQUEST, "bad_request", "Send the body chunked or sized.")
        body = b""
        while True:
            size = self.rfile.readline(80).split(b";", 1)[0].strip()
            if not _CHUNK_SIZE.fullmatch(size):
                raise _Refusal(HTTPStatus.BAD_REQUEST, "bad_request", "A chunk size is not valid.")
            if int(size, 16) == 0:
                break
            if len(body) + int(size, 16) > MAX_BODY:
                raise _too_large()
            body += self.rfile.read(int(size, 16))
            if self.rfile.readline(3).strip():
                raise _Refusal(
                    HTTPStatus.BAD_REQUEST, "bad_request", "A chunk is longer than said."
                )
        while self.rfile.readline(1024).strip():  # trailer fields: not used
            pass
        return body

    def _api(self, path: str, query: str) -> None:
        try:
            body = self._body()
        except _Refusal as refusal:
            self._refuse(refusal.status, refusal.code, str(refusal))
            return
        headers = {k: v for k, v in self.headers.items()}
        event = api_event(
            self.server.app, self.command, path, query, headers, body, self.client_address[0]
        )
        if event is None:
            self._send(
                HTTPStatus.NOT_FOUND,
                {"Content-Type": "application/json"},
                b'{"error": {"code": "not_found", "message": "no such route", "field": null}}',
            )
            return
        from chalice.local import LambdaContext

        with self.server.api_lock:
            response = self.server.app(
                event, LambdaContext("api_handler", 512, max_runtime_ms=30000)
            )
        raw = response.get("body") or b""
        if response.get("isBase64Encoded"):
            raw = base64.b64decode(raw)
        elif isinstance(raw, str):
            raw = raw.encode()
        headers_out = dict(response.get("headers") or {})
        for name, values in (response.get("multiValueHeaders") or {}).items():
            headers_out[name] = ", ".join(values)
        self._send(response["statusCode"], headers_out, raw)

    def _static(self, url_path: str, head: bool) -> None:
        file, redirect = static_file(self.server.out_dir, url_path)
        if redirect:
            self._send(HTTPStatus.MOVED_PERMANENTLY, {"Location": redirect}, b"")
            return
        status = HTTPStatus.OK
        if file is None:
            status, file = HTTPStatus.NOT_FOUND, self.server.out_dir / "404.html"
        data = file.read_bytes() if file.is_file() else b"Not found\n"
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/xml", "application/javascript"):
            kind += "; charset=utf-8"
        self._send(status, {"Content-Type": kind, "Cache-Control": "no-cache"}, data, head=head)

    def _send(self, status: int, headers: dict[str, str], body: bytes, head: bool = False) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

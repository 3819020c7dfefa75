"""The local server: waitress serving the site and the signing app on one origin.

waitress (a production HTTP server) reads the requests: request lines, headers, sized and
chunked bodies, their limits and timeouts are its job, not ours. It hands each request to
`SiteApp` (generator/local/wsgi.py) on a pool of threads, so the Chalice app must be safe to
call from several at once (functions/chalicelib/threads.py). What waitress refuses (bad
framing, a body over 1 MiB, headers over 64 KiB, a client silent for 30 s in mid-request) is
answered in the API's JSON error shape, and the connection closed.
"""

from __future__ import annotations

import errno
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher
from waitress.utilities import Error as HttpError

from generator.errors import PetitionSiteError
from generator.local.wsgi import SiteApp

if TYPE_CHECKING:  # the app's type; the app itself is handed in (generator.local.site)
    from chalice.app import Chalice

MAX_BODY = 1024 * 1024  # the app itself answers 413 above 16 KiB; this only bounds memory
MAX_HEADERS = 64 * 1024  # request line and headers together; more is a 431
THREADS = 8  # requests handled at once; more wait in waitress's queue
TIMEOUT = 30  # seconds a connection may stay silent, idle or in the middle of a request


class CannotListen(PetitionSiteError):
    """The server could not take its address: the port is in use, or the host is not ours."""

    def __init__(self, host: str, port: int, reason: OSError | ValueError):
        self.host, self.port = host, port
        self.in_use = getattr(reason, "errno", None) == errno.EADDRINUSE
        if self.in_use:
            super().__init__(f"port {port} on {host} is already in use")
        else:
            super().__init__(f"cannot listen on {host}, port {port}: {reason}")


class RequestTimeout(HttpError):  # type: ignore[misc]  # waitress is untyped
    """waitress's error answer for a request that stopped arriving half-way."""

    code = 408
    reason = "Request Timeout"


ERROR_CODES = {408: "timeout", 413: "too_large", 431: "headers_too_large", 501: "not_implemented"}


class _ErrorTask(ErrorTask):  # type: ignore[misc]
    """waitress's answer to a request it could not read, in the API's JSON error shape."""

    def execute(self) -> None:
        error = self.request.error
        code = ERROR_CODES.get(error.code, "bad_request" if error.code < 500 else "internal_error")
        message = f"{error.reason}: {error.body}"
        body = json.dumps({"error": {"code": code, "message": message, "field": None}}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend(
            [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
        )
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):  # type: ignore[misc]
    error_task_class = _ErrorTask


class _Server(TcpWSGIServer):  # type: ignore[misc]
    """waitress's TCP server, answering 408 to a client that stalls in mid-request.

    waitress closes a connection silent for `channel_timeout` seconds without a word; one
    whose request has started gets its request finished as an error instead, which waitress
    answers (408) before it hangs up, as it does for its own parse errors. Those answers
    take the API's JSON error shape.
    """

    channel_class = _Channel

    def maintenance(self, now: float) -> None:
        cutoff = now - self.adj.channel_timeout
        for channel in list(self.active_channels.values()):
            request = channel.request
            if channel.requests or request is None or channel.last_activity >= cutoff:
                continue
            with channel.requests_lock:
                request.error = RequestTimeout("the request did not arrive in time")
                request.completed = True
                channel.requests.append(request)
                channel.request = None
            channel.last_activity = now
            self.add_task(channel)
        super().maintenance(now)


class SiteServer:
    """waitress serving a SiteApp: bound when made, serving once started, until closed.

    Binding comes first so that a port in use is reported before anything is built
    (CannotListen); `port` 0 picks a free one, and `url` shows the one taken.
    """

    def __init__(
        self,
        address: tuple[str, int],
        out_dir: Path,
        app: Chalice,
        api_prefix: str = "/api",
        *,
        threads: int = THREADS,
        timeout: int = TIMEOUT,
        outbox: Path | None = None,
    ):
        host, port = address
        self.app = SiteApp(out_dir, app, api_prefix, outbox)
        self._map: dict[int, Any] = {}
        self._dispatcher = ThreadedTaskDispatcher()
        self._threads = threads
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        try:
            adjustments = Adjustments(
                host=host,
                port=port,
                threads=threads,
                channel_timeout=timeout,
                cleanup_interval=max(1, min(timeout // 2, 30)),
                max_request_header_size=MAX_HEADERS,
                max_request_body_size=MAX_BODY + 1,  # waitress refuses a body of this size
                clear_untrusted_proxy_headers=False,  # the app reads headers as Lambda would
                asyncore_use_poll=True,
                log_socket_errors=False,  # a client that hangs up early is routine
            )
            self._server = _Server(
                self.app, map=self._map, dispatcher=self._dispatcher, adj=adjustments
            )
        except (OSError, ValueError) as error:  # in use, not an address of ours, no such host
            wasyncore.close_all(self._map)
            raise CannotListen(host, port, error) from None
        self.host, self.port = str(self._server.effective_host), int(self._server.effective_port)

    @property
    def url(self) -> str:
        """The server's base URL, e.g. http://127.0.0.1:8000 (with the port really taken)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        """Serve requests on a thread of its own until `close()`."""
        self._dispatcher.set_thread_count(self._threads)
        self._thread = threading.Thread(target=self._loop, name="http", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            wasyncore.loop(timeout=0.5, map=self._map, use_poll=True, count=1)

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting, hang up every connection and stop the threads; safe to repeat."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._thread is not None:
            self._server.pull_trigger()  # wakes the loop, which then sees _stop
            self._thread.join(timeout)
        self._dispatcher.shutdown(timeout=timeout)  # requests being answered finish first
        wasyncore.close_all(self._map)

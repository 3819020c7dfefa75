"""The Chalice app object, safe to call from several threads at once.

Chalice keeps the request being handled on the app object (`Chalice.__call__` sets
`current_request` and `lambda_context`, and routes read `app.current_request`), so two
threads calling one app would read each other's requests. Lambda calls an instance once at a
time; the local server (generator/local/server.py) calls it from a pool of threads. Here both
attributes belong to the calling thread.
"""

from __future__ import annotations

import threading
from typing import Any

from chalice.app import Chalice, Request


class ThreadSafeChalice(Chalice):
    """A Chalice app whose current request and Lambda context are the calling thread's own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._per_thread = threading.local()
        super().__init__(*args, **kwargs)

    @property
    def current_request(self) -> Request | None:
        """The request this thread is handling (None outside a request)."""
        return getattr(self._per_thread, "request", None)

    @current_request.setter
    def current_request(self, request: Request | None) -> None:
        self._per_thread.request = request

    @property
    def lambda_context(self) -> Any:
        """The Lambda context of this thread's invocation (None outside one)."""
        return getattr(self._per_thread, "context", None)

    @lambda_context.setter
    def lambda_context(self, context: Any) -> None:
        self._per_thread.context = context

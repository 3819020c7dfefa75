"""Error responses: one JSON shape for API clients, a small HTML page for form posts."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from chalice.app import Request, Response

from generator.errors import ConfigError, ContentErrors, RateLimited, StoreError
from generator.signing.service import PetitionClosed, UnknownPetition
from generator.signing.signer import InvalidField

log = logging.getLogger(__name__)

UNAVAILABLE_RETRY_AFTER = 30  # seconds a client should wait after a 503
NO_STORE = {"Cache-Control": "no-store"}
Headers = dict[str, str | list[str]]  # a Response's headers, as Chalice types them
_CHALICE_CODES = {
    400: ("bad_request", "The request could not be understood."),
    405: ("method_not_allowed", "This method is not allowed here."),
    415: (
        "unsupported_media_type",
        "Send application/json or application/x-www-form-urlencoded.",
    ),
    500: ("internal_error", "Something went wrong on our side."),
}
_TITLES = {
    400: "Please check your signature",
    404: "Petition not found",
    409: "This petition takes no more signatures",
    413: "Too much text",
    429: "Too many signatures",
    503: "Please try again in a moment",
}


@dataclass
class Problem(Exception):
    """An error answer: HTTP status, a stable code, a message and the field at fault."""

    status: int
    code: str
    message: str
    field: str | None = None
    retry_after: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The error body every JSON error shares."""
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}

    def headers(self) -> dict[str, str]:
        """Headers of the answer: no caching, and Retry-After when waiting helps."""
        headers = dict(NO_STORE)
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return headers


def problem_for(error: Exception) -> Problem:
    """The answer to an error the signing service or the HTTP layer raised on purpose."""
    if isinstance(error, Problem):
        return error
    if isinstance(error, InvalidField):
        return Problem(400, error.code, f"{error.field}: {error.message}", error.field)
    if isinstance(error, UnknownPetition):
        return Problem(404, "not_found", "There is no petition at this address.")
    if isinstance(error, PetitionClosed):
        state = "has been won" if error.status == "won" else "is closed"
        return Problem(409, "closed", f"This petition {state} and takes no more signatures.")
    if isinstance(error, RateLimited):
        message = "Too many signatures from your network; please wait a minute."
        return Problem(429, "rate_limited", message, retry_after=max(1, error.retry_after))
    if isinstance(error, StoreError | ConfigError | ContentErrors):
        log.error("service unavailable: %s: %s", type(error).__name__, error)
        message = "Signing is not available right now; please try again shortly."
        return Problem(503, "unavailable", message, retry_after=UNAVAILABLE_RETRY_AFTER)
    raise error


def json_response(problem: Problem) -> Response:
    """The JSON error response for a problem."""
    headers: Headers = {"Content-Type": "application/json", **problem.headers()}
    return Response(problem.as_json(), headers=headers, status_code=problem.status)


def html_response(problem: Problem, slug: str | None, language: str = "en") -> Response:
    """A minimal accessible page for a form post that failed, linking back to the petition."""
    title = _TITLES.get(problem.status, "Your signature was not accepted")
    back = "/" if problem.status == 404 or not slug else f"/petitions/{quote(slug, safe='')}/"
    link = "Back to the petitions" if back == "/" else "Back to the petition"
    page = (
        f'<!doctype html>\n<html lang="{html.escape(language)}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<main>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f'<p role="alert">{html.escape(problem.message)}</p>\n'
        f'<p><a href="{html.escape(back)}">{link}</a></p>\n'
        "</main>\n</body>\n</html>\n"
    )
    headers: Headers = {"Content-Type": "text/html; charset=utf-8", **problem.headers()}
    return Response(page, headers=headers, status_code=problem.status)


def shape_chalice_errors(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Chalice middleware: give Chalice's own errors (405, 415, 500) the API's JSON shape."""
    response: Response = get_response(request)
    body = response.body
    if isinstance(body, dict) and set(body) == {"Code", "Message"}:
        code, message = _CHALICE_CODES.get(response.status_code, _CHALICE_CODES[500])
        problem = Problem(response.status_code, code, message)
        headers = {**response.headers, **json_response(problem).headers}
        return Response(problem.as_json(), headers=headers, status_code=response.status_code)
    return response

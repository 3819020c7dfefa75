"""What each route does: turn a request into a service call and the result into a response."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from chalice.app import Request, Response

from chalicelib.body import is_form, parse_body
from chalicelib.client import client_address
from chalicelib.problems import NO_STORE, Problem, html_response, json_response, problem_for
from chalicelib.runtime import runtime
from generator.errors import PetitionSiteError

log = logging.getLogger(__name__)

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # what content allows; anything else is not logged
STATUS_CACHE = {"Cache-Control": "public, max-age=5"}
JSON_TYPE = {"Content-Type": "application/json"}


def _refused(error: Exception, slug: str, form: bool) -> Response:
    problem = problem_for(error)
    shown = slug if SLUG.fullmatch(slug) else "(invalid)"
    log.info(
        "request refused slug=%s status=%d code=%s field=%s",
        shown, problem.status, problem.code, problem.field,
    )  # fmt: skip
    if not form:
        return json_response(problem)
    language = "en"
    service = runtime.current()
    if service is not None:
        language = service.content.site.language
    return html_response(problem, slug, language)


def sign(request: Request, slug: str) -> Response:
    """POST a signature: 201 with the count (JSON) or 303 to the thank-you page (form)."""
    form = is_form(request)
    try:
        body = parse_body(request)
        service = runtime.service()
        address = client_address(request, runtime.settings.origin_secret())
        result = service.sign(slug, body.fields, address, form=body.form)
    except (Problem, PetitionSiteError) as error:
        return _refused(error, slug, form)
    if form:
        location = f"/petitions/{quote(slug, safe='')}/thanks/"
        return Response("", headers={"Location": location, **NO_STORE}, status_code=303)
    return Response(result.as_json(), headers={**JSON_TYPE, **NO_STORE}, status_code=201)


def petition(slug: str) -> Response:
    """GET a petition's live count, goal, status and milestones (cacheable for 5 s)."""
    try:
        body = runtime.service().status(slug)
    except PetitionSiteError as error:
        return _refused(error, slug, form=False)
    return Response(body, headers={**JSON_TYPE, **STATUS_CACHE}, status_code=200)

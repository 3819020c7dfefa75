"""What each route does: turn a request into a service call and the result into a response."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from urllib.parse import quote

from chalice.app import Request, Response

from chalicelib.body import is_form, parse_body
from chalicelib.client import client_address
from chalicelib.pages import confirm_page, link_problem_page, problem_page
from chalicelib.pages import unsubscribe_page as unsubscribe_page_of
from chalicelib.problems import NO_STORE, Problem, json_response, problem_for
from chalicelib.runtime import runtime
from generator.errors import PetitionSiteError
from generator.signing import typos, unsubscribe
from generator.signing.confirmation import InvalidLink
from generator.signing.service import LinkNotValid, SigningService
from generator.signing.signer import AS_TYPED

log = logging.getLogger(__name__)

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # what content allows; anything else is not logged
STATUS_CACHE = {"Cache-Control": "public, max-age=5"}
JSON_TYPE = {"Content-Type": "application/json"}


def _refused(
    error: Exception, slug: str, form: bool, fields: Mapping[str, object] | None = None
) -> Response:
    problem = problem_for(error)
    shown = slug if SLUG.fullmatch(slug) else "(invalid)"
    log.info(
        "request refused slug=%s status=%d code=%s field=%s",
        shown, problem.status, problem.code, problem.field,
    )  # fmt: skip
    if not form:
        return json_response(problem)
    return problem_page(problem, runtime.current(), slug, fields or {})


def _fragment(receipt: str | None) -> str:
    """A receipt's fragment (`#p=…&s=…&from=…`), carried by a redirect to the page that
    offers its link; "" without one. Browsers never send a fragment to a server."""
    return "" if receipt is None else receipt[receipt.index("#") :]


def _see(path: str) -> Response:
    return Response("", headers={"Location": path, **NO_STORE}, status_code=303)


def sign(request: Request, slug: str) -> Response:
    """POST a signature. Confirmation required: 202 (JSON) or 303 to check-email/ (form), the
    same whoever signs; off: 201 with the count, or 303 to thanks/."""
    form = is_form(request)
    fields: Mapping[str, object] = {}
    try:
        body = parse_body(request)
        fields = body.fields
        service = runtime.service()
        email = fields.get("email")
        if form and isinstance(email, str) and not fields.get(AS_TYPED):
            suggestion = typos.suggestion(email)
            if suggestion is not None:  # gmial.com: ask before a mail bounces
                typo = Problem(400, "email_typo", "Check your email address.", "email")
                return problem_page(typo, service, slug, fields, suggestion)
        address = client_address(request, runtime.settings.origin_secret())
        result = service.sign(slug, fields, address, form=body.form)
    except (Problem, PetitionSiteError) as error:
        return _refused(error, slug, form, fields)
    page = f"/petitions/{quote(slug, safe='')}/"
    if form:
        if result.confirming:
            return _see(page + "check-email/")
        return _see(page + "thanks/" + _fragment(result.receipt))
    status = 202 if result.confirming else 201
    return Response(result.as_json(), headers={**JSON_TYPE, **NO_STORE}, status_code=status)


def confirmation_page(slug: str, ref: str) -> Response:
    """GET a confirmation link: the page with Confirm and "This wasn't me". Changes nothing
    (mail scanners open links before people do)."""
    service = runtime.current()
    try:
        service = runtime.service()
        petition = service.check_link(slug, ref)
    except LinkNotValid:
        return link_problem_page(service, service.content.petition(slug) if service else None)
    except PetitionSiteError as error:
        return _refused(error, slug, form=True)
    action = f"{service.content.site.api_url.rstrip('/')}/petitions/{slug}/confirm/{ref}"
    return confirm_page(service, petition, action)


def confirm(request: Request, slug: str, ref: str) -> Response:
    """POST a confirmation link's choice (`confirm` or `reject`): a form gets 303 to the
    petition's confirmed/ or withdrawn/ page, JSON gets 200 with the outcome."""
    form = is_form(request)
    service = runtime.current()
    try:
        body = parse_body(request)
        choice = body.fields.get("choice", "confirm")
        if choice not in ("confirm", "reject"):
            raise Problem(400, "invalid_field", "choice: must be confirm or reject", "choice")
        service = runtime.service()
        done = service.confirm(slug, ref) if choice == "confirm" else service.reject(slug, ref)
    except LinkNotValid:
        if form:
            petition = service.content.petition(slug) if service else None
            return link_problem_page(service, petition)
        problem = Problem(404, "link_not_valid", "This confirmation link does not work.")
        return json_response(problem)
    except (Problem, PetitionSiteError) as error:
        return _refused(error, slug, form)
    if form:
        return _see(f"/petitions/{quote(slug, safe='')}/{done.outcome}/{_fragment(done.receipt)}")
    answer = {"outcome": done.outcome, "count": done.count, "milestone": done.milestone}
    if done.receipt:
        answer["receipt"] = done.receipt
    return Response(answer, headers={**JSON_TYPE, **NO_STORE}, status_code=200)


def unsubscribe_page(slug: str, ref: str, token: str) -> Response:
    """GET an unsubscribe link: a page with one button that POSTs. Changes nothing (mail
    scanners open links before people do)."""
    try:
        service = runtime.service()
        named = _checked(service, slug, ref, token)
    except PetitionSiteError as error:
        return _refused(error, slug, form=True)
    if named is None:
        return unsubscribe_problem(service, slug)
    api = service.content.site.api_url.rstrip("/")
    action = f"{api}/petitions/{slug}/unsubscribe/{ref}/{token}"
    return unsubscribe_page_of(service, "unsubscribe.html", service.content.petition(slug), action)


def unsubscribe_post(slug: str, ref: str, token: str) -> Response:
    """POST an unsubscribe link (RFC 8058 one-click, or the page's button): the signer's
    consent to hear more is withdrawn (safe to repeat); 200 with a page saying so. A link
    that is broken or forged is a 404, whether or not the signature exists."""
    try:
        service = runtime.service()
        named = _checked(service, slug, ref, token)
        if named is not None:
            service.store.withdraw_consent(slug, named.email_key, named.sid)
    except PetitionSiteError as error:
        return _refused(error, slug, form=True)
    if named is None:
        return unsubscribe_problem(service, slug)
    log.info("consent withdrawn slug=%s", slug, extra={"event": "unsubscribed", "slug": slug})
    return unsubscribe_page_of(service, "unsubscribed.html", service.content.petition(slug))


def _checked(service: SigningService, slug: str, ref: str, token: str) -> unsubscribe.Named | None:
    """The signature an unsubscribe link names, or None when the link is broken or forged."""
    try:
        return unsubscribe.check(service.settings.secret(), slug, ref, token)
    except InvalidLink:
        return None


def unsubscribe_problem(service: SigningService, slug: str) -> Response:
    """The 404 page of an unsubscribe link that does not work."""
    petition = service.content.petition(slug) if SLUG.fullmatch(slug) else None
    return unsubscribe_page_of(service, "unsubscribe_problem.html", petition)


def petition(slug: str) -> Response:
    """GET a petition's live count, pending count, goal, status and milestones (cacheable
    for 5 s)."""
    try:
        body = runtime.service().status(slug)
    except PetitionSiteError as error:
        return _refused(error, slug, form=False)
    return Response(body, headers={**JSON_TYPE, **STATUS_CACHE}, status_code=200)

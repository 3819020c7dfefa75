"""The HTML the API answers a browser with, in the site's own templates and stylesheet: a
form that needs fixing (an error summary linking each field, the fields refilled), the
page a confirmation link opens, and a link that does not work.

The renderer is built on the first HTML answer (Jinja is not loaded for JSON requests). If
the site's content or templates cannot be loaded (the reason for a 503, say), a minimal
page stands in: an answer is never an error of its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from chalice.app import Response

from chalicelib.problems import Headers, Problem, html_response
from generator.content.versions import VERSION
from generator.errors import PetitionSiteError
from generator.model import Petition
from generator.signing.service import SigningService

if TYPE_CHECKING:
    from generator.render.pages import Renderer

log = logging.getLogger(__name__)

HTML = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
LABELS = {"name": "Name", "email": "Email", "postcode": "Postcode", "country": "Country"}
HEADINGS = {
    400: "There is a problem with your signature",
    404: "Petition not found",
    409: "This petition takes no more signatures",
    413: "Too much text",
    429: "Too many signatures from your network",
    503: "Please try again in a moment",
}
REFILLED = ("name", "email", "postcode", "country", "comment", "consent", "email_as_typed")
KEPT = "version"  # the text version the page showed: kept when well-formed

_renderers: dict[int, Renderer] = {}
_lock = threading.Lock()


def _renderer(service: SigningService) -> Renderer:
    """The renderer of this service's site (one per service, built once)."""
    with _lock:
        found = _renderers.get(id(service))
        if found is None or found.site is not service.content.site:
            from generator.render.pages import Renderer

            found = Renderer(service.content.site, service.settings.templates_dir())
            _renderers.clear()
            _renderers[id(service)] = found
        return found


def _ask_html(petition: Petition) -> str:
    from generator.render.markup import render_markdown

    return render_markdown(petition.ask)


def _refill(fields: Mapping[str, object]) -> dict[str, str]:
    """What the signer typed, to put back in the form (text fields only), and the text
    version their page showed (a malformed one is left for the form's own)."""
    found = {k: v for k, v in fields.items() if k in REFILLED and isinstance(v, str)}
    version = fields.get(KEPT)
    if isinstance(version, str) and VERSION.fullmatch(version):
        found[KEPT] = version
    return found


def problem_page(
    problem: Problem,
    service: SigningService | None,
    slug: str,
    fields: Mapping[str, object],
    suggestion: str | None = None,
) -> Response:
    """The form page a failed form post answers with (or a typo to confirm, status 200)."""
    if service is None:
        return html_response(problem, slug)
    petition = service.content.petition(slug)
    field = problem.field if problem.field in LABELS or problem.field == "comment" else None
    message = (
        problem.message.split(": ", 1)[1] if field and ": " in problem.message else problem.message
    )
    label = LABELS.get(field or "", "Comment")
    summary = [{"field": field, "message": f"{label}: {message}" if field else message}]
    heading = HEADINGS.get(problem.status, "Your signature was not accepted")
    status = problem.status
    if suggestion is not None:
        heading, status = "Is your email address right?", 200
        summary = [{"field": "email", "message": f"Did you mean {suggestion}?"}]
    try:
        page = _renderer(service).answer(
            "sign_problem.html",
            petition,
            heading=heading,
            summary=summary,
            suggestion=suggestion,
            values={**_refill(fields), **({"email_as_typed": "yes"} if suggestion else {})},
            problems={field: summary[0]["message"]} if field else {},
            show_form=petition is not None and problem.status not in (404, 409),
        )
    except (PetitionSiteError, OSError) as exc:
        log.warning("answer page not rendered: %s", type(exc).__name__)
        return html_response(problem, slug)
    headers: Headers = {**HTML, **problem.headers()}
    return Response(page.decode(), headers=headers, status_code=status)


def confirm_page(service: SigningService, petition: Petition, action: str) -> Response:
    """The page a confirmation link opens: Confirm and "This wasn't me", both POSTs."""
    try:
        page = _renderer(service).answer(
            "confirm.html", petition, action=action, ask_html=_ask_html(petition)
        )
    except (PetitionSiteError, OSError) as exc:
        log.error("confirmation page not rendered: %s: %s", type(exc).__name__, exc)
        problem = Problem(503, "unavailable", "This page is not available right now; try again.")
        return html_response(problem, petition.slug)
    return Response(page.decode(), headers=dict(HTML), status_code=200)


def unsubscribe_page(
    service: SigningService, template: str, petition: Petition | None, action: str = ""
) -> Response:
    """An unsubscribe link's pages: `unsubscribe.html` (a GET: one button that POSTs) or
    `unsubscribed.html` (done), 200; `unsubscribe_problem.html` (a broken link), 404."""
    status = 404 if template == "unsubscribe_problem.html" else 200
    try:
        page = _renderer(service).answer(template, petition, action=action)
    except (PetitionSiteError, OSError) as exc:
        log.warning("unsubscribe page not rendered: %s", type(exc).__name__)
        if status == 404:
            problem = Problem(404, "link_not_valid", "This unsubscribe link does not work.")
        else:
            problem = Problem(
                503, "unavailable", "This page is not available right now; try again."
            )
        return html_response(problem, None)
    return Response(page.decode(), headers=dict(HTML), status_code=status)


def link_problem_page(service: SigningService | None, petition: Petition | None) -> Response:
    """The 404 page of a confirmation link that is broken, forged or expired."""
    problem = Problem(404, "link_not_valid", "This confirmation link does not work.")
    if service is None:
        return html_response(problem, None)
    try:
        page = _renderer(service).answer("link_problem.html", petition)
    except (PetitionSiteError, OSError):
        return html_response(problem, None)
    return Response(page.decode(), headers=dict(HTML), status_code=404)

"""Request bodies: the two content types the signing route takes, bounded and strictly decoded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

from chalice.app import Request

from chalicelib.problems import Problem
from generator.signing.signer import field_label

MAX_BODY = 16 * 1024  # bytes; a signature is a few hundred
MAX_FIELDS = 50
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
ACCEPTED = (JSON, FORM)


@dataclass(frozen=True)
class Body:
    """The fields a client sent, and whether they came from an HTML form."""

    fields: dict[str, object]
    form: bool


def media_type(request: Request) -> str:
    """The request's media type, lower-cased without parameters (JSON when none is given)."""
    value = request.headers.get("content-type") or JSON
    return value.split(";", 1)[0].split(",", 1)[0].strip().lower()


def is_form(request: Request) -> bool:
    """Whether the request is an HTML form post (whose errors are answered as HTML)."""
    return media_type(request) == FORM


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    fields: dict[str, object] = {}
    for key, value in pairs:
        if key in fields:
            label = field_label(key)
            raise Problem(400, "invalid_field", f"{label}: given more than once", label)
        fields[key] = value
    return fields


def _parse_json(text: str) -> dict[str, object]:
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicates)
    except (ValueError, RecursionError):
        raise Problem(400, "invalid_body", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise Problem(400, "invalid_body", "The request body must be a JSON object.")
    return data


def _parse_form(text: str) -> dict[str, object]:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise Problem(400, "invalid_body", "The form data is not valid UTF-8.") from None
    except ValueError:
        raise Problem(400, "invalid_body", "The form has too many fields.") from None
    return _reject_duplicates(list(pairs))


def parse_body(request: Request) -> Body:
    """The fields of a signing request; a Problem (400, 413, 415) when they cannot be read."""
    kind = media_type(request)
    if kind not in ACCEPTED:
        raise Problem(415, "unsupported_media_type", f"Send {JSON} or {FORM}.")
    raw = request.raw_body or b""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if len(data) > MAX_BODY:
        raise Problem(413, "too_large", f"The request body is over {MAX_BODY // 1024} KiB.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "invalid_body", "The request body is not valid UTF-8.") from None
    if kind == FORM:
        return Body(_parse_form(text), form=True)
    return Body(_parse_json(text), form=False)

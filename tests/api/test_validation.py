"""Bad input gets a 4xx naming what was wrong, never a 500 or a traceback.

Refused before the store is asked, so these run on the SQLite store only (the store-facing
tests in the other modules run on both implementations).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .support import Api, valid_fields

pytestmark = pytest.mark.parametrize("store", ["sqlite"], indirect=True)

LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".org"  # 254 characters


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"name": None}, "name", "missing_field"),
        ({"name": "   "}, "name", "missing_field"),
        ({"name": "x" * 101}, "name", "invalid_field"),
        ({"name": "Ada\x07Lovelace"}, "name", "invalid_field"),
        ({"name": "Ada\nLovelace"}, "name", "invalid_field"),
        ({"name": "Ada\u202eLovelace"}, "name", "invalid_field"),
        ({"name": "=HYPERLINK(1)"}, "name", "invalid_field"),
        ({"name": "+64 21 000"}, "name", "invalid_field"),
        ({"name": " -Ada"}, "name", "invalid_field"),
        ({"name": "@ada"}, "name", "invalid_field"),
        ({"name": 42}, "name", "invalid_field"),
        ({"email": None}, "email", "missing_field"),
        ({"email": "ada"}, "email", "invalid_field"),
        ({"email": "ada@example"}, "email", "invalid_field"),
        ({"email": "ada lovelace@example.org"}, "email", "invalid_field"),
        ({"email": "ada@@example.org"}, "email", "invalid_field"),
        ({"email": ".ada@example.org"}, "email", "invalid_field"),
        ({"email": "x" + LONG_EMAIL}, "email", "invalid_field"),
        ({"email": ["ada@example.org"]}, "email", "invalid_field"),
        ({"postcode": "6" * 21}, "postcode", "invalid_field"),
        ({"postcode": "60_11"}, "postcode", "invalid_field"),
        ({"postcode": "=6011"}, "postcode", "invalid_field"),
        ({"country": "New Zealand"}, "country", "unknown_field"),
        ({"consent": "yes"}, "consent", "invalid_field"),
        ({"consent": 1}, "consent", "invalid_field"),
        ({"comment": "c" * 1001}, "comment", "invalid_field"),
        ({"comment": "fine\x00"}, "comment", "invalid_field"),
        ({"favourite_colour": "blue"}, "favourite_colour", "unknown_field"),
        ({"ada@example.org": "x"}, "(unnamed field)", "unknown_field"),
    ],
)
def test_a_bad_field_is_a_400_naming_it(
    api: Api, changes: dict[str, Any], field: str, code: str
) -> None:
    response = api.sign("fresh", valid_fields(**changes))

    assert response.status_code == 400
    assert response.json_body["error"]["field"] == field
    assert response.json_body["error"]["code"] == code
    assert field in response.json_body["error"]["message"]
    assert api.get("fresh").json_body["count"] == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "x" * 100},
        {"name": "  Ada Lovelace  "},
        {"name": "Mālama Āina 🌿"},
        {"email": LONG_EMAIL},
        {"email": "ada.lovelace+petitions@mail.example.co.nz"},
        {"postcode": "SW1A 1AA"},
        {"postcode": None},
        {"postcode": "   "},
        {"postcode": "6" * 20},
        {"consent": False, "comment": "Line one\nline two - with a dash"},
        {"comment": "-" + "c" * 999},
        {"consent": None},
    ],
)
def test_valid_fields_at_their_limits_are_accepted(api: Api, changes: dict[str, Any]) -> None:
    response = api.sign("fresh", valid_fields(**changes))

    assert response.status_code == 201, response.json_body


@pytest.mark.parametrize(
    ("consent", "status"),
    [("yes", 303), ("on", 303), ("true", 303), ("1", 303), ("", 303), ("maybe", 400)],
)
def test_form_consent_takes_what_a_checkbox_sends(api: Api, consent: str, status: int) -> None:
    assert api.sign("fresh", form=True, consent=consent).status_code == status


def test_a_bad_form_post_gets_the_form_back_with_a_summary_and_what_was_typed(api: Api) -> None:
    response = api.sign("fresh", form=True, name="Ada Lovelace", email="not an email")
    page = response.body.decode()

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert '<html lang="en-NZ">' in page
    assert '<link rel="stylesheet" href="/assets/style.' in page  # the site's own stylesheet
    summary = page.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'role="alert"' in summary
    assert '<a href="#sign-email">Email: must be an email address: ' in summary
    assert 'id="sign-email"' in page and 'aria-invalid="true"' in page  # the field is marked
    assert 'value="Ada Lovelace"' in page  # what was typed is kept
    assert 'value="not an email"' in page
    assert '<a href="/petitions/fresh/">Back to the petition</a>' in page


def test_a_form_field_given_twice_is_a_400(api: Api) -> None:
    body = b"name=Ada&email=ada%40example.org&postcode=6011&email=eve%40example.org"
    response = api.post_raw("fresh", body, {"Content-Type": "application/x-www-form-urlencoded"})

    assert response.status_code == 400
    assert "email: given more than once" in response.body.decode()


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[]",
        b'"name"',
        b"null",
        b"\xff\xfe{}",
        b"[" * 5000 + b"]" * 5000,
        b'{"name": "Ada", "name": "Eve"}',
    ],
)
def test_a_body_that_is_not_one_json_object_is_a_400(api: Api, body: bytes) -> None:
    response = api.post_raw("fresh", body, {"Content-Type": "application/json"})

    assert response.status_code == 400
    assert set(response.json_body["error"]) == {"code", "message", "field"}
    assert "Traceback" not in response.body.decode()


def test_a_form_body_that_is_not_utf8_is_a_400(api: Api) -> None:
    response = api.post_raw(
        "fresh",
        b"name=%FF%FE&email=a%40b.org",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 400
    assert "UTF-8" in response.body.decode()


def test_an_unknown_petition_is_a_404(api: Api) -> None:
    signed = api.sign("no-such-petition")
    read = api.get("no-such-petition")

    assert signed.status_code == read.status_code == 404
    assert signed.json_body["error"]["code"] == "not_found"
    assert read.json_body == signed.json_body


def test_an_unknown_petition_form_post_links_home(api: Api) -> None:
    response = api.sign("no-such-petition", form=True)

    assert response.status_code == 404
    assert '<a href="/">See all petitions</a>' in response.body.decode()


@pytest.mark.parametrize(
    ("slug", "status"), [("closed", "closed"), ("won", "won"), ("expired", "closed")]
)
def test_a_petition_that_takes_no_signatures_is_a_409(api: Api, slug: str, status: str) -> None:
    response = api.sign(slug)

    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "closed"
    assert status in response.json_body["error"]["message"]
    assert api.get(slug).json_body["count"] == 0


def _padded_body(size: int) -> bytes:
    fields = valid_fields(comment="")
    base = len(json.dumps(fields).encode())
    body = json.dumps(valid_fields(comment="c" * (size - base))).encode()
    assert len(body) == size
    return body


def test_a_body_over_16_kib_is_a_413(api: Api) -> None:
    at_limit = api.post_raw("fresh", _padded_body(16 * 1024), {"Content-Type": "application/json"})
    over = api.post_raw("fresh", _padded_body(16 * 1024 + 1), {"Content-Type": "application/json"})

    assert at_limit.status_code == 400  # read and judged: the comment is too long
    assert at_limit.json_body["error"]["field"] == "comment"
    assert over.status_code == 413
    assert over.json_body["error"]["code"] == "too_large"


@pytest.mark.parametrize(
    "kind", ["text/plain", "multipart/form-data; boundary=x", "text/plain, application/json"]
)
def test_another_content_type_is_a_415_in_the_api_error_shape(api: Api, kind: str) -> None:
    response = api.post_raw("fresh", json.dumps(valid_fields()).encode(), {"Content-Type": kind})

    assert response.status_code == 415
    assert response.json_body["error"]["code"] == "unsupported_media_type"
    assert response.json_body["error"]["field"] is None


def test_json_with_a_charset_is_accepted(api: Api) -> None:
    body = json.dumps(valid_fields()).encode()
    response = api.post_raw("fresh", body, {"Content-Type": "application/json; charset=utf-8"})

    assert response.status_code == 201


def test_a_wrong_method_is_a_405_in_the_api_error_shape(api: Api) -> None:
    response = api.client.http.get("/petitions/fresh/signatures")

    assert response.status_code == 405
    assert response.json_body["error"]["code"] == "method_not_allowed"

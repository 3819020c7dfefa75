"""Script injection: payloads in every content field and every signer field never come back live.

A content field either refuses the payload (an error naming that field and its line) or
the built site shows it as text: no script element, event handler or javascript: URL of its
own in any page, in the HTML inside the feed, or in the sitemap. Signer fields are never
reflected by the API (JSON answers and form-post error pages) nor written to any page.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from generator.build.engine import BuildOptions, build
from generator.content.loading import load_content
from generator.errors import ContentErrors
from generator.store.sqlite import SqliteStore
from tests.serve.client import request
from tests.serve.launcher import set_site_option
from tests.support.answers import without_refill
from tests.support.fixture_site import CONTENT, TEMPLATES
from tests.support.pictures import write_picture

from .client import sign
from .harness import LOAD_SLUG, make_site, serving
from .html_check import live_script, site_problems

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "url": "javascript:alert(1)",
    "title": "</title><script>alert(1)</script>",
    "template": "{{7*7}}",
    "markdown-link": "[click me](javascript:alert(1))",
    "svg": "<svg/onload=alert(1)>",
    "iframe": "<iframe src=javascript:alert(1)></iframe>",
    "entity": "&lt;script&gt;alert(1)&lt;/script&gt;",
}
PETITION_FIELDS = (
    "title",
    "target",
    "ask",
    "location.name",
    "location.address",
    "call_to_action.text",
    "call_to_action.url",
    "image.file",
    "image.alt",
    "image.credit",
    "tags",
    "body",
)
SITE_FIELDS = ("name", "description", "organisation")
URL_FIELDS = ("privacy_url", "call_to_action.url")  # refuse anything but http(s)
FILE_FIELDS = ("image.file",)  # refuse anything but a picture under content/
SAFE = {
    "title": "A safe title",
    "target": "A safe target",
    "ask": "A safe ask.",
    "location.name": "A safe place",
    "location.address": "1 Safe Street",
    "call_to_action.text": "Give",
    "call_to_action.url": "https://example.org/give",
    "image.file": "pictures/picture.jpg",
    "image.alt": "A safe picture",
    "image.credit": "A safe credit",
    "tags": "safe",
    "body": "A safe body.",
}
SLUG = "hostile"


def petition_text(values: dict[str, str]) -> str:
    """A petition file with these field values (JSON-quoted, which YAML reads as strings)."""
    q = json.dumps
    return (
        "---\n"
        f"title: {q(values['title'])}\n"
        f"target: {q(values['target'])}\n"
        f"ask: {q(values['ask'])}\n"
        "created: 2024-01-01T09:00:00+13:00\n"
        "location:\n"
        f"  name: {q(values['location.name'])}\n"
        f"  address: {q(values['location.address'])}\n"
        "  lat: -41.2784\n"
        "  lon: 174.7763\n"
        "call_to_action:\n"
        f"  text: {q(values['call_to_action.text'])}\n"
        f"  url: {q(values['call_to_action.url'])}\n"
        "image:\n"
        f"  file: {q(values['image.file'])}\n"
        f"  alt: {q(values['image.alt'])}\n"
        f"  credit: {q(values['image.credit'])}\n"
        f"tags: [{q(values['tags'])}]\n"
        "---\n"
        f"{values['body']}\n"
    )


def content_folder(folder: Path, site_values: dict[str, str], values: dict[str, str]) -> Path:
    """A content folder: the fixture's site.yaml with `site_values`, one petition."""
    (folder / "petitions").mkdir(parents=True)
    shutil.copy(CONTENT / "site.yaml", folder / "site.yaml")
    for key, value in site_values.items():
        set_site_option(folder, key, json.dumps(value))
    (folder / "petitions" / f"{SLUG}.md").write_text(petition_text(values), encoding="utf-8")
    write_picture(folder / "pictures" / "picture.jpg")
    return folder


def refusal(folder: Path) -> ContentErrors | None:
    """The errors loading a content folder raises, or None when it loads."""
    try:
        load_content(folder)
    except ContentErrors as errors:
        return errors
    return None


def accepted_fields(tmp: Path, payload: str) -> tuple[list[str], list[str]]:
    """Which site and petition fields take the payload; the others must refuse it by name."""
    site_ok, petition_ok = [], []
    for n, field in enumerate((*SITE_FIELDS, "privacy_url", *PETITION_FIELDS)):
        in_site = field in (*SITE_FIELDS, "privacy_url")
        folder = content_folder(
            tmp / f"probe-{n}",
            {field: payload} if in_site else {},
            SAFE if in_site else {**SAFE, field: payload},
        )
        errors = refusal(folder)
        if errors is None:
            (site_ok if in_site else petition_ok).append(field)
            continue
        assert all(e.field.startswith(field) and e.line >= 1 for e in errors.errors), str(errors)
    return site_ok, petition_ok


@pytest.mark.parametrize("name", PAYLOADS)
def test_a_payload_in_every_content_field_is_refused_or_shown_as_text(
    tmp_path: Path, name: str
) -> None:
    payload = PAYLOADS[name]
    site_ok, petition_ok = accepted_fields(tmp_path / "probes", payload)
    folder = content_folder(
        tmp_path / "content",
        {field: payload for field in site_ok},
        {**SAFE, **{field: payload for field in petition_ok}},
    )
    out = tmp_path / "out"
    build(BuildOptions(folder, TEMPLATES, out, None, True, workers=1))

    assert {"title", "target", "ask", "body", "location.name"} <= set(petition_ok)
    assert set(site_ok) == set(SITE_FIELDS)
    assert not set(URL_FIELDS) & set(petition_ok)
    assert not set(FILE_FIELDS) & set(petition_ok)
    assert {"image.alt", "image.credit"} <= set(petition_ok)
    assert site_problems(out, "https://petitions.example.org") == []
    page = (out / "petitions" / SLUG / "index.html").read_text(encoding="utf-8")
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert heading is not None
    assert html.unescape(heading.group(1)) == payload  # shown as typed, never evaluated


def test_the_checker_sees_live_script() -> None:
    page = (
        '<p><img src=x onerror=alert(1)></p><a href=" JaVaScRiPt:alert(1)">x</a>'
        "<script>alert(1)</script><script src=/x.js></script><iframe src=/x></iframe>"
    )
    assert len(live_script(page)) == 6
    assert live_script('<script src="/assets/sign.0123abcd.js" defer></script>') == []
    assert live_script("<p>&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;</p>") == []


def signer_requests(payload: str, n: int) -> Iterator[tuple[str, dict[str, object]]]:
    """(what, fields) pairs putting the payload in each signer field and in a field name."""
    email = f"xss{n}@example.org"
    yield "name", {"name": payload, "email": email}
    yield "email", {"name": "Signer", "email": payload}
    yield "email-local", {"name": "Signer", "email": f"{payload}@example.org"}
    yield "postcode", {"name": "Signer", "email": f"p{n}@example.org", "postcode": payload}
    yield "country", {"name": "Signer", "email": f"c{n}@example.org", "country": payload}
    yield "comment", {"name": "Signer", "email": f"m{n}@example.org", "comment": payload}
    yield "honeypot", {"name": "Signer", "email": f"h{n}@example.org", "website": payload}
    yield "field-name", {"name": "Signer", "email": f"k{n}@example.org", payload: "x"}


def assert_not_reflected(text: str, payload: str, what: str) -> None:
    """The payload is not in an answer (but for the form refilled, escaped, with what the
    signer typed), and the answer runs nothing."""
    assert payload not in without_refill(text), f"{what}: the payload came back"
    assert "Traceback" not in text, what
    assert live_script(text) == [], what


def test_signer_payloads_never_come_back_in_answers_or_pages(tmp_path: Path) -> None:
    work = make_site(tmp_path / "site", ladder=(3, 10))
    set_site_option(work / "content", "signer_fields", "[postcode, country, consent, comment]")
    store = SqliteStore(tmp_path / "signatures.db")
    statuses: set[int] = set()
    try:
        with serving(work, store) as site:
            for n, payload in enumerate(PAYLOADS.values()):
                for what, fields in signer_requests(payload, n):
                    for form in (False, True):
                        name, email = str(fields.pop("name")), str(fields.pop("email"))
                        reply = sign(site.url, LOAD_SLUG, email, name=name, form=form, **fields)
                        fields.update(name=name, email=email)
                        statuses.add(reply.status)
                        assert_not_reflected(reply.text, payload, f"{what} form={form}")
                path = f"/api/petitions/{quote(payload, safe='')}"
                for reply in (
                    sign(site.url, quote(payload, safe=""), "slug@example.org", form=True),
                    request(site.url, path),
                ):
                    statuses.add(reply.status)
                    assert_not_reflected(reply.text, payload, "slug")
            live = request(site.url, f"/api/petitions/{LOAD_SLUG}")
            assert site.writeback.wait(10)
            won = dict(site.won)
        stored = list(store.signatures(LOAD_SLUG))
    finally:
        store.close()

    assert statuses <= {201, 303, 400, 404}, statuses
    assert any(s.name == PAYLOADS["script"] for s in stored)  # kept as typed, for the export
    assert won  # a milestone re-rendered the page with these signers counted
    assert live.status == 200
    for payload in PAYLOADS.values():
        assert_not_reflected(live.text, payload, "status")
    for path in (work / "out").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".txt", ".json"):
            text = path.read_text(encoding="utf-8")
            assert "xss0@example.org" not in text
            assert all(p not in text for p in PAYLOADS.values()), path
    assert site_problems(work / "out", "https://petitions.example.org") == []

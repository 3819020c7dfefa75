"""Hostile requests to the signing API through the local server: refused clearly, never a 5xx.

Oversized and deeply nested bodies, invalid UTF-8, wrong content types, broken framing
(bad Content-Length, chunked bodies, oversized headers, a client that stalls) and
forwarded-address headers that try to get round the rate limit. Each answer is a 4xx (501
for a transfer coding nobody implements) in the API's JSON shape (or the form's HTML page),
nothing is stored, nothing is logged as an error, and the server goes on answering.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.local.server import MAX_BODY, MAX_HEADERS
from generator.store.sqlite import SqliteStore
from tests.serve.client import Reply
from tests.serve.client import request as get

from .client import post, retry_after, sign
from .harness import LOAD_SLUG, LocalApp, serving

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
KIB = 1024
ORIGIN_SECRET = "cloudfront-origin-secret-for-tests"


@pytest.fixture
def site(work: Path, sqlite_store: SqliteStore) -> Iterator[LocalApp]:
    """The site served in this process on SQLite, without a rate limit."""
    with serving(work, sqlite_store) as running:
        yield running


@pytest.fixture(autouse=True)
def nothing_logged_as_an_error(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every hostile request is answered on purpose: no error record, no traceback."""
    yield
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert failures == [], [r.getMessage() for r in failures]


def assert_still_serving(site: LocalApp) -> None:
    """The server answers a plain request after the hostile one."""
    assert get(site.url, f"/api/petitions/{LOAD_SLUG}").status == 200


def assert_refused(reply: Reply, status: int, code: str | None = None) -> None:
    """A JSON error answer with this status (and code), no traceback."""
    assert reply.status == status, reply.text
    assert reply.headers["content-type"] == "application/json"
    error = reply.json()["error"]
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    assert "Traceback" not in reply.text


def raw_exchange(site: LocalApp, head: str, body: bytes = b"", wait: float = 5.0) -> bytes:
    """Send a hand-written request and read until the server hangs up; its whole answer."""
    with socket.create_connection(("127.0.0.1", site.port), timeout=wait) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def error_code(answer: bytes) -> str:
    """The `error.code` of a raw answer's JSON body."""
    return str(json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]["code"])


def request_head(length_headers: str) -> str:
    """The start of a signing POST, with the given framing headers."""
    return (
        f"POST /api/petitions/{LOAD_SLUG}/signatures HTTP/1.1\nHost: 127.0.0.1\n"
        f"Content-Type: application/json\n{length_headers}\n"
    )


def padded(size: int, form: bool) -> bytes:
    """A signature whose name is padded so the whole body is `size` bytes."""
    head, tail = (b"name=", b"&email=jo%40example.org") if form else (b'{"name": "', b'"}')
    if not form:
        tail = b'", "email": "jo@example.org"}'
    return head + b"a" * (size - len(head) - len(tail)) + tail


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_a_body_over_16_kib_is_a_413_and_one_of_16_kib_is_read(site: LocalApp, form: bool) -> None:
    headers = FORM if form else JSON
    over = post(site.url, LOAD_SLUG, padded(16 * KIB + 1, form), headers)
    limit = post(site.url, LOAD_SLUG, padded(16 * KIB, form), headers)

    assert over.status == 413
    assert "Traceback" not in over.text
    assert limit.status == 400  # read, then refused for its overlong name
    assert "name" in limit.text
    assert site.store.tally(LOAD_SLUG).count == 0


def test_a_body_over_1_mib_is_refused_before_it_is_read(site: LocalApp) -> None:
    # One byte of the announced body is sent and our side stays open: an answer, and the
    # server hanging up, can only come before it read (or waited for) the rest.
    try:
        answer = raw_exchange(site, request_head(f"Content-Length: {1024 * KIB + 1}\n"), b"{")
    except TimeoutError:
        pytest.fail("the server waited for the 1 MiB body instead of refusing it", pytrace=False)

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert error_code(answer) == "too_large"
    assert_still_serving(site)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 8000 + b"]" * 8000,
        b'{"a":' * 2000 + b"1" + b"}" * 2000,
        b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b', "email": "n@example.org"}',
    ],
    ids=["arrays", "objects", "in-a-field"],
)
def test_deeply_nested_json_within_the_size_limit_is_a_400(site: LocalApp, body: bytes) -> None:
    assert len(body) <= 16 * KIB
    assert_refused(post(site.url, LOAD_SLUG, body, JSON), 400)


def test_a_hundred_thousand_nested_arrays_are_refused_by_size(site: LocalApp) -> None:
    reply = post(site.url, LOAD_SLUG, b"[" * 100_000 + b"]" * 100_000, JSON)

    assert_refused(reply, 413, "too_large")


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b'{"name": "Jo\xff\xfe", "email": "jo@example.org"}', JSON),
        (b'{"name": "Jo\xc0\xaf", "email": "jo@example.org"}', JSON),  # overlong "/"
        (b'{"name": "Jo\xed\xa0\x80", "email": "jo@example.org"}', JSON),  # encoded surrogate
        ('{"name": "José", "email": "jo@example.org"}'.encode("latin-1"), JSON),
        (
            '{"name": "José", "email": "jo@example.org"}'.encode("latin-1"),
            {"Content-Type": "application/json; charset=latin-1"},
        ),
        (b"name=Jo\xff&email=jo%40example.org", FORM),
        (b"name=Jo%FF&email=jo%40example.org", FORM),
    ],
    ids=["json", "overlong", "surrogate", "latin-1", "latin-1-declared", "form", "form-escaped"],
)
def test_invalid_utf_8_is_a_400_and_nothing_is_stored(
    site: LocalApp, body: bytes, headers: dict[str, str]
) -> None:
    reply = post(site.url, LOAD_SLUG, body, headers)

    assert reply.status == 400, reply.text
    assert "Traceback" not in reply.text
    assert site.store.tally(LOAD_SLUG).count == 0


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "\\ud800", "email": "jo@example.org"}',  # a lone surrogate, escaped
        b'{"name": 1e999, "email": "jo@example.org"}',
        b'{"name": "N", "email": "jo@example.org", "consent": 1' + b"0" * 5000 + b"}",
        b'{"name": ["N"], "email": "jo@example.org"}',
        b'{"name": "N", "email": "jo@example.org", "name": "M"}',
        b'["name", "email"]',
        b"null",
        b"\xef\xbb\xbf" + b'{"name": "N", "email": "jo@example.org"}',
    ],
    ids=["surrogate", "infinity", "huge-number", "list", "twice", "array", "null", "bom"],
)
def test_malformed_json_is_a_400_in_the_api_shape(site: LocalApp, body: bytes) -> None:
    assert_refused(post(site.url, LOAD_SLUG, body, JSON), 400)
    assert site.store.tally(LOAD_SLUG).count == 0


@pytest.mark.parametrize(
    "kind",
    [
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/octet-stream",
        "",
    ],
)
def test_a_wrong_content_type_is_a_415_in_the_api_shape(site: LocalApp, kind: str) -> None:
    body = b'{"name": "N", "email": "jo@example.org"}'
    reply = post(site.url, LOAD_SLUG, body, {"Content-Type": kind})

    assert_refused(reply, 415, "unsupported_media_type")
    assert site.store.tally(LOAD_SLUG).count == 0


@pytest.mark.parametrize(
    "framing",
    [
        "Content-Length: abc\n",
        "Content-Length: -5\n",
        "Content-Length: 2\nContent-Length: 40\n",
        "Content-Length: 1e3\n",
    ],
    ids=["letters", "negative", "conflicting", "float"],
)
def test_a_broken_content_length_is_a_400_not_a_dropped_connection(
    site: LocalApp, framing: str
) -> None:
    answer = raw_exchange(site, request_head(framing), b"{}")

    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert error_code(answer) == "bad_request"
    assert_still_serving(site)


def chunked(*chunks: bytes) -> bytes:
    """A chunked body made of these chunks."""
    return b"".join(f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks) + b"0\r\n\r\n"


def test_a_chunked_body_is_read_like_a_sized_one(site: LocalApp) -> None:
    body = chunked(b'{"name": "Chunk", ', b'"email": "chunk@example.org"}')
    answer = raw_exchange(
        site, request_head("Transfer-Encoding: chunked\nConnection: close\n"), body
    )

    assert answer.startswith(b"HTTP/1.1 201 ")
    assert site.store.tally(LOAD_SLUG).count == 1


def test_a_request_hidden_in_a_chunk_is_never_run(site: LocalApp) -> None:
    smuggled = (
        f"POST /api/petitions/{LOAD_SLUG}/signatures HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/json\r\nContent-Length: 41\r\n\r\n"
        '{"name": "S", "email": "s@example.org"}\r\n'
    ).encode()
    framing = "Transfer-Encoding: chunked\nContent-Length: 3\nConnection: close\n"
    answer = raw_exchange(site, request_head(framing), chunked(smuggled))

    assert answer.startswith(b"HTTP/1.1 400 ")  # the chunks are one (invalid JSON) body
    assert answer.count(b"HTTP/1.1 ") == 1
    assert site.store.tally(LOAD_SLUG).count == 0


@pytest.mark.parametrize(
    ("framing", "body", "status"),
    [
        # RFC 9112 §6.1: a transfer coding the server does not understand is a 501
        ("Transfer-Encoding: gzip\n", b"{}", 501),
        ("Transfer-Encoding: chunked\n", b"zz\r\n{}\r\n0\r\n\r\n", 400),
        ("Transfer-Encoding: chunked\n", b"2\r\n{}}}\r\n0\r\n\r\n", 400),
    ],
    ids=["unknown-coding", "bad-size", "overlong-chunk"],
)
def test_a_broken_chunked_body_is_refused_at_once(
    site: LocalApp, framing: str, body: bytes, status: int
) -> None:
    answer = raw_exchange(site, request_head(framing), body)

    assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer[:200]
    assert "error" in json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert site.store.tally(LOAD_SLUG).count == 0
    assert_still_serving(site)


def test_a_chunked_body_over_1_mib_is_a_413_once_the_limit_is_crossed(site: LocalApp) -> None:
    # A chunk may announce any size; the server counts the body's bytes as they arrive and
    # refuses at the byte past 1 MiB, so a client can never make it hold more. Nothing is
    # sent after that byte, so the answer can be read before the server hangs up.
    control = f"{2 * MAX_BODY:x}\r\n".encode()
    body = control + b"a" * (MAX_BODY + 1 - len(control))

    answer = raw_exchange(site, request_head("Transfer-Encoding: chunked\n"), body, wait=20)

    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert error_code(answer) == "too_large"
    assert site.store.tally(LOAD_SLUG).count == 0
    assert_still_serving(site)


def test_a_header_block_of_64_kib_is_a_431(site: LocalApp) -> None:
    # Again nothing follows the byte that reaches the limit, so the answer is readable.
    head = f"GET /api/petitions/{LOAD_SLUG} HTTP/1.1\nHost: 127.0.0.1\nX-Long: "
    sent = len(head.replace("\n", "\r\n"))

    answer = raw_exchange(site, head, b"a" * (MAX_HEADERS - sent))

    assert answer.split(b" ", 2)[1] == b"431", answer[:200]
    assert error_code(answer) == "headers_too_large"
    assert_still_serving(site)


@pytest.mark.parametrize(
    "sent",
    [
        request_head("Content-Length: 100\n") + "\n" + '{"name": "Slow',
        request_head("Content-Length: 100\n").rsplit("\n", 2)[0],  # in the headers
        "GET /",  # in the request line
    ],
    ids=["mid-body", "mid-headers", "mid-line"],
)
def test_a_client_that_stalls_mid_request_gets_a_408(
    work: Path, sqlite_store: SqliteStore, sent: str
) -> None:
    with serving(work, sqlite_store, timeout=1) as site:
        answer = raw_exchange(site, sent, wait=10)
        assert_still_serving(site)

    assert answer.split(b" ", 2)[1] == b"408", answer[:200]
    assert error_code(answer) == "timeout"
    assert sqlite_store.tally(LOAD_SLUG).count == 0


def test_a_line_break_in_the_slug_never_reaches_a_header(site: LocalApp) -> None:
    slug = "x%0d%0aSet-Cookie:%20stolen=1"
    reply = sign(site.url, slug, "jo@example.org", form=True)

    assert reply.status == 404
    assert "set-cookie" not in reply.headers
    assert "stolen" not in reply.headers.get("location", "")


SPOOFS = [
    {"X-Forwarded-For": "203.0.113.9"},
    {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"},
    {"Forwarded": "for=203.0.113.9"},
    {"X-Real-IP": "203.0.113.9"},
    {"True-Client-IP": "203.0.113.9"},
    {"CloudFront-Viewer-Address": "203.0.113.9:443"},
    {"CloudFront-Viewer-Address": "203.0.113.9:443", "X-Origin-Verify": "a guess"},
    {"CloudFront-Viewer-Address": "203.0.113.9:443", "X-Origin-Verify": ""},
]


@pytest.mark.parametrize("configured", [True, False], ids=["origin-secret", "no-origin-secret"])
def test_spoofed_client_address_headers_do_not_get_round_the_rate_limit(
    work: Path, sqlite_store: SqliteStore, configured: bool
) -> None:
    environ = {"PETITION_ORIGIN_SECRET": ORIGIN_SECRET} if configured else {}
    proof = {"CloudFront-Viewer-Address": "203.0.113.9:443", "X-Origin-Verify": ORIGIN_SECRET}
    with serving(work, sqlite_store, rate_limit=2, environ=environ) as site:
        allowed = [sign(site.url, LOAD_SLUG, f"a{n}@example.org") for n in range(2)]
        spoofed = [
            sign(site.url, LOAD_SLUG, f"s{n}@example.org", headers=headers)
            for n, headers in enumerate(SPOOFS)
        ]
        proven = sign(site.url, LOAD_SLUG, "viewer@example.org", headers=proof)

    assert [r.status for r in allowed] == [201, 201]
    assert [r.status for r in spoofed] == [429] * len(SPOOFS)
    assert all(retry_after(r) >= 1 for r in spoofed)
    # Only CloudFront, proving itself with the configured secret, may name the viewer.
    assert proven.status == (201 if configured else 429)
    assert sqlite_store.tally(LOAD_SLUG).count == (3 if configured else 2)

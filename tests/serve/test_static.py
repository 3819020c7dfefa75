"""The built site as `serve` hands it to a browser: pages, 404s, redirects, no escape."""

from __future__ import annotations

import pytest

from tests.support.fixture_site import OPEN_TITLE

from .client import raw_request, request
from .conftest import EXAMPLE
from .launcher import ServeProcess


def test_index_and_petition_pages_are_served_as_html(served: ServeProcess) -> None:
    index = request(served.url, "/")
    page = request(served.url, f"/petitions/{EXAMPLE}/")

    assert index.status == 200
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Petitions</h1>" in index.text
    assert page.status == 200
    assert f"<h1>{OPEN_TITLE}</h1>" in page.text
    assert int(page.headers["content-length"]) == len(page.body)


def test_assets_feed_and_robots_have_their_types(served: ServeProcess) -> None:
    page = request(served.url, f"/petitions/{EXAMPLE}/").text
    css = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]

    assert request(served.url, css).headers["content-type"] == "text/css; charset=utf-8"
    assert request(served.url, "/feed.xml").headers["content-type"].startswith("application/")
    assert request(served.url, "/robots.txt").text.startswith("User-agent")


def test_the_badge_is_an_svg_image_and_the_embed_page_may_be_framed(served: ServeProcess) -> None:
    badge = request(served.url, f"/petitions/{EXAMPLE}/badge.svg")
    embed = request(served.url, f"/petitions/{EXAMPLE}/embed/")
    tag = request(served.url, "/tags/transport/")

    assert badge.status == 200 and badge.headers["content-type"] == "image/svg+xml"
    assert badge.body.startswith(b"<svg ") and b">731<" in badge.body
    assert embed.status == 200 and embed.headers["content-type"] == "text/html; charset=utf-8"
    # Nothing here forbids framing (deploy: only the embed pages' CloudFront behaviour lifts
    # X-Frame-Options, tests/deploy/test_embed_stack.py).
    assert "x-frame-options" not in embed.headers
    assert "frame-ancestors" not in embed.headers.get("content-security-policy", "")
    assert tag.status == 200 and "Petitions tagged" in tag.text


def test_head_answers_headers_without_a_body(served: ServeProcess) -> None:
    reply = request(served.url, "/", method="HEAD")

    assert reply.status == 200
    assert reply.body == b""
    assert int(reply.headers["content-length"]) > 0


def test_unknown_page_is_404_with_the_sites_404_page(served: ServeProcess) -> None:
    reply = request(served.url, "/petitions/no-such-petition/")

    assert reply.status == 404
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Page not found</h1>" in reply.text
    assert reply.text == (served.out / "404.html").read_text()


def test_folder_without_slash_redirects_permanently(served: ServeProcess) -> None:
    reply = request(served.url, f"/petitions/{EXAMPLE}")

    assert reply.status == 301
    assert reply.headers["location"] == f"/petitions/{EXAMPLE}/"


def test_static_paths_take_no_post(served: ServeProcess) -> None:
    reply = request(served.url, "/", method="POST", body=b"x=1")

    assert reply.status == 405
    assert reply.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e/%2e%2e/secret.txt",
        "/petitions/../../secret.txt",
        "..%2fsecret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/secret.txt%00.html",
    ],
)
def test_paths_outside_the_site_folder_are_refused(served: ServeProcess, path: str) -> None:
    (served.work / "secret.txt").write_text("not for the web\n")

    reply = request(served.url, path)

    assert reply.status == 404
    assert "not for the web" not in reply.text


def test_a_symlink_out_of_the_site_folder_is_not_followed(served: ServeProcess) -> None:
    (served.work / "secret.txt").write_text("not for the web\n")
    (served.out / "leak.txt").symlink_to(served.work / "secret.txt")

    reply = request(served.url, "/leak.txt")

    assert reply.status == 404
    assert "not for the web" not in reply.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/" + "a" * 300, 404),  # one name longer than the file system allows (255 bytes)
        ("/petitions/" + "x" * 300 + "/", 404),
        ("/" + "a" * 5000, 404),  # longer than a whole path may be (4096 bytes)
        ("/" + "ab/" * 1500, 404),  # short names, too many of them
        ("/" + "%e2%82%ac" * 300, 404),  # 300 euro signs: 900 bytes in one name
        ("/%ff%fe%c0%af", 404),  # percent-encoded bytes that are not UTF-8
        ("/%zz%4", 404),  # percent signs that encode nothing
        ("/a%00b/", 404),
        ("/" + "a" * 9000, 414),  # a request target over 8 KiB is not looked at
    ],
    ids=[
        "300-chars", "300-chars-in-a-folder", "5000-chars", "4500-chars-in-folders",
        "900-bytes-of-utf-8", "not-utf-8", "bad-escapes", "nul", "9000-chars",
    ],
)  # fmt: skip
def test_overlong_and_odd_paths_are_answered_never_dropped(
    served: ServeProcess, path: str, status: int
) -> None:
    reply = request(served.url, path)
    head = request(served.url, path, method="HEAD")
    post = request(served.url, path, method="POST", body=b"x=1")

    assert reply.status == status
    assert head.status == status
    assert head.body == b""
    assert post.status == (405 if status == 404 else status)
    assert request(served.url, "/").status == 200  # still serving
    assert "Traceback" not in served.output
    assert "Error" not in served.output


def test_a_raw_nul_or_space_in_the_request_line_is_a_400(served: ServeProcess) -> None:
    answers = [
        raw_request(served.url, b"GET /a\x00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        raw_request(served.url, b"GET /a b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        raw_request(served.url, b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n"),  # TLS
    ]

    assert [a.split(b" ", 2)[1] for a in answers] == [b"404", b"400", b"400"]
    assert request(served.url, "/").status == 200
    assert "Traceback" not in served.output

"""The signing app mounted at /api on the site's own origin, as `serve` runs it."""

from __future__ import annotations

from collections.abc import Callable

from generator.store import open_store
from tests.support.eventually import eventually

from .client import request, sign_json
from .conftest import EXAMPLE
from .launcher import ServeProcess

IMPORTED = 731  # EXAMPLE's imported signatures


def count_of(server: ServeProcess, slug: str = EXAMPLE) -> int:
    """The live count the API reports."""
    reply = request(server.url, f"/api/petitions/{slug}")
    assert reply.status == 200, reply.text
    return int(reply.json()["count"])


def test_status_route_answers_json_with_the_baked_count(served: ServeProcess) -> None:
    reply = request(served.url, f"/api/petitions/{EXAMPLE}")

    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    data = reply.json()
    assert data["slug"] == EXAMPLE
    assert data["count"] >= IMPORTED  # the petition's imported count, plus what tests signed
    assert [m["count"] for m in data["milestones"]][:2] == [10, 25]


def test_json_signature_counts_once_and_leaves_no_trace_in_the_output(
    served: ServeProcess,
) -> None:
    before = count_of(served)

    first = sign_json(served.url, EXAMPLE, "Aroha Serve-Test", "aroha.serve@example.org")
    again = sign_json(served.url, EXAMPLE, "Aroha Serve-Test", " Aroha.Serve@Example.org ")

    assert first.status == 201
    assert again.status == 201  # answered politely, not counted twice
    for answer in (first, again):  # counts in answers are at most a second old
        assert before <= answer.json()["count"] <= before + 1
    store = open_store(f"sqlite:///{served.work / 'signatures.db'}")
    try:  # serve counts from its store's change feed, on a thread of its own
        eventually(lambda: store.feed() is None, message="serve counting what was signed")
        stored = store.tally(EXAMPLE).count
    finally:
        store.close()
    assert stored + IMPORTED == before + 1  # counted once, when everything is counted
    eventually(lambda: count_of(served) == before + 1, message="the API showing the count")
    assert "aroha" not in served.output.lower()


def test_form_post_redirects_to_a_thank_you_page_that_exists(served: ServeProcess) -> None:
    reply = request(
        served.url, f"/api/petitions/{EXAMPLE}/signatures", "POST",
        b"name=Mere+Form-Test&email=mere.form%40example.org",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip

    assert reply.status == 303
    thanks = request(served.url, reply.headers["location"])
    assert thanks.status == 200
    assert "<h1>Thank you for signing</h1>" in thanks.text


def test_unknown_api_route_and_petition_are_json_404s(served: ServeProcess) -> None:
    route = request(served.url, "/api/nothing-here")
    petition = request(served.url, "/api/petitions/no-such-petition")

    assert route.status == 404
    assert route.json()["error"]["code"] == "not_found"
    assert petition.status == 404
    assert petition.headers["content-type"] == "application/json"


def test_rate_limit_counts_the_socket_peer_not_forwarded_headers(
    serve_copy: Callable[..., ServeProcess],
) -> None:
    server = serve_copy(rate_limit=1, watch=False)
    spoof = {"X-Forwarded-For": "203.0.113.9", "cloudfront-viewer-address": "203.0.113.9:443"}

    first = sign_json(server.url, EXAMPLE, "Rawiri One", "one@example.org")
    second = sign_json(server.url, EXAMPLE, "Rawiri Two", "two@example.org", headers=spoof)
    other_peer = sign_json(
        server.url, EXAMPLE, "Rawiri Three", "three@example.org", source_ip="127.0.0.2"
    )

    assert first.status == 201
    assert second.status == 429
    assert "retry-after" in second.headers
    assert other_peer.status == 201


def test_an_encoded_hash_or_question_mark_stays_part_of_the_slug(served: ServeProcess) -> None:
    for odd in ("a%23b", "a%3Fb"):
        path = f"/api/petitions/{odd}/signatures"
        reply = request(served.url, path, "POST", b'{"name": "A", "email": "a@example.org"}',
                        {"Content-Type": "application/json"})  # fmt: skip
        assert reply.status == 404  # no such petition: not a 405 from a route cut short
        assert reply.json()["error"]["code"] == "not_found"

"""The receipt's address carries the petition, the signature's hash and where to look, in the
fragment the receipt page reads (templates/static/receipt.js)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from generator.log.leaves import signature_key
from generator.log.receipts import receipt_url

HASH = signature_key(b"k" * 32, "a-random-signature-id")


def test_the_receipt_url_names_the_petition_the_hash_and_where_to_start() -> None:
    url = receipt_url("save-the-bay", HASH, 1234)

    parts = urlsplit(url)
    assert (parts.path, parts.query) == ("/receipt/", "")  # nothing the server sees
    fragment = parse_qs(parts.fragment, strict_parsing=True)
    assert fragment["p"] == ["save-the-bay"] and fragment["from"] == ["1234"]
    (encoded,) = fragment["s"]
    assert len(encoded) == 43 and "=" not in encoded  # base64url, unpadded
    assert base64.urlsafe_b64decode(encoded + "=") == HASH


def test_a_hash_with_url_unsafe_base64_is_written_url_safe() -> None:
    url = receipt_url("a", b"\xfb\xff" * 16, 0)  # base64 "+//7//v/…"

    assert url == "/receipt/#p=a&s=-__7__v_-__7__v_-__7__v_-__7__v_-__7__v_-_8&from=0"


@pytest.mark.parametrize(
    ("slug", "signature", "start"),
    [("Save the bay", HASH, 0), ("a&s=x", HASH, 0), ("a", HASH[:31], 0), ("a", HASH, -1)],
    ids=["spaces", "fragment-syntax", "short-hash", "negative-start"],
)
def test_a_receipt_url_refuses_what_would_not_be_one(
    slug: str, signature: bytes, start: int
) -> None:
    with pytest.raises(ValueError):
        receipt_url(slug, signature, start)

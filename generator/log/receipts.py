"""A signer's receipt: the address of the page that checks, in their browser, that the
petition's public log holds their signature (templates/receipt.html, static/receipt.js).

Everything the check needs is in the address's fragment, which browsers never send: the
petition, the signature's hash as its leaves carry it (leaves.signature_key) and the log's
size when the signature was written, where the page starts looking for its leaf.
"""

from __future__ import annotations

import base64
import re

from generator.log.leaves import ID_SIZE

RECEIPT_PATH = "/receipt/"
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # as content/loading.py checks petitions'


def receipt_url(slug: str, signature: bytes, start: int) -> str:
    """The site-relative address of the receipt for the signature whose leaves carry the hash
    `signature`, in the log of petition `slug` that held `start` leaves before it was added:
    `/receipt/#p=<slug>&s=<hash, base64url, unpadded>&from=<start>`."""
    if not _SLUG.fullmatch(slug):
        raise ValueError(f"{slug!r} is not a petition's slug")
    if len(signature) != ID_SIZE:
        raise ValueError(f"a signature's hash is {ID_SIZE} bytes, not {len(signature)}")
    if start < 0:
        raise ValueError(f"a log has no leaf {start}")
    encoded = base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")
    return f"{RECEIPT_PATH}#p={slug}&s={encoded}&from={start}"

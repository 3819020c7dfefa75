"""Growing a petition's log: leaves in, the files to publish and the new signed checkpoint out.

The counter calls `append` with the leaves of a batch (in the order they were counted), the
last checkpoint it published and a reader of the published files; it publishes every file
returned, the checkpoint last (tiles are immutable, cached for a year; the checkpoint is
short-lived). A log's leaves are appended by one writer at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.errors import LogError
from generator.log.leaves import Leaf, encode
from generator.log.note import Checkpoint, Signer, sign_checkpoint
from generator.log.tiles import CHECKPOINT, Edge, Fetch, grow, read_edge


def origin(host: str, slug: str) -> str:
    """A petition log's origin line: `<site host>/petitions/<slug>` (no scheme)."""
    host = host.split("://", 1)[-1].strip("/")
    return f"{host}/petitions/{slug}"


@dataclass(frozen=True)
class Appended:
    """What an append made: the files to publish, paths relative to the log's folder
    (new tiles and entry bundles, and `checkpoint`), the signed checkpoint, and the index
    of the first leaf appended (leaf `first + i` is `leaves[i]`: a signer's receipt)."""

    checkpoint: Checkpoint
    files: dict[str, bytes]
    first: int


def append(
    origin: str,
    signer: Signer,
    leaves: Sequence[Leaf],
    last: Checkpoint | None,
    fetch: Fetch,
) -> Appended:
    """Append `leaves` to the log whose last checkpoint is `last` (None: a new log), reading
    its right edge through `fetch`; a LogError if the published tiles do not match `last`."""
    return append_entries(origin, signer, [encode(leaf) for leaf in leaves], last, fetch)


def append_entries(
    origin: str,
    signer: Signer,
    entries: Sequence[bytes],
    last: Checkpoint | None,
    fetch: Fetch,
) -> Appended:
    """`append` of leaves already encoded (as the store keeps them)."""
    if last is None:
        edge = Edge()
    else:
        if last.origin != origin:
            raise LogError(CHECKPOINT, f"is the log of {last.origin}, not {origin}")
        edge = read_edge(last.size, fetch)
        if edge.head() != last.head:
            raise LogError("tiles", f"do not hash to the last checkpoint's root at {last.size}")
    grown = grow(edge, list(entries))
    checkpoint = Checkpoint(origin, grown.edge.size, grown.head)
    files = {**grown.files, CHECKPOINT: sign_checkpoint(checkpoint, signer)}
    return Appended(checkpoint, files, edge.size)

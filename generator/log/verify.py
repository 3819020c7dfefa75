"""An auditor's check of a published log (`build.py verify-log`).

It checks the checkpoint's signature; reads every tile and entry bundle and checks that each
entry hashes to its level-0 tile, each higher tile holds the heads of the full tiles below,
and the tiles hash to the checkpoint's root; checks, given an older checkpoint, that the log
only grew from it (the consistency proof computed from the tiles verifies); and adds up the
leaves. Any failure is a LogError naming the file or check that failed.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from generator.errors import LogError
from generator.log.leaves import Tallies, tallies_at
from generator.log.merkle import consistency_proof, leaf_hash, perfect_root, verify_consistency
from generator.log.note import Checkpoint, Verifier, open_checkpoint
from generator.log.tiles import (
    CHECKPOINT,
    HEIGHT,
    WIDTH,
    Fetch,
    TileReader,
    entries_path,
    tile_path,
    tile_width,
    unbundle,
)


@dataclass(frozen=True)
class Audit:
    """A log that verified: its checkpoint, what its leaves add up to, and the older
    checkpoint it was shown to extend (if one was given)."""

    checkpoint: Checkpoint
    tallies: Tallies
    since: Checkpoint | None = None
    at: Tallies | None = None  # the tallies of the first `size` leaves asked for, if any


def _entries(reader: TileReader, fetch: Fetch, heads: list[bytes]) -> Iterator[bytes]:
    """Each entry in order, once checked against its level-0 tile; the heads of full
    level-0 tiles are appended to `heads` on the way."""
    for index in range(-(-reader.size // WIDTH)):
        width = tile_width(reader.size, 0, index)
        hashes = reader.read(0, index)
        path, bundle = tile_path(0, index, width), entries_path(index, width)
        entries = unbundle(fetch(bundle), bundle)
        if len(entries) != width:
            raise LogError(bundle, f"holds {len(entries)} entries; {path} has {width} hashes")
        for position, (entry, hashed) in enumerate(zip(entries, hashes, strict=True)):
            if leaf_hash(entry) != hashed:
                raise LogError(
                    path, f"hash {position} is not the hash of entry {position} of {bundle}"
                )
        if width == WIDTH:
            heads.append(perfect_root(hashes))
        yield from entries


def _check_levels(reader: TileReader, heads: list[bytes]) -> None:
    """Each tile above level 0 holds the heads of the full tiles of the level below."""
    level = 1
    while reader.size >> (HEIGHT * level):
        above: list[bytes] = []
        for index in range(-(-len(heads) // WIDTH)):
            hashes = reader.read(level, index)
            path = tile_path(level, index, len(hashes))
            for position, hashed in enumerate(hashes):
                below = index * WIDTH + position
                if hashed != heads[below]:
                    raise LogError(
                        path, f"hash {position} is not the head of {tile_path(level - 1, below)}"
                    )
            if len(hashes) == WIDTH:
                above.append(perfect_root(hashes))
        heads, level = above, level + 1


def _check_since(old: Checkpoint, new: Checkpoint, reader: TileReader, where: str) -> None:
    """The log at `new` extends the one at `old`: nothing removed or rewritten."""
    if old.origin != new.origin:
        raise LogError(where, f"is the log of {old.origin}, not {new.origin}")
    if old.size > new.size:
        raise LogError(where, f"the log shrank from {old.size} leaves to {new.size}")
    proof = consistency_proof(old.size, new.size, reader.perfect)
    if not verify_consistency(old.size, new.size, old.head, new.head, proof):
        raise LogError(
            where,
            f"the log at {new.size} leaves does not extend the one at {old.size}: "
            "leaves were removed or rewritten",
        )


def verify_log(
    fetch: Fetch,
    verifier: Verifier,
    since: bytes | None = None,
    since_name: str = "--since",
    at: int | None = None,
) -> Audit:
    """Audit the log read through `fetch` against the key `verifier` and, if given, the
    older checkpoint file `since` (named `since_name` in errors); with `at`, also add up its
    first `at` leaves (what a count file answering to that size must show)."""
    checkpoint = open_checkpoint(fetch(CHECKPOINT), verifier, CHECKPOINT)
    old = open_checkpoint(since, verifier, since_name) if since is not None else None
    reader = TileReader(checkpoint.size, fetch)
    heads: list[bytes] = []

    def where(index: int) -> str:
        width = tile_width(checkpoint.size, 0, index // WIDTH)
        return f"{entries_path(index // WIDTH, width)}: entry {index % WIDTH}"

    if at is not None and not 0 <= at <= checkpoint.size:
        raise LogError(
            CHECKPOINT,
            f"holds {checkpoint.size} leaves; the count answers to {at} (the log is behind:"
            " try again in a minute)",
        )
    sizes = () if at is None else (at,)
    found = tallies_at(_entries(reader, fetch, heads), sizes, where)
    tallies = found[-1]
    _check_levels(reader, heads)
    if reader.head() != checkpoint.head:
        raise LogError(CHECKPOINT, "its root hash is not the head of the published tiles")
    if old is not None:
        _check_since(old, checkpoint, reader, since_name)
    return Audit(checkpoint, tallies, old, None if at is None else found[at])


def report(audit: Audit) -> list[str]:
    """The lines `verify-log` prints for a log that verified."""
    checkpoint, tallies = audit.checkpoint, audit.tallies
    lines = [
        f"log        {checkpoint.origin}",
        f"size       {checkpoint.size} leaves; signature and root hash verified",
        f"root       {base64.b64encode(checkpoint.head).decode('ascii')}",
    ]
    if audit.since is not None:
        lines.append(
            f"since      {audit.since.size} leaves: consistent (nothing removed or rewritten)"
        )
    if tallies.bases:
        lines.append(
            f"base       {tallies.base} signatures the log does not list (stated by"
            f" {tallies.bases} base {'leaf' if tallies.bases == 1 else 'leaves'})"
        )
    lines += [
        f"additions  {tallies.additions}",
        f"withdrawals {tallies.withdrawals}",
    ]
    if tallies.unlisted:
        lines.append(f"           of them, {tallies.unlisted} of signatures the log did not list")
    what = "base + additions − withdrawals" if tallies.bases else "additions − withdrawals"
    lines.append(f"count      {tallies.count} ({what})")
    return lines


def check_count(audit: Audit, shown: Mapping[str, object], where: str) -> list[str]:
    """Check a petition's count file (`shown`: its count, imported count, log size and base)
    against the audited log: the count is the imported count plus what the log's first
    `log_size` leaves stand for (their latest base, plus the additions less the withdrawals),
    and its base is the log's; the lines to print, or a LogError."""
    numbers = [shown.get(name, 0) for name in ("count", "imported", "log_size", "log_base")]
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers):
        raise LogError(where, "has no whole count, imported, log_size and log_base")
    count, imported, size, base = (int(str(n)) for n in numbers)
    at = audit.at
    if at is None or at.size != size:
        raise LogError(where, f"answers to {size} leaves, which the audit did not add up")
    if size and base != at.base:
        raise LogError(where, f"says the log does not list {base}; its base leaves say {at.base}")
    if count != imported + at.count:
        raise LogError(
            where,
            f"shows {count} signatures; the log's first {size} leaves add up to {at.count},"
            f" plus {imported} imported: {imported + at.count}",
        )
    return [f"page count {count} = {imported} imported + {at.count} in the first {size} leaves"]


def audit_petition(
    fetch: Fetch,
    count_file: bytes,
    where: str,
    verifier: Verifier,
    since: bytes | None = None,
    since_name: str = "--since",
) -> list[str]:
    """Audit a petition's log (read through `fetch`) and its count file (`count_file`, read
    from `where`) together; the lines to print, or a LogError naming what failed. A petition
    whose count file answers to no leaf has no log yet: its count is what was imported plus
    what was counted before the log (its base, taken on trust until the log begins)."""
    try:
        shown = json.loads(count_file)
    except ValueError:
        raise LogError(where, "is not JSON") from None
    if not isinstance(shown, dict):
        raise LogError(where, "is not a count file")
    size, base = shown.get("log_size"), shown.get("log_base", 0)
    if size == 0 and since is None:
        try:
            fetch(CHECKPOINT)
        except LogError:  # nothing counted since the log began: no log published yet
            before = base if isinstance(base, int) and not isinstance(base, bool) else 0
            empty = Audit(Checkpoint("", 0, b""), Tallies(), at=Tallies(base=before))
            counted = check_count(empty, shown, where)
            return ["log        none yet (nothing counted since it began)", *counted]
    at = size if isinstance(size, int) and not isinstance(size, bool) else None
    audit = verify_log(fetch, verifier, since, since_name, at)
    return [*report(audit), *check_count(audit, shown, where)]

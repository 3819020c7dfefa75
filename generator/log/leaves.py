"""A log's leaves: one per counted signature and one per withdrawal, with no personal data.

A leaf is a fixed binary record (all integers big-endian):

| bytes | field |
|---|---|
| 1 | format version, 1 |
| 1 | kind: 1 adds a signature to the count, 2 withdraws one |
| 32 | HMAC-SHA-256 of the signature's random id under the log's id key |
| 8 | when, in whole seconds since 1970-01-01 UTC (unsigned) |
| 1 | length of the text version, 0 to 255 |
| n | the text version signed (UTF-8; empty when unknown) |

The keyed hash links an addition and its withdrawal without naming the signer: nobody
without the id key can tell whose it is, and a signer can be handed their own leaf.

A third kind, 3, states the log's **base**: how many signatures the count holds that the log
does not list (counted before the log began, or a reconcile's correction). Its hash is 32
zero bytes and its text is the new base in decimal. A log whose count started at zero has
none; one that began on a site with signatures opens with one; a repair appends another.
The count at any size is then the latest base plus the additions less the withdrawals.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum

from generator.errors import LogError

VERSION = 1
ID_SIZE = 32
_FIXED = 1 + 1 + ID_SIZE + 8 + 1


class Kind(IntEnum):
    """What a leaf does to the count."""

    ADD = 1
    WITHDRAW = 2
    BASE = 3  # sets the count of signatures the log does not list


@dataclass(frozen=True)
class Leaf:
    """One leaf: an addition or a withdrawal of the signature whose keyed id is `signature`."""

    kind: Kind
    signature: bytes  # HMAC-SHA-256(id key, the signature's random id)
    at: int  # seconds since the epoch, UTC
    version: str = ""  # the text version signed (generator/content/versions.py)


def signature_key(id_key: bytes, signature_id: str) -> bytes:
    """The keyed hash a leaf carries for a signature's random id."""
    return hmac.new(id_key, signature_id.encode("utf-8"), hashlib.sha256).digest()


def leaf_for(kind: Kind, signature_id: str, at: datetime, version: str, id_key: bytes) -> Leaf:
    """The leaf for a signature (its random id) counted or withdrawn at `at` (aware)."""
    if at.tzinfo is None:
        raise ValueError("a leaf's time must be aware")
    seconds = int(at.astimezone(UTC).timestamp())
    return Leaf(kind, signature_key(id_key, signature_id), seconds, version)


def base_leaf(base: int, at: datetime) -> Leaf:
    """The leaf stating that the count holds `base` signatures the log does not list."""
    if base < 0:
        raise ValueError(f"a log's base is not negative, not {base}")
    return Leaf(Kind.BASE, bytes(ID_SIZE), int(at.astimezone(UTC).timestamp()), str(base))


def encode(leaf: Leaf) -> bytes:
    """The leaf's bytes, as hashed into the tree and published in entry bundles."""
    version = leaf.version.encode("utf-8")
    if len(leaf.signature) != ID_SIZE:
        raise ValueError(f"a leaf's signature hash is {ID_SIZE} bytes")
    if len(version) > 255:
        raise ValueError("a leaf's text version is at most 255 bytes")
    if not 0 <= leaf.at < 1 << 64:
        raise ValueError("a leaf's time is out of range")
    return b"".join(
        (
            bytes((VERSION, int(leaf.kind))),
            leaf.signature,
            leaf.at.to_bytes(8, "big"),
            bytes((len(version),)),
            version,
        )
    )


def decode(data: bytes, where: str = "leaf") -> Leaf:
    """The leaf these bytes encode; a LogError naming `where` if they are not one."""
    if len(data) < _FIXED:
        raise LogError(where, f"a leaf is at least {_FIXED} bytes, got {len(data)}")
    if data[0] != VERSION:
        raise LogError(where, f"unknown leaf format {data[0]}")
    if data[1] not in tuple(Kind):
        raise LogError(where, f"unknown leaf kind {data[1]}")
    length = data[_FIXED - 1]
    if len(data) != _FIXED + length:
        raise LogError(where, f"a leaf with a {length}-byte version is {_FIXED + length} bytes")
    try:
        version = data[_FIXED:].decode("utf-8")
    except UnicodeDecodeError:
        raise LogError(where, "the text version is not UTF-8") from None
    at = int.from_bytes(data[2 + ID_SIZE : 2 + ID_SIZE + 8], "big")
    leaf = Leaf(Kind(data[1]), bytes(data[2 : 2 + ID_SIZE]), at, version)
    if leaf.kind is Kind.BASE and (leaf.signature != bytes(ID_SIZE) or not version.isdigit()):
        raise LogError(where, "a base leaf has a zero hash and its base in decimal")
    return leaf


@dataclass(frozen=True)
class Tallies:
    """What a log's leaves add up to: the site's count is additions minus withdrawals."""

    size: int = 0
    additions: int = 0
    withdrawals: int = 0
    unlisted: int = 0  # withdrawals of signatures the log did not list (its base's)
    base: int = 0  # the latest base leaf's: signatures counted that the log does not list
    bases: int = 0  # base leaves (the first states what was counted before the log)

    @property
    def count(self) -> int:
        """The count the log stands for: its base plus additions less withdrawals."""
        return self.base + self.additions - self.withdrawals


def tally(
    entries: Iterable[bytes], where: Callable[[int], str] = lambda i: f"entry {i}"
) -> Tallies:
    """Count additions and withdrawals, checking that each withdrawal takes back a signature
    counted and not yet withdrawn (or one of those the latest base leaf says the log does
    not list), and that no signature is counted twice at once; a LogError names the entry
    (`where(index)`) otherwise."""
    return tallies_at(entries, (), where)[-1]


def tallies_at(
    entries: Iterable[bytes],
    sizes: Iterable[int],
    where: Callable[[int], str] = lambda i: f"entry {i}",
) -> dict[int, Tallies]:
    """`tally` of the whole log (under the key -1) and of its first `size` leaves for each
    of `sizes` (those beyond the log are left out)."""
    wanted = set(sizes)
    found: dict[int, Tallies] = {}
    counted: set[bytes] = set()
    gone: set[bytes] = set()  # signatures the log did not list, withdrawn since
    additions = withdrawals = size = unlisted = base = bases = 0
    if 0 in wanted:
        found[0] = Tallies()
    for index, data in enumerate(entries):
        try:
            leaf = decode(data)
        except LogError as exc:  # where it is, worked out only when something is wrong
            raise LogError(where(index), exc.message) from None
        size += 1
        if leaf.kind is Kind.BASE:
            base, bases = int(leaf.version), bases + 1
        elif leaf.kind is Kind.ADD:
            if leaf.signature in counted:
                raise LogError(where(index), "adds a signature that is counted already")
            counted.add(leaf.signature)
            additions += 1
        else:
            if leaf.signature in counted:
                counted.discard(leaf.signature)
            elif unlisted < base and leaf.signature not in gone:  # one the log did not list
                unlisted += 1
                gone.add(leaf.signature)
            else:
                raise LogError(where(index), "withdraws a signature that is not counted")
            withdrawals += 1
        if size in wanted:
            found[size] = Tallies(size, additions, withdrawals, unlisted, base, bases)
    found[-1] = Tallies(size, additions, withdrawals, unlisted, base, bases)
    return found

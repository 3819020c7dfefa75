"""An independent RFC 6962 tree for the log tests: the definitions of RFC 6962 §2.1 written
out recursively, sharing nothing with generator/log but SHA-256."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def mth(data: Sequence[bytes]) -> bytes:
    """MTH(D[n]) as RFC 6962 §2.1 defines it."""
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1 << ((len(data) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + mth(data[:k]) + mth(data[k:])).digest()


def path(m: int, data: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]), RFC 6962 §2.1.1."""
    if len(data) <= 1:
        return []
    k = 1 << ((len(data) - 1).bit_length() - 1)
    if m < k:
        return [*path(m, data[:k]), mth(data[k:])]
    return [*path(m - k, data[k:]), mth(data[:k])]


def subproof(m: int, data: Sequence[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b), RFC 6962 §2.1.2."""
    if m == len(data):
        return [] if whole else [mth(data)]
    k = 1 << ((len(data) - 1).bit_length() - 1)
    if m <= k:
        return [*subproof(m, data[:k], whole), mth(data[k:])]
    return [*subproof(m - k, data[k:], False), mth(data[:k])]


def entries(count: int, start: int = 0) -> list[bytes]:
    """`count` distinct leaf data of varied lengths."""
    return [f"entry {i}".encode() * (1 + i % 3) for i in range(start, start + count)]

"""RFC 6962 Merkle trees over SHA-256: hashing, tree heads, inclusion and consistency proofs.

The algorithms are those of RFC 9162 §2.1 (the same trees as RFC 6962). Proofs are built
from a `Perfect` function giving the hash of any perfect subtree, so one algorithm serves a
tree held in memory and one read back from published tiles (generator/log/tiles.py).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # the head of a tree with no leaves

# The hash of the perfect subtree of height `height` (2**height leaves) whose leaves start
# at `index * 2**height`.
Perfect = Callable[[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    """A leaf's hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """An interior node's hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """The head of a perfect tree over these node hashes (their number a power of two)."""
    count = len(hashes)
    if count == 0 or count & (count - 1):
        raise ValueError(f"a perfect tree needs a power of two of hashes, got {count}")
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The tree head (RFC 6962 MTH) of these leaf hashes, in one pass."""
    stack: list[tuple[int, bytes]] = []  # (height, hash) of perfect subtrees, left to right
    for leaf in leaf_hashes:
        height, value = 0, leaf
        while stack and stack[-1][0] == height:
            value = node_hash(stack.pop()[1], value)
            height += 1
        stack.append((height, value))
    if not stack:
        return EMPTY_ROOT
    value = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        value = node_hash(left, value)
    return value


def perfect_of(leaf_hashes: Sequence[bytes]) -> Perfect:
    """The `Perfect` function of a tree held in memory (leaf hashes in order)."""

    def perfect(height: int, index: int) -> bytes:
        start = index << height
        if start + (1 << height) > len(leaf_hashes):
            raise ValueError(f"no subtree of height {height} at {index} in {len(leaf_hashes)}")
        return perfect_root(leaf_hashes[start : start + (1 << height)])

    return perfect


def subtree_hash(start: int, end: int, perfect: Perfect) -> bytes:
    """MTH of the leaves [start, end): a subtree of the RFC 6962 tree, so `start` is a
    multiple of the least power of two at least `end - start`."""
    size = end - start
    if size <= 0:
        if size == 0 and start == 0:
            return EMPTY_ROOT
        raise ValueError(f"no subtree [{start}, {end})")
    if start % (1 << (size - 1).bit_length()):
        raise ValueError(f"[{start}, {end}) is not a subtree of an RFC 6962 tree")
    parts: list[bytes] = []
    while start < end:  # perfect subtrees, largest first
        height = (end - start).bit_length() - 1
        parts.append(perfect(height, start >> height))
        start += 1 << height
    value = parts[-1]
    for left in reversed(parts[:-1]):
        value = node_hash(left, value)
    return value


def _split(size: int) -> int:
    """The largest power of two smaller than size (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def inclusion_proof(index: int, size: int, perfect: Perfect) -> list[bytes]:
    """The audit path of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError(f"no leaf {index} in a tree of {size}")
    proof: list[bytes] = []
    start, end = 0, size
    while end - start > 1:  # from the root down; the proof lists siblings bottom up
        k = _split(end - start)
        if index < start + k:
            proof.append(subtree_hash(start + k, end, perfect))
            end = start + k
        else:
            proof.append(subtree_hash(start, start + k, perfect))
            start += k
    return proof[::-1]


def consistency_proof(old_size: int, new_size: int, perfect: Perfect) -> list[bytes]:
    """The proof that the tree of `old_size` leaves is a prefix of the one of `new_size`
    (RFC 9162 §2.1.4.1); empty when old_size is 0 or equals new_size."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    start, end, whole = 0, new_size, True
    m = old_size
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(subtree_hash(start + k, end, perfect))
            end = start + k
        else:
            proof.append(subtree_hash(start, start + k, perfect))
            m -= k
            start += k
            whole = False
    if not whole:
        proof.append(subtree_hash(start, end, perfect))
    return proof[::-1]


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], head: bytes
) -> bool:
    """Whether `proof` shows the leaf hash `leaf` at `index` in the tree of `size` leaves
    whose head is `head` (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < size or any(len(p) != HASH_SIZE for p in proof):
        return False
    fn, sn, value = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            value = node_hash(sibling, value)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            value = node_hash(value, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(value, head)


def verify_consistency(
    old_size: int, new_size: int, old_head: bytes, new_head: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether `proof` shows the tree of `old_size` leaves (head `old_head`) is a prefix of
    the tree of `new_size` leaves (head `new_head`) (RFC 9162 §2.1.4.2)."""
    if not 0 <= old_size <= new_size or any(len(p) != HASH_SIZE for p in proof):
        return False
    if old_size == new_size:
        return not proof and hmac.compare_digest(old_head, new_head)
    if old_size == 0:
        return not proof  # every tree extends the empty one
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # the old tree is a perfect subtree of the new
        path.insert(0, old_head)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(node, fr), node_hash(node, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, node)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(fr, old_head) and hmac.compare_digest(sr, new_head)

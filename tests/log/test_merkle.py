"""RFC 6962 hashing, tree heads and proofs against published test vectors and an independent
implementation (tests/log/trees.py), and the verifiers' refusal of anything altered.

Vectors: github.com/transparency-dev/merkle, files rfc6962/rfc6962_test.go (the hasher) and
proof/verify_test.go (the eight leaves, their roots, inclusion and consistency proofs); the
same trees as certificate-transparency-go's.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.log.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    perfect_of,
    root,
    subtree_hash,
    verify_consistency,
    verify_inclusion,
)
from tests.log.trees import entries, mth, path, subproof

h = bytes.fromhex

LEAVES = [h(x) for x in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657")] + [
    h("606162636465666768696a6b6c6d6e6f")
]
ROOTS = [
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]
INCLUSION = [  # (leaf index, tree size, proof)
    (
        0,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        5,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (2, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        1,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]
HASHES = [leaf_hash(leaf) for leaf in LEAVES]
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")


def test_the_hasher_matches_the_published_vectors() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root([]) == EMPTY_ROOT
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


@pytest.mark.parametrize("size", range(1, 9))
def test_tree_heads_match_the_published_roots(size: int) -> None:
    assert root(HASHES[:size]) == ROOTS[size - 1]
    assert subtree_hash(0, size, perfect_of(HASHES[:size])) == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_and_verify(index: int, size: int, proof: list[bytes]) -> None:
    assert inclusion_proof(index, size, perfect_of(HASHES[:size])) == proof
    assert verify_inclusion(index, size, HASHES[index], proof, ROOTS[size - 1])


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_altered_inclusion_proofs_are_refused(index: int, size: int, proof: list[bytes]) -> None:
    head, leaf = ROOTS[size - 1], HASHES[index]
    wrong = [
        (index - 1, size, leaf, proof, head),
        (index + 1, size, leaf, proof, head),
        (index ^ 2, size, leaf, proof, head),
        (index, size * 2, leaf, proof, head),
        (index, size // 2, leaf, proof, head),
        (index, size, leaf_hash(b"WrongLeaf"), proof, head),
        (index, size, leaf, proof, EMPTY_ROOT),
        (index, size, leaf, proof, SOME_HASH),
        (index, size, leaf, [*proof, head], head),
        (index, size, leaf, [head, *proof], head),
        (index, size, leaf, proof[:-1], head),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        wrong.append((index, size, leaf, flipped, head))
    assert not [w for w in wrong if verify_inclusion(*w)]


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_match_and_verify(old: int, new: int, proof: list[bytes]) -> None:
    assert consistency_proof(old, new, perfect_of(HASHES[:new])) == proof
    assert verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], proof)


@pytest.mark.parametrize(("old", "new", "proof"), [c for c in CONSISTENCY if c[2]])
def test_altered_consistency_proofs_are_refused(old: int, new: int, proof: list[bytes]) -> None:
    r1, r2 = ROOTS[old - 1], ROOTS[new - 1]
    wrong = [
        (old - 1, new, r1, r2, proof),
        (old + 1, new, r1, r2, proof),
        (old ^ 2, new, r1, r2, proof),
        (old, new * 2, r1, r2, proof),
        (old, new // 2, r1, r2, proof),
        (old, new, SOME_HASH, r2, proof),
        (old, new, r1, SOME_HASH, proof),
        (old, new, r2, r1, proof),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*proof, r1]),
        (old, new, r1, r2, [*proof, r2]),
        (old, new, r1, r2, [r1, *proof]),
        (old, new, r1, r2, [r2, *proof]),
        (old, new, r1, r2, [proof[0], *proof]),
        (old, new, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        wrong.append((old, new, r1, r2, flipped))
    assert not [w for w in wrong if verify_consistency(*w)]


def test_trivial_consistency_cases() -> None:
    one, two = hashlib.sha256(b"1").digest(), hashlib.sha256(b"2").digest()
    assert verify_consistency(0, 0, one, one, [])
    assert verify_consistency(0, 1, one, two, [])  # every tree extends the empty one
    assert verify_consistency(1, 1, two, two, [])
    assert not verify_consistency(1, 1, one, two, [])  # same size, other head
    assert not verify_consistency(1, 0, one, two, [])  # a tree never shrinks
    assert not verify_consistency(2, 1, one, two, [])
    assert not verify_consistency(1, 2, one, two, [])  # growth needs a proof
    assert not verify_consistency(0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 600).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_inclusion_proofs_of_any_tree_agree_with_rfc6962(case: tuple[int, int]) -> None:
    size, index = case
    data = entries(size)
    hashes = [leaf_hash(d) for d in data]
    head = root(hashes)
    proof = inclusion_proof(index, size, perfect_of(hashes))
    assert head == mth(data)
    assert proof == path(index, data)
    assert verify_inclusion(index, size, hashes[index], proof, head)
    assert not verify_inclusion(index, size, leaf_hash(b"not in the log"), proof, head)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 600).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_consistency_proofs_of_any_trees_agree_with_rfc6962(case: tuple[int, int]) -> None:
    old, new = case
    data = entries(new)
    hashes = [leaf_hash(d) for d in data]
    proof = consistency_proof(old, new, perfect_of(hashes))
    assert proof == ([] if old in (0, new) else subproof(old, data, True))
    assert verify_consistency(old, new, mth(data[:old]), mth(data), proof)
    if 0 < old < new:  # the old tree with one leaf rewritten is not a prefix
        rewritten = [*data[: old - 1], b"rewritten", *data[old:]]
        assert not verify_consistency(old, new, mth(rewritten[:old]), mth(data), proof)

"""The log as tlog-tiles files (c2sp.org/tlog-tiles): the paths, the tiles a tree of a given
size has, their contents against an independent RFC 6962 tree, appending that writes only
what changed, and reading a published log back for its head and proofs."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import LogError
from generator.log.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    perfect_of,
    verify_inclusion,
)
from generator.log.tiles import (
    Edge,
    Fetch,
    TileReader,
    bundle,
    entries_path,
    grow,
    index_path,
    read_edge,
    tile_path,
    unbundle,
    whole,
)
from tests.log.trees import entries, mth


@cache
def _log(size: int) -> dict[str, bytes]:
    return whole(entries(size)).files


@pytest.mark.parametrize(
    ("index", "path"),
    [
        (0, "000"),
        (5, "005"),
        (999, "999"),
        (1000, "x001/000"),
        (1234, "x001/234"),
        (1234067, "x001/x234/067"),  # the spec's example
        (1000000, "x001/x000/000"),
    ],
)
def test_tile_indexes_are_groups_of_three_digits(index: int, path: str) -> None:
    assert index_path(index) == path


def test_tile_and_bundle_paths() -> None:
    assert tile_path(0, 0) == "tile/0/000"
    assert tile_path(2, 1000, 17) == "tile/2/x001/000.p/17"
    assert entries_path(3) == "tile/entries/003"
    assert entries_path(1234, 255) == "tile/entries/x001/234.p/255"
    with pytest.raises(ValueError):
        tile_path(0, 0, 0)  # empty tiles are never served


def test_a_tree_of_70000_has_the_tiles_the_spec_lists() -> None:
    # "273 full level 0 tiles, one partial level 0 tile of width 112, one full level 1
    # tile, one partial level 1 tile of width 17, and one partial level 2 tile of width 1"
    tiles = {p for p in _log(70000) if not p.startswith("tile/entries/")}
    expected = {tile_path(0, n) for n in range(273)} | {"tile/0/273.p/112"}
    expected |= {"tile/1/000", "tile/1/001.p/17", "tile/2/000.p/1"}
    assert tiles == expected
    bundles = {p for p in _log(70000) if p.startswith("tile/entries/")}
    assert bundles == {entries_path(n) for n in range(273)} | {"tile/entries/273.p/112"}


def test_a_tree_of_256_is_one_full_tile_and_a_partial_one_above() -> None:
    assert set(_log(256)) == {"tile/0/000", "tile/1/000.p/1", "tile/entries/000"}


def test_an_empty_log_has_no_tiles_and_the_empty_head() -> None:
    grown = whole([])
    assert grown.files == {}
    assert grown.head == mth([])


@pytest.mark.parametrize("size", [1, 2, 3, 255, 256, 257, 511, 512, 700, 65536, 70000])
def test_tiles_hold_the_leaf_hashes_and_the_heads_of_full_tiles(size: int) -> None:
    data = entries(size)
    grown = whole(data)
    assert grown.head == mth(data)
    files = _log(size)
    first = files[tile_path(0, 0, min(size, 256))]
    assert first == b"".join(leaf_hash(d) for d in data[:256])
    assert unbundle(files[entries_path(0, min(size, 256))], "bundle") == data[:256]
    if size >= 512:
        level1 = files[tile_path(1, 0, min(size // 256, 256))]
        assert level1[:32] == mth(data[:256])
        assert level1[32:64] == mth(data[256:512])


def _fetch(files: dict[str, bytes]) -> Fetch:
    return files.__getitem__


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 800), st.integers(0, 800))
def test_appending_writes_exactly_the_files_that_changed(old: int, added: int) -> None:
    before = _log(old)
    data = entries(old + added)
    grown = grow(read_edge(old, _fetch(before)), data[old:])
    after = whole(data)
    assert grown.files == {p: b for p, b in after.files.items() if before.get(p) != b}
    assert grown.head == after.head
    assert grown.edge == after.edge
    for path, content in grown.files.items():  # a full tile, once written, never changes
        if ".p/" not in path and path in before:
            assert before[path] == content


def test_appending_across_the_level_2_boundary_matches_the_whole_log() -> None:
    data = entries(70000)
    edge = read_edge(65535, _fetch(_log(65535)))
    grown = grow(edge, data[65535:])
    published = {**_log(65535), **grown.files}
    assert {p: published[p] for p in _log(70000)} == _log(70000)
    assert grown.head == mth(data)


def test_appending_in_many_small_batches_matches_the_whole_log() -> None:
    data = entries(600)
    published: dict[str, bytes] = {}
    edge = Edge()
    for start in range(0, 600, 37):
        grown = grow(edge, data[start : start + 37])
        assert not set(grown.files) & {p for p in published if ".p/" not in p}
        published.update(grown.files)
        edge = grown.edge
    assert {p: published[p] for p in _log(600)} == _log(600)


def test_the_head_and_proofs_read_back_from_tiles_match_the_tree() -> None:
    data = entries(70000)
    hashes = [leaf_hash(d) for d in data]
    reader = TileReader(70000, _fetch(_log(70000)))
    head = reader.head()
    assert head == mth(data)
    in_memory = perfect_of(hashes)
    for index in (0, 255, 256, 65535, 65536, 69999):
        proof = inclusion_proof(index, 70000, reader.perfect)
        assert proof == inclusion_proof(index, 70000, in_memory)
        assert verify_inclusion(index, 70000, hashes[index], proof, head)
    for old in (1, 256, 300, 65536, 69999):
        assert consistency_proof(old, 70000, reader.perfect) == consistency_proof(
            old, 70000, in_memory
        )


def test_an_older_size_reads_the_same_tiles_through_its_partial_ones() -> None:
    reader = TileReader(300, _fetch(_log(700)))  # the 700-leaf log still holds full tile 0
    with pytest.raises(KeyError):  # …but not the partial tile/0/001.p/44 of size 300
        reader.head()
    assert TileReader(300, _fetch({**_log(700), **_log(300)})).head() == mth(entries(300))


def test_a_tile_of_the_wrong_length_is_named() -> None:
    files = dict(_log(300))
    files["tile/0/001.p/44"] = files["tile/0/001.p/44"][:-1]
    with pytest.raises(LogError, match=r"tile/0/001\.p/44: is 1407 bytes; 44 hashes are 1408"):
        read_edge(300, _fetch(files))


def test_a_cut_bundle_is_named() -> None:
    with pytest.raises(LogError, match="tile/entries/000: entry 1 is cut short"):
        unbundle(bundle([b"one", b"two"])[:-1], "tile/entries/000")
    with pytest.raises(ValueError):
        bundle([bytes(70000)])

"""A log as static files in the C2SP tlog-tiles layout (https://c2sp.org/tlog-tiles).

Paths are relative to the log's folder (`/petitions/<slug>/log/`):

- `tile/<L>/<N>`: 256 hashes of 32 bytes. At level 0 the leaf hashes; at level L the heads
  of the full tiles of level L-1. `<N>` is written in groups of three digits, all but the
  last prefixed `x` (1234067 → `x001/x234/067`).
- `tile/<L>/<N>.p/<W>`: the rightmost, partial tile of a level, W hashes (1 to 255).
- `tile/entries/<N>[.p/<W>]`: the leaves' data, each prefixed by its length (2 bytes,
  big-endian), 256 to a full bundle.

Full tiles never change; a partial tile is replaced by a wider one (a new path) as the log
grows. Appending needs only the log's right edge: each level's partial tile and the
partial bundle (`Edge`), read back from the published files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from generator.errors import LogError
from generator.log.merkle import HASH_SIZE, leaf_hash, perfect_root, subtree_hash

HEIGHT = 8
WIDTH = 1 << HEIGHT  # hashes in a full tile, entries in a full bundle
MAX_ENTRY = 0xFFFF
CHECKPOINT = "checkpoint"  # the signed checkpoint's path in the log's folder

Fetch = Callable[[str], bytes]  # a file of the log by its path (a folder, or HTTP)


def index_path(index: int) -> str:
    """A tile's index as path elements: 5 → `005`, 1234067 → `x001/x234/067`."""
    if index < 0:
        raise ValueError(f"no tile {index}")
    digits = str(index)
    digits = digits.zfill(-(-len(digits) // 3) * 3)
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])


def _suffix(width: int) -> str:
    if not 0 < width <= WIDTH:
        raise ValueError(f"a tile is 1 to {WIDTH} wide, not {width}")
    return "" if width == WIDTH else f".p/{width}"


def tile_path(level: int, index: int, width: int = WIDTH) -> str:
    """The path of hash tile `index` at `level`, `width` hashes wide."""
    return f"tile/{level}/{index_path(index)}{_suffix(width)}"


def entries_path(index: int, width: int = WIDTH) -> str:
    """The path of entry bundle `index`, holding `width` entries."""
    return f"tile/entries/{index_path(index)}{_suffix(width)}"


def tile_width(size: int, level: int, index: int) -> int:
    """How many hashes tile `index` of `level` holds in a tree of `size` leaves (0: none)."""
    return max(0, min(WIDTH, (size >> (HEIGHT * level)) - index * WIDTH))


def bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle's bytes."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY:
            raise ValueError(f"a log entry is at most {MAX_ENTRY} bytes")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def unbundle(data: bytes, where: str) -> list[bytes]:
    """The entries of a bundle; a LogError naming `where` if it is cut short."""
    entries: list[bytes] = []
    at = 0
    while at < len(data):
        if at + 2 > len(data):
            raise LogError(where, f"entry {len(entries)} is cut short")
        length = int.from_bytes(data[at : at + 2], "big")
        if at + 2 + length > len(data):
            raise LogError(where, f"entry {len(entries)} is cut short")
        entries.append(data[at + 2 : at + 2 + length])
        at += 2 + length
    return entries


def split_hashes(data: bytes, width: int, where: str) -> list[bytes]:
    """The hashes of a tile expected to hold `width`; a LogError naming `where` otherwise."""
    if len(data) != width * HASH_SIZE:
        raise LogError(where, f"is {len(data)} bytes; {width} hashes are {width * HASH_SIZE}")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def _chunks(items: Sequence[bytes]) -> Iterator[Sequence[bytes]]:
    for start in range(0, len(items), WIDTH):
        yield items[start : start + WIDTH]


@dataclass(frozen=True)
class Edge:
    """A log's right edge at `size` leaves: each level's partial tile (its hashes, maybe
    none) and the partial entry bundle. All appending needs; the tree head follows from it."""

    size: int = 0
    partials: tuple[tuple[bytes, ...], ...] = ()  # level 0 up, while the level has hashes
    entries: tuple[bytes, ...] = ()

    def perfect(self, height: int, index: int) -> bytes:
        """The hash of a perfect subtree lying within the edge (merkle.Perfect)."""
        level, rest = divmod(height, HEIGHT)
        if level >= len(self.partials):
            raise ValueError(f"no subtree of height {height} at the edge of {self.size}")
        partial = self.partials[level]
        first = (self.size >> (HEIGHT * level)) - len(partial)  # index of partial[0]
        start = (index << rest) - first
        if start < 0 or start + (1 << rest) > len(partial):
            raise ValueError(f"subtree of height {height} at {index} is not at the edge")
        return perfect_root(partial[start : start + (1 << rest)])

    def head(self) -> bytes:
        """The tree head (root hash) at this size."""
        return subtree_hash(0, self.size, self.perfect)


@dataclass(frozen=True)
class Grown:
    """What appending entries made: the files to publish (new full tiles and bundles, the
    new partial ones; none already published), the new edge and the tree head."""

    edge: Edge
    head: bytes
    files: dict[str, bytes] = field(default_factory=dict)


def grow(edge: Edge, entries: Sequence[bytes]) -> Grown:
    """Append `entries` (each a leaf's data) to the log whose right edge is `edge`."""
    size = edge.size + len(entries)
    files: dict[str, bytes] = {}
    if entries:
        pending = [*edge.entries, *entries]
        first = edge.size // WIDTH
        for offset, chunk in enumerate(_chunks(pending)):
            files[entries_path(first + offset, len(chunk))] = bundle(chunk)
    new_hashes = [leaf_hash(e) for e in entries]
    partials: list[tuple[bytes, ...]] = []
    level = 0
    while size >> (HEIGHT * level):
        old = edge.partials[level] if level < len(edge.partials) else ()
        tail = [*old, *new_hashes]
        first = (edge.size >> (HEIGHT * level)) // WIDTH  # the tile `tail` starts in
        heads: list[bytes] = []
        for offset, chunk in enumerate(_chunks(tail)):
            if len(chunk) == WIDTH:
                heads.append(perfect_root(chunk))
            if new_hashes:
                files[tile_path(level, first + offset, len(chunk))] = b"".join(chunk)
        partials.append(tuple(tail[len(tail) // WIDTH * WIDTH :]))
        new_hashes = heads
        level += 1
    kept = tuple([*edge.entries, *entries][size // WIDTH * WIDTH - edge.size // WIDTH * WIDTH :])
    new_edge = Edge(size, tuple(partials), kept)
    return Grown(new_edge, new_edge.head(), files)


def whole(entries: Sequence[bytes]) -> Grown:
    """Every file of the log holding these entries, in order."""
    return grow(Edge(), entries)


def read_edge(size: int, fetch: Fetch) -> Edge:
    """The right edge of the published log of `size` leaves, read through `fetch`."""
    partials: list[tuple[bytes, ...]] = []
    level = 0
    while size >> (HEIGHT * level):
        count = size >> (HEIGHT * level)
        width = count % WIDTH
        hashes: list[bytes] = []
        if width:
            path = tile_path(level, count // WIDTH, width)
            hashes = split_hashes(fetch(path), width, path)
        partials.append(tuple(hashes))
        level += 1
    entries: list[bytes] = []
    if size % WIDTH:
        path = entries_path(size // WIDTH, size % WIDTH)
        entries = unbundle(fetch(path), path)
        if len(entries) != size % WIDTH:
            raise LogError(path, f"holds {len(entries)} entries, expected {size % WIDTH}")
    return Edge(size, tuple(partials), tuple(entries))


class TileReader:
    """The published tiles of a log of `size` leaves, read through `fetch` as needed (each
    once): hashes for proofs and the tree head."""

    def __init__(self, size: int, fetch: Fetch):
        self.size = size
        self._fetch = fetch
        self._tiles: dict[tuple[int, int], list[bytes]] = {}

    def read(self, level: int, index: int) -> list[bytes]:
        """The hashes of tile `index` at `level`, as wide as the tree's size makes it, read
        now (not kept)."""
        width = tile_width(self.size, level, index)
        if width == 0:
            raise ValueError(f"no tile {index} at level {level} in a tree of {self.size}")
        path = tile_path(level, index, width)
        return split_hashes(self._fetch(path), width, path)

    def tile(self, level: int, index: int) -> list[bytes]:
        """The hashes of tile `index` at `level`, read once and kept."""
        key = (level, index)
        if key not in self._tiles:
            self._tiles[key] = self.read(level, index)
        return self._tiles[key]

    def perfect(self, height: int, index: int) -> bytes:
        """The hash of a perfect subtree of the tree (merkle.Perfect)."""
        level, rest = divmod(height, HEIGHT)
        start = index << rest  # the first of its hashes at `level`
        hashes = self.tile(level, start // WIDTH)[start % WIDTH : start % WIDTH + (1 << rest)]
        if len(hashes) != 1 << rest:
            raise ValueError(f"no subtree of height {height} at {index} in a tree of {self.size}")
        return perfect_root(hashes)

    def head(self) -> bytes:
        """The tree head computed from the tiles."""
        return subtree_hash(0, self.size, self.perfect)

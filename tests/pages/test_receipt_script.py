"""receipt.js recomputes a log's root the way generator/log does: its tile paths and its
RFC 6962 recursion over tiles, run in Node against logs that generator/log/tiles.py grew, for
every leaf of every small tree and the corners of trees with two and three levels of tiles,
reading only the few tiles on the leaf's path. tests/e2e/test_receipt.py runs the whole page.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess

import pytest

from generator.log.merkle import leaf_hash
from generator.log.tiles import HEIGHT, Edge, entries_path, grow, tile_path
from tests.pages.factories import TEMPLATES

SCRIPT = TEMPLATES / "static" / "receipt.js"
PORTED = (
    r"^const WIDTH = .*?$",
    r"^class Failure .*?$",
    r"^const fail = .*?$",
    r"^const hex = .*?$",
    r"^const same = .*?$",
    r"^async function sha\(.*?^}$",
    r"^const node = .*?$",
    r"^function tilePath\(.*?^}$",
    r"^async function fetchTile\(.*?^}$",
    r"^async function perfect\(.*?^}$",
    r"^async function subtree\(.*?^}$",
)
RUN = """
const tiles = new Map(), used = new Set();
const { files, cases, paths } = JSON.parse(require("fs").readFileSync(0, "utf8"));
const fromHex = (h) => Uint8Array.from(h.match(/../g), (b) => parseInt(b, 16));
const get = async (path) => files[path] ? Uint8Array.from(Buffer.from(files[path], "base64"))
  : fail(`missing ${path}`);
(async () => {
  const out = { roots: [], paths: paths.map((shape) => tilePath(...shape)) };
  for (const [size, index, leaf] of cases) {
    used.clear();
    const root = await subtree("", 0, size, size, index, fromHex(leaf));
    out.roots.push([hex(root), used.size]);
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e.stack || e)); process.exit(1); });
"""
SMALL = 70  # every leaf of every tree of 1 to SMALL leaves
LARGE = (255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 70001)


def ported() -> str:
    """The parts of receipt.js that find tiles and hash them, as they are in the file."""
    source = SCRIPT.read_text(encoding="utf-8")
    parts = [re.search(pattern, source, re.M | re.S) for pattern in PORTED]
    missing = [p for p, found in zip(PORTED, parts, strict=True) if not found]
    assert not missing, f"receipt.js no longer has {missing}; update this test with it"
    return "\n".join(found.group(0) for found in parts if found)


def run_script(payload: dict[str, object]) -> dict[str, list[object]]:
    """What the ported code answers for the files, cases and tile paths in `payload`."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: install Node.js 20 (the test tools need it)", pytrace=False)
    done = subprocess.run(
        [node, "-e", ported() + RUN],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def levels(size: int) -> int:
    """How many levels of tiles a tree of `size` leaves has."""
    count = 0
    while size >> (HEIGHT * count):
        count += 1
    return count


def test_the_script_recomputes_every_root_from_the_tiles_reading_few() -> None:
    entries = [b"entry %d" % n for n in range(max(LARGE))]
    hashes = [leaf_hash(e) for e in entries]
    files: dict[str, str] = {}
    heads: dict[int, bytes] = {}
    edge = Edge()
    for size in [*range(1, SMALL + 1), *LARGE]:  # one log growing: each size's tiles published
        grown = grow(edge, entries[edge.size : size])
        files.update(
            (path, base64.b64encode(data).decode())
            for path, data in grown.files.items()
            if not path.startswith("tile/entries/")
        )
        heads[size], edge = grown.head, grown.edge
    cases = [(size, i) for size in range(1, SMALL + 1) for i in range(size)]
    for size in LARGE:
        corners = {0, 1, 255, 256, 257, 65535, 65536, size // 2, size - 2, size - 1}
        cases += [(size, i) for i in sorted(corners) if i < size]

    answers = run_script(
        {"files": files, "cases": [(s, i, hashes[i].hex()) for s, i in cases], "paths": []}
    )

    wrong = [
        (size, index)
        for (size, index), (root, _) in zip(cases, answers["roots"], strict=True)
        if root != heads[size].hex()
    ]
    assert not wrong, f"{len(wrong)} of {len(cases)} roots differ (size, leaf): {wrong[:10]}"
    # at most the tile on the leaf's path and the right edge's at each level
    many = [
        (size, index, read)
        for (size, index), (_, read) in zip(cases, answers["roots"], strict=True)
        if read > 2 * levels(size)
    ]
    assert not many, f"read too many tiles (size, leaf, tiles): {many[:10]}"


def test_the_script_names_tiles_and_bundles_as_tiles_py_does() -> None:
    shapes = [(0, 0, 256), (0, 5, 3), (1, 999, 256), (2, 1000, 17), (0, 1234067, 255)]
    shapes += [(0, 10**9 + 7, 256), ("entries", 1000, 256), ("entries", 1001, 1)]

    answers = run_script({"files": {}, "cases": [], "paths": shapes})

    expected = [
        entries_path(index, width) if level == "entries" else tile_path(int(level), index, width)
        for level, index, width in shapes
    ]
    assert answers["paths"] == expected

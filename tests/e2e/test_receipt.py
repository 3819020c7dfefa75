"""A signer's receipt in a real browser: the page verifies the log's signed checkpoint with
the published key, finds the signer's leaf and recomputes the tree's root from the tiles
(templates/static/receipt.js), over a log that the counter's `append` wrote into the served
site, and says plainly what failed when something does."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from generator.log.append import append, origin
from generator.log.fetch import folder_fetch
from generator.log.leaves import Kind, Leaf, encode, leaf_for
from generator.log.merkle import leaf_hash
from generator.log.note import Signer
from generator.log.receipts import receipt_url
from generator.log.tiles import CHECKPOINT, tile_path
from tests.support.fixture_site import CLOSED

from .audit import PHONE_WIDTH, axe_violations, describe, too_wide
from .conftest import Site

pytestmark = pytest.mark.browser

SLUG = CLOSED  # nobody signs it in the browser tests, so nothing else writes its log
SIZE = 600  # bundles and level-0 tiles 0 and 1 full, 2 partial (88); two hashes at level 1
FIRST_BATCH = 300  # appended in two batches, as the counter does
WITHDRAWN, WITHDRAWAL = 20, 400  # leaf 400 withdraws the signature of leaf 20
KEY_NAME = "petitions.example.org"
START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Log:
    """The log written into the served site: its leaves in order and where its files are."""

    leaves: list[Leaf]
    folder: Path  # out/petitions/<slug>/log
    key_file: Path  # out/log/key.txt
    origin: str

    def receipt(self, site: Site, index: int, start: int) -> str:
        """The absolute receipt URL of the signature added at leaf `index`."""
        return site.url + receipt_url(SLUG, self.leaves[index].signature, start)


def leaves(id_key: bytes) -> list[Leaf]:
    """SIZE leaves: additions of signatures `sig-<n>`, but one withdrawal."""
    made = [
        leaf_for(Kind.ADD, f"sig-{n}", START + timedelta(minutes=n), f"v{n % 3}", id_key)
        for n in range(SIZE)
    ]
    when = START + timedelta(minutes=WITHDRAWAL)
    made[WITHDRAWAL] = leaf_for(Kind.WITHDRAW, f"sig-{WITHDRAWN}", when, "v2", id_key)
    return made


def write(folder: Path, files: dict[str, bytes]) -> None:
    """Publish an append's files into the log's folder."""
    for rel, data in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@pytest.fixture(scope="module")
def log(site: Site) -> Iterator[Log]:
    """The closed petition's log of SIZE leaves in the served site, signed with the key serve
    keeps in its .data folder (the one it publishes at /log/key.txt)."""
    signer = Signer.parse((site.server.work / ".data" / "log-key").read_text())
    folder = site.server.out / "petitions" / SLUG / "log"
    key_file = site.server.out / "log" / "key.txt"
    made = leaves(secrets.token_bytes(32))
    log_origin = origin(site.url, SLUG)
    first = append(log_origin, signer, made[:FIRST_BATCH], None, folder_fetch(folder))
    write(folder, first.files)
    second = append(log_origin, signer, made[FIRST_BATCH:], first.checkpoint, folder_fetch(folder))
    write(folder, second.files)
    assert second.checkpoint.size == SIZE
    assert key_file.read_text() == f"{signer.verifier}\n"  # serve published its key
    try:
        yield Log(made, folder, key_file, log_origin)
    finally:  # the served site as it was for the other tests
        shutil.rmtree(folder)


@contextmanager
def replaced(path: Path, data: bytes) -> Iterator[None]:
    """The file holds `data` for a while, then what it held before."""
    before = path.read_bytes()
    path.write_bytes(data)
    try:
        yield
    finally:
        path.write_bytes(before)


def details(page: Page) -> dict[str, str]:
    """The receipt's details, each term with its value."""
    pairs = page.locator("#receipt dl").evaluate(
        "dl => [...dl.querySelectorAll('dt')].map(dt => [dt.textContent, "
        "dt.nextElementSibling.textContent])"
    )
    return dict(pairs)


def test_a_counted_signature_is_shown_included_under_the_checkpoint(
    site: Site, log: Log, page: Page
) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(log.receipt(site, 5, 0))

    status = page.get_by_role("status")
    expect(status).to_contain_text("Included: your signature is in the log", timeout=10_000)
    hashes = sorted(
        u.split("/log/", 1)[1] for u in fetched if "/log/tile/" in u and "/entries/" not in u
    )
    # the leaf's own tile, the head of tile 0/001 (at level 1) and the right edge: no more
    assert hashes == ["tile/0/000", "tile/0/002.p/88", "tile/1/000.p/2"]
    shown = details(page)
    assert shown["Leaf index"] == "5"
    assert shown["Leaf hash"] == leaf_hash(encode(log.leaves[5])).hex()
    assert shown["Checkpoint's tree size"] == f"{SIZE} entries"
    assert shown["Log"] == log.origin
    assert shown["Signature of the log's checkpoint"].startswith("verified with the log's key")
    assert shown["Text version signed"] == "v2"
    assert "2024" in shown["Counted"]
    assert shown["Inclusion"].startswith("checked")
    assert shown["Withdrawn"].startswith("no withdrawal") and "still counts" in shown["Withdrawn"]
    assert page.url.endswith("&from=0&i=5")  # the next visit goes straight to the leaf
    expect(page.get_by_role("link", name="Back to the petition")).to_have_attribute(
        "href", f"/petitions/{SLUG}/"
    )


def test_a_leaf_more_than_a_bundle_past_the_start_is_found(
    site: Site, log: Log, page: Page
) -> None:
    page.goto(log.receipt(site, 550, 5))  # bundles 0 and 1 are read first; it is in bundle 2

    expect(page.get_by_role("status")).to_contain_text("Included", timeout=10_000)
    assert details(page)["Leaf index"] == "550"
    assert page.url.endswith("&i=550")


def test_a_receipt_that_knows_its_leaf_reads_only_that_bundle(
    site: Site, log: Log, page: Page
) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(log.receipt(site, 550, 0) + "&i=550")

    expect(page.get_by_role("status")).to_contain_text("Included", timeout=10_000)
    assert [u for u in fetched if "/entries/" in u] == [
        f"{site.url}/petitions/{SLUG}/log/tile/entries/002.p/88"
    ]


def test_a_wrong_leaf_index_is_looked_past(site: Site, log: Log, page: Page) -> None:
    page.goto(log.receipt(site, 5, 0) + "&i=7")

    expect(page.get_by_role("status")).to_contain_text("Included", timeout=10_000)
    assert details(page)["Leaf index"] == "5"
    assert page.url.endswith("&from=0&i=5")


def test_a_signature_not_in_the_log_is_not_there_yet(site: Site, log: Log, page: Page) -> None:
    page.goto(site.url + receipt_url(SLUG, secrets.token_bytes(32), 0))

    expect(page.get_by_role("status")).to_contain_text(
        "Your signature is not in the published log yet", timeout=10_000
    )
    expect(page.get_by_role("status")).to_contain_text("Checking again every 10 seconds")


def test_a_tampered_tile_fails_the_inclusion_check(site: Site, log: Log, page: Page) -> None:
    tile = log.folder / tile_path(0, 1)  # leaves 256 to 511
    data = bytearray(tile.read_bytes())
    data[(301 - 256) * 32] ^= 1  # the hash of leaf 301, leaf 300's sibling

    with replaced(tile, bytes(data)):
        page.goto(log.receipt(site, 300, 0))
        status = page.get_by_role("status")
        expect(status).to_contain_text("Not included: the inclusion check failed", timeout=10_000)

    expect(status).to_contain_text("tile/0/001")  # among the tiles named
    assert details(page)["Leaf index"] == "300"


def test_a_checkpoint_another_key_signed_does_not_verify(site: Site, log: Log, page: Page) -> None:
    other = Signer.generate(KEY_NAME)  # the same name, another key

    with replaced(log.key_file, f"{other.verifier}\n".encode()):
        page.goto(log.receipt(site, 5, 0))
        status = page.get_by_role("status")
        expect(status).to_contain_text("The checkpoint's signature does not verify", timeout=10_000)

    expect(status).not_to_contain_text("Included")


def test_a_forged_checkpoint_signature_does_not_verify(site: Site, log: Log, page: Page) -> None:
    checkpoint = log.folder / CHECKPOINT
    text = checkpoint.read_bytes()
    forged = text.replace(f"\n{SIZE}\n".encode(), f"\n{SIZE - 1}\n".encode(), 1)

    with replaced(checkpoint, forged):
        page.goto(log.receipt(site, 5, 0))
        status = page.get_by_role("status")
        expect(status).to_contain_text("does not verify with the log's key", timeout=10_000)


def test_a_withdrawn_signature_is_shown_withdrawn(site: Site, log: Log, page: Page) -> None:
    page.goto(log.receipt(site, WITHDRAWN, 0))

    expect(page.get_by_role("status")).to_contain_text("it was withdrawn later", timeout=10_000)
    assert details(page)["Withdrawn"].startswith(f"yes, at entry {WITHDRAWAL}")


def test_a_receipt_address_without_its_hash_says_it_is_damaged(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/receipt/#p={SLUG}&from=0")

    expect(page.get_by_role("status")).to_contain_text("incomplete or damaged")


def test_without_javascript_the_page_says_checking_needs_it(
    site: Site, log: Log, browser: Browser
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(log.receipt(site, 5, 0))
        # Playwright switches scripts off, not the parser's scripting flag: <noscript> stays
        # text here, though a browser without JavaScript shows it as a paragraph.
        said = page.locator("main noscript").text_content() or ""
        assert "Checking the receipt needs JavaScript" in said
        expect(page.get_by_role("status")).to_be_empty()  # nothing claims a result
        assert page.locator("meta[name=robots]").get_attribute("content") == "noindex"
    finally:
        context.close()


def test_the_receipt_page_has_no_axe_violations(site: Site, log: Log, page: Page) -> None:
    page.goto(log.receipt(site, WITHDRAWN, 0))
    expect(page.get_by_role("status")).to_contain_text("Included", timeout=10_000)

    violations = axe_violations(page)

    assert not violations, describe(violations)


def test_the_receipt_fits_a_320px_phone(
    site: Site, log: Log, browser: Browser, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 640})
    try:
        page = context.new_page()
        page.goto(log.receipt(site, WITHDRAWN, 0))
        expect(page.get_by_role("status")).to_contain_text("Included", timeout=10_000)
        page.screenshot(path=str(artifacts / f"receipt-{PHONE_WIDTH}px.png"), full_page=True)

        scroll_width, wide = too_wide(page)
    finally:
        context.close()

    assert scroll_width <= PHONE_WIDTH, f"page is {scroll_width}px wide; too wide: {wide}"

"""`build.py verify-log` as an auditor runs it, over a log the counter's `append` wrote to a
folder (and served on loopback) with the petition's count file beside it: a sound log reports
its size and tallies and that the page's count is the imported count plus the log's; a
tampered tile, a wrong key, a root that is not the tiles' head, a log that lost a leaf since
an older checkpoint, or a count file the log does not add up to fails, naming what failed."""

from __future__ import annotations

import functools
import json
import shutil
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.commands.main import main
from generator.errors import LogError
from generator.log.append import Appended, append, origin
from generator.log.fetch import folder_fetch
from generator.log.leaves import Kind, Leaf, base_leaf, encode, leaf_for, tallies_at
from generator.log.note import Checkpoint, Signer, open_checkpoint, sign_checkpoint
from generator.log.tiles import CHECKPOINT, tile_path
from generator.log.verify import verify_log
from tests.serve.launcher import set_site_option
from tests.support.fixture_site import copy_site

ORIGIN = origin("https://petitions.example.org/", "save-the-bay")
SIGNER = Signer.generate("petitions.example.org")
KEY = str(SIGNER.verifier)
ID_KEY = b"i" * 32
IMPORTED = 41  # signatures gathered elsewhere before the site, stated apart from the log
START = datetime(2024, 5, 1, tzinfo=UTC)


def adds(first: int, count: int) -> list[Leaf]:
    """Additions of the signatures numbered first… (random ids in real life)."""
    return [
        leaf_for(Kind.ADD, f"sig-{i}", START + timedelta(minutes=i), "v1", ID_KEY)
        for i in range(first, first + count)
    ]


def withdraw(number: int) -> Leaf:
    return leaf_for(Kind.WITHDRAW, f"sig-{number}", START + timedelta(days=1), "v1", ID_KEY)


def publish(folder: Path, appended: Appended) -> None:
    """What the counter's publisher does: every file, the checkpoint last."""
    for path, data in sorted(appended.files.items(), key=lambda item: item[0] == CHECKPOINT):
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)


def write_count(
    folder: Path, leaves: Sequence[Leaf], size: int, count: int | None = None, base: int = 0
) -> None:
    """The petition's count file beside its log, answering to the first `size` leaves (its
    count as the counter would show it, unless `count` says otherwise), saying the log does
    not list `base` signatures."""
    if count is None:
        try:
            count = IMPORTED + tallies_at([encode(leaf) for leaf in leaves], (size,))[size].count
        except LogError:  # a log no counter could have written: the count is beside the point
            count = IMPORTED
    shown = {"count": count, "imported": IMPORTED, "log_base": base}
    (folder.parent / "count.json").write_text(json.dumps({**shown, "log_size": size}))


def write_log(folder: Path, *batches: Sequence[Leaf]) -> list[Appended]:
    """A log grown batch by batch in `folder`, as the counter grows it, and its count file."""
    folder.mkdir(parents=True, exist_ok=True)
    last: Checkpoint | None = None
    done = []
    for leaves in batches:
        appended = append(ORIGIN, SIGNER, leaves, last, folder_fetch(folder))
        publish(folder, appended)
        last = appended.checkpoint
        done.append(appended)
    everything = [leaf for leaves in batches for leaf in leaves]
    write_count(folder, everything, len(everything))
    return done


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["verify-log", *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def log(tmp_path: Path) -> Path:
    """300 additions in three batches, two of them withdrawn."""
    folder = tmp_path / "site" / "petitions" / "save-the-bay" / "log"
    write_log(folder, adds(0, 100), [*adds(100, 150), withdraw(7)], [*adds(250, 50), withdraw(260)])
    return folder


def test_a_sound_log_reports_its_size_and_tallies(
    log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = verify(capsys, str(log), "--key", KEY)
    assert (status, err) == (0, "")
    assert "petitions.example.org/petitions/save-the-bay" in out
    assert "302 leaves; signature and root hash verified" in out
    assert "additions  300" in out
    assert "withdrawals 2" in out
    assert "count      298" in out
    assert "page count 339 = 41 imported + 298 in the first 302 leaves" in out


def test_a_count_file_the_log_does_not_add_up_to_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "petitions" / "save-the-bay" / "log"
    leaves = [*adds(0, 10), withdraw(3)]
    write_log(folder, leaves)
    write_count(folder, leaves, 11, count=IMPORTED + 10)  # the withdrawal not taken off

    status, out, err = verify(capsys, str(folder), "--key", KEY)

    assert (status, out) == (1, "")
    assert "count.json: shows 51 signatures; the log's first 11 leaves add up to 9" in err


def test_a_count_file_answers_to_the_log_size_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "petitions" / "save-the-bay" / "log"
    leaves = [*adds(0, 10), withdraw(3), *adds(10, 5)]
    write_log(folder, leaves)
    write_count(folder, leaves, 11)  # written before the last batch was counted
    status, out, _ = verify(capsys, str(folder), "--key", KEY)
    assert status == 0
    assert "page count 50 = 41 imported + 9 in the first 11 leaves" in out

    write_count(folder, leaves, 20, count=70)  # a count ahead of the published checkpoint
    status, _, err = verify(capsys, str(folder), "--key", KEY)
    assert status == 1
    assert "checkpoint: holds 16 leaves; the count answers to 20 (the log is behind" in err


def test_a_base_leaf_states_what_the_log_does_not_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "petitions" / "save-the-bay" / "log"
    before_log = leaf_for(Kind.WITHDRAW, "old-1", START, "v1", ID_KEY)  # counted before it
    leaves = [base_leaf(20, START), *adds(0, 5), before_log]
    write_log(folder, leaves)
    write_count(folder, leaves, 7, base=20)

    status, out, _ = verify(capsys, str(folder), "--key", KEY)

    assert status == 0
    assert "base       20 signatures the log does not list (stated by 1 base leaf)" in out
    assert "of them, 1 of signatures the log did not list" in out
    assert "page count 65 = 41 imported + 24 in the first 7 leaves" in out
    write_count(folder, leaves, 7, base=25)  # a count file claiming more than the log says
    status, _, err = verify(capsys, str(folder), "--key", KEY)
    assert status == 1
    assert "count.json: says the log does not list 25; its base leaves say 20" in err


def test_a_withdrawal_beyond_the_base_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "log"
    gone = [leaf_for(Kind.WITHDRAW, f"old-{n}", START, "v1", ID_KEY) for n in (1, 2)]
    write_log(folder, [base_leaf(1, START), *adds(0, 2), *gone])  # one unlisted, two taken

    status, _, err = verify(capsys, str(folder), "--key", KEY)

    assert status == 1
    assert "entry 4: withdraws a signature that is not counted" in err


def test_the_key_comes_from_site_yaml_in_git(
    log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, _ = copy_site(tmp_path / "repo")
    status, _, err = verify(capsys, str(log), "--content", str(content))
    assert status == 1
    assert "--key: give the log's public key: " in err and "site.yaml names none" in err

    set_site_option(content, "log_key", KEY)
    status, out, _ = verify(capsys, str(log), "--content", str(content))
    assert status == 0
    assert "302 leaves; signature and root hash verified" in out


def test_the_tallies_are_there_for_the_page_count_check(log: Path) -> None:
    audit = verify_log(folder_fetch(log), SIGNER.verifier)
    assert (audit.tallies.additions, audit.tallies.withdrawals, audit.tallies.count) == (
        300,
        2,
        298,
    )
    assert audit.checkpoint.size == 302


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # no request lines in the output
        pass


@pytest.fixture
def served(log: Path) -> Iterator[str]:
    """The built site on a loopback HTTP server; the log's URL."""
    site = log.parents[2]
    handler = functools.partial(_Quiet, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/petitions/save-the-bay/log/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_log_is_verified_over_http(served: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = verify(capsys, served, "--key", KEY)
    assert status == 0
    assert "count      298" in out
    status, _, err = verify(capsys, served.replace("save-the-bay", "gone"), "--key", KEY)
    assert status == 1
    assert "count.json: could not be fetched: HTTP 404" in err


def test_a_tampered_tile_is_named(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tile = log / tile_path(0, 0)
    data = bytearray(tile.read_bytes())
    data[40] ^= 1  # inside the second leaf hash
    tile.write_bytes(bytes(data))
    status, out, err = verify(capsys, str(log), "--key", KEY)
    assert (status, out) == (1, "")
    assert "tile/0/000: hash 1 is not the hash of entry 1 of tile/entries/000" in err
    assert "the log did not verify" in err


def test_a_rewritten_entry_with_its_tile_is_caught_above(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "log"
    write_log(folder, adds(0, 600))
    tampered = write_log(tmp_path / "other", [*adds(0, 5), *adds(1000, 1), *adds(6, 594)])[0]
    for path in ("tile/0/000", "tile/entries/000"):  # leaf 5 and its hash, both replaced
        (folder / path).write_bytes(tampered.files[path])
    status, _, err = verify(capsys, str(folder), "--key", KEY)
    assert status == 1
    assert "tile/1/000.p/2: hash 0 is not the head of tile/0/000" in err


def test_a_root_that_is_not_the_tiles_head_fails(
    log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lying = Checkpoint(ORIGIN, 302, bytes(32))
    (log / CHECKPOINT).write_bytes(sign_checkpoint(lying, SIGNER))
    status, _, err = verify(capsys, str(log), "--key", KEY)
    assert status == 1
    assert "checkpoint: its root hash is not the head of the published tiles" in err


def test_a_wrong_or_missing_key_fails(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = str(Signer.generate("petitions.example.org").verifier)
    status, _, err = verify(capsys, str(log), "--key", other)
    assert status == 1
    assert "checkpoint: not signed by the key petitions.example.org+" in err
    status, _, err = verify(capsys, str(log), "--key", "not-a-key")
    assert (status, err.startswith("error: key: expected")) == (1, True)


def test_growth_since_an_older_checkpoint_is_consistent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "log"
    write_log(folder, adds(0, 10))
    saved = tmp_path / "checkpoint-10"
    shutil.copy(folder / CHECKPOINT, saved)
    last = open_checkpoint(saved.read_bytes(), SIGNER.verifier)
    publish(folder, append(ORIGIN, SIGNER, adds(10, 290), last, folder_fetch(folder)))
    status, out, _ = verify(capsys, str(folder), "--key", KEY, "--since", str(saved))
    assert status == 0
    assert "since      10 leaves: consistent (nothing removed or rewritten)" in out


def test_a_leaf_removed_since_an_older_checkpoint_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "log"
    write_log(folder, adds(0, 10))
    saved = tmp_path / "checkpoint-10"
    shutil.copy(folder / CHECKPOINT, saved)
    shutil.rmtree(folder)  # the log rebuilt without signature 3, then grown
    write_log(folder, [*adds(0, 3), *adds(4, 6)], adds(10, 20))
    status, out, _ = verify(capsys, str(folder), "--key", KEY)
    assert (status, "count      29" in out) == (0, True)  # alone, it looks sound…
    status, _, err = verify(capsys, str(folder), "--key", KEY, "--since", str(saved))
    assert status == 1  # …but it does not extend what was published before
    assert "the log at 29 leaves does not extend the one at 10: leaves were removed" in err


def test_a_log_smaller_than_an_older_checkpoint_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "log"
    write_log(folder, adds(0, 10))
    saved = tmp_path / "checkpoint-10"
    shutil.copy(folder / CHECKPOINT, saved)
    shutil.rmtree(folder)
    write_log(folder, adds(0, 8))
    status, _, err = verify(capsys, str(folder), "--key", KEY, "--since", str(saved))
    assert status == 1
    assert "the log shrank from 10 leaves to 8" in err


def test_a_withdrawal_of_nothing_counted_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "log"
    write_log(folder, [*adds(0, 3), withdraw(99)])
    status, _, err = verify(capsys, str(folder), "--key", KEY)
    assert status == 1
    assert "tile/entries/000.p/4: entry 3: withdraws a signature that is not counted" in err


def test_append_refuses_tiles_that_do_not_match_its_last_checkpoint(tmp_path: Path) -> None:
    folder = tmp_path / "log"
    first = write_log(folder, adds(0, 10))[0]
    partial = folder / tile_path(0, 0, 10)
    partial.write_bytes(bytes(len(partial.read_bytes())))
    with pytest.raises(LogError, match="tiles: do not hash to the last checkpoint's root at 10"):
        append(ORIGIN, SIGNER, adds(10, 1), first.checkpoint, folder_fetch(folder))
    with pytest.raises(LogError, match=r"is the log of .*/save-the-bay, not x/petitions/y"):
        append("x/petitions/y", SIGNER, adds(10, 1), first.checkpoint, folder_fetch(folder))


def test_append_says_where_each_leaf_went(tmp_path: Path) -> None:
    first, second = write_log(tmp_path / "log", adds(0, 10), adds(10, 5))
    assert (first.first, second.first, second.checkpoint.size) == (0, 10, 15)
    assert set(second.files) == {"tile/0/000.p/15", "tile/entries/000.p/15", CHECKPOINT}


def test_an_empty_log_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_log(tmp_path / "log", [])
    status, out, _ = verify(capsys, str(tmp_path / "log"), "--key", KEY)
    assert status == 0
    assert "0 leaves; signature and root hash verified" in out
    assert "count      0" in out

"""Publishing the public logs beside the count files: the counter's leaves, kept in the
store with the counts, become tiles and a signed checkpoint in the served folder (or the
bucket), the tiles first; each publish adds only what is new; a published log the store does
not extend is reported and left alone; the logs survive a build that replaced the folder;
and in S3 tiles are cached for a year while the checkpoint is cached seconds."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from generator.counting.counter import Counter
from generator.errors import ConfigError, StoreError
from generator.log.fetch import folder_fetch
from generator.log.keys import LogKeys
from generator.log.note import Signer, open_checkpoint
from generator.log.verify import audit_petition, verify_log
from generator.model import Content
from generator.store.sqlite import SqliteStore
from generator.writeback.fresh import Freshness
from generator.writeback.logs import LogPublisher
from generator.writeback.publish import FolderPublisher, S3Publisher
from tests.store.helpers import ladder, signature
from tests.support.counting import source_of

SLUG = "save-the-park"
KEYS = LogKeys(Signer.generate("petitions.example.org"), bytes(range(32)))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "signatures.db")
    opened.init()
    yield opened
    opened.close()


def signed(store: SqliteStore, content: Content, numbers: range) -> None:
    """These signers sign (each its own random id), and the counter counts them."""
    for n in numbers:
        store.sign(signature(n, id=f"sid-{n:08d}"))
    Counter(content, store, id_key=KEYS.id_key).drain(source_of(store))


def folder(out: Path) -> Path:
    return out / "petitions" / SLUG / "log"


def test_counting_publishes_the_log_before_the_count_file(
    tmp_path: Path, store: SqliteStore
) -> None:
    content, out = ladder(100), tmp_path / "out"
    out.mkdir()
    logs = LogPublisher(content.site, store, FolderPublisher(out), KEYS)
    fresh = Freshness(content, store, FolderPublisher(out), logs=logs)
    signed(store, content, range(300))

    fresh.sweep()

    audit = verify_log(folder_fetch(folder(out)), KEYS.signer.verifier)
    assert (audit.checkpoint.size, audit.tallies.count) == (300, 300)
    assert audit.checkpoint.origin == f"petitions.example.org/petitions/{SLUG}"
    count_file = (out / "petitions" / SLUG / "count.json").read_bytes()
    assert json.loads(count_file)["log_size"] == 300
    lines = audit_petition(
        folder_fetch(folder(out)), count_file, "count.json", KEYS.signer.verifier
    )
    assert "page count 300 = 0 imported + 300 in the first 300 leaves" in lines
    assert (out / "log" / "key.txt").read_text() == f"{KEYS.signer.verifier}\n"


def test_each_publish_adds_only_what_is_new(tmp_path: Path, store: SqliteStore) -> None:
    content, out = ladder(), tmp_path / "out"
    out.mkdir()
    logs = LogPublisher(content.site, store, FolderPublisher(out), KEYS)
    signed(store, content, range(260))
    logs.publish(store.counts([SLUG]))
    full_tile = folder(out) / "tile" / "0" / "000"
    first = full_tile.stat().st_mtime_ns

    signed(store, content, range(260, 270))
    assert logs.publish(store.counts([SLUG])) == [SLUG]
    assert logs.publish(store.counts([SLUG])) == []  # nothing new: nothing written

    assert full_tile.stat().st_mtime_ns == first  # a full tile is never written again
    assert logs.published(SLUG) is not None and logs.published(SLUG).size == 270  # type: ignore[union-attr]
    assert verify_log(folder_fetch(folder(out)), KEYS.signer.verifier).tallies.count == 270


def test_a_published_log_the_store_does_not_extend_is_left_alone(
    tmp_path: Path, store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    content, out = ladder(), tmp_path / "out"
    out.mkdir()
    logs = LogPublisher(content.site, store, FolderPublisher(out), KEYS)
    signed(store, content, range(10))
    logs.publish(store.counts([SLUG]))
    partial = folder(out) / "tile" / "0" / "000.p" / "10"
    partial.write_bytes(bytes(len(partial.read_bytes())))  # someone rewrote the published tile
    before = (folder(out) / "checkpoint").read_bytes()
    signed(store, content, range(10, 12))

    with caplog.at_level(logging.ERROR):
        assert logs.publish(store.counts([SLUG])) == []

    assert (folder(out) / "checkpoint").read_bytes() == before
    assert "do not hash to the last checkpoint's root at 10" in caplog.text


def test_the_logs_come_back_after_a_build_replaced_the_folder(
    tmp_path: Path, store: SqliteStore
) -> None:
    content, out = ladder(), tmp_path / "out"
    out.mkdir()
    fresh = Freshness(content, store, FolderPublisher(out), logs=LogPublisher(
        content.site, store, FolderPublisher(out), KEYS
    ))  # fmt: skip
    signed(store, content, range(5))
    fresh.sweep()
    for path in sorted(out.rglob("*"), reverse=True):  # a full build: a new folder
        path.unlink() if path.is_file() else path.rmdir()

    fresh.publish_logs()

    assert verify_log(folder_fetch(folder(out)), KEYS.signer.verifier).checkpoint.size == 5
    assert (out / "log" / "key.txt").is_file()


def test_a_deployed_key_must_be_the_one_site_yaml_names(store: SqliteStore, tmp_path: Path) -> None:
    content = ladder()
    other = str(Signer.generate("petitions.example.org").verifier)
    site = replace(content.site, log_key=other)
    files = FolderPublisher(tmp_path)

    with pytest.raises(ConfigError, match=r"site\.yaml's log_key is not the public half"):
        LogPublisher(site, store, files, KEYS)
    LogPublisher(site, store, files, KEYS, strict=False)  # serve: its own key, with a warning
    LogPublisher(replace(content.site, log_key=str(KEYS.signer.verifier)), store, files, KEYS)


def test_in_s3_tiles_are_cached_a_year_and_the_checkpoint_seconds(store: SqliteStore) -> None:
    content = ladder()
    signed(store, content, range(3))
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="site")
        logs = LogPublisher(content.site, store, S3Publisher("site", region="us-east-1"), KEYS)

        logs.publish(store.counts([SLUG]))

        prefix = f"petitions/{SLUG}/log/"
        tile = s3.head_object(Bucket="site", Key=prefix + "tile/0/000.p/3")
        checkpoint = s3.get_object(Bucket="site", Key=prefix + "checkpoint")
        key = s3.head_object(Bucket="site", Key="log/key.txt")
        assert tile["CacheControl"] == "public, max-age=31536000, immutable"
        assert tile["ContentType"] == "application/octet-stream"
        assert checkpoint["CacheControl"] == "public, max-age=5"
        assert checkpoint["ContentType"] == "text/plain; charset=utf-8"
        assert open_checkpoint(checkpoint["Body"].read(), KEYS.signer.verifier).size == 3
        assert key["CacheControl"] == "public, max-age=60, must-revalidate"
        assert logs.published("never-signed") is None  # nothing there: no log yet


class _LeavesUnreadable(SqliteStore):
    """A store whose log cannot be read back (the table throttles, say)."""

    def log_entries(self, slug: str, start: int, end: int) -> list[bytes]:
        raise StoreError("DynamoDB table 'petitions': read the log: throttled")


def test_a_log_that_cannot_be_read_leaves_the_count_file_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content, out = ladder(), tmp_path / "out"
    out.mkdir()
    store = _LeavesUnreadable(tmp_path / "signatures.db")
    store.init()
    signed(store, content, range(3))
    fresh = Freshness(content, store, FolderPublisher(out), logs=LogPublisher(
        content.site, store, FolderPublisher(out), KEYS
    ))  # fmt: skip

    with caplog.at_level(logging.ERROR):
        fresh.sweep()

    assert json.loads((out / "petitions" / SLUG / "count.json").read_bytes())["count"] == 3
    assert not (folder(out) / "checkpoint").exists()  # tried again at the next write
    assert "log not published slug=save-the-park: DynamoDB table" in caplog.text
    store.close()

"""The refresh function (every minute): the trailing edge of what the aggregator writes at
most once a second (count files) or minute (pages); and the write-back function's side of
the minute's re-render: pages published, nothing invalidated."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from generator.content.loading import load_content
from generator.errors import PetitionSiteError
from generator.store.sqlite import SqliteStore
from generator.writeback.publish import Published
from generator.writeback.refresh import WriteBack, handle_writeback_event
from tests.support.fixture_site import BARE, CLOSED, CONTENT, TEMPLATES

from .conftest import OTHER, SLUG, Aws

PAGES = {"slugs": [SLUG], "invalidate": False}


@pytest.mark.dynamodb_local
def test_the_sweep_writes_what_moved_since_it_was_last_written(aws: Aws) -> None:
    aws.sign(1, 2, 3)
    aws.aggregate(aws.stream.records())  # count file and pages written at once (3)
    aws.sign(4, 5)
    aws.aggregate(aws.stream.records())  # the same second: waiting (5)
    assert (aws.count_file() or {})["count"] == 3

    aws.clock.advance(2)
    aws.refresh()  # the trailing edge of the burst

    assert (aws.count_file() or {})["count"] == 5
    assert aws.lambda_api.payloads() == [PAGES]  # the pages' minute is not over yet
    aws.clock.advance(60)
    aws.refresh()
    assert aws.lambda_api.payloads() == [PAGES, PAGES]  # now they are re-rendered too
    assert aws.count_file(OTHER) is None  # nothing moved there, nothing written


@pytest.mark.dynamodb_local
def test_a_sweep_with_nothing_moved_writes_nothing(aws: Aws) -> None:
    aws.sign(1)
    aws.aggregate(aws.stream.records())
    before = aws.s3.head_object(Bucket="petition-site", Key=f"petitions/{SLUG}/count.json")
    aws.clock.advance(120)

    aws.refresh()
    aws.refresh()

    after = aws.s3.head_object(Bucket="petition-site", Key=f"petitions/{SLUG}/count.json")
    assert after["LastModified"] == before["LastModified"]
    assert aws.lambda_api.payloads() == [PAGES]  # only the aggregator's, a minute ago


class Recording:
    """A publisher that keeps what it is asked to publish and how."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], bool]] = []

    def publish(self, files: Mapping[str, bytes], invalidate: bool = True) -> Published:
        self.calls.append((sorted(files), invalidate))
        return Published(tuple(sorted(files)))


@pytest.fixture
def writeback(tmp_path: Path) -> tuple[WriteBack, Recording]:
    """The write-back of the fixture site, over an empty SQLite store."""
    store = SqliteStore(tmp_path / "signatures.db")
    store.init()
    recording = Recording()
    return WriteBack(load_content(CONTENT), TEMPLATES, store, recording), recording


def test_the_write_back_renders_the_minutes_pages_without_invalidating(
    writeback: tuple[WriteBack, Recording],
) -> None:
    back, recording = writeback

    answer = handle_writeback_event({"slugs": [BARE, CLOSED], "invalidate": False}, back)
    milestone = handle_writeback_event({"slug": BARE}, back)

    (files, invalidate), (_, milestone_invalidates) = recording.calls
    assert invalidate is False and milestone_invalidates is True
    for slug in (BARE, CLOSED):
        assert f"petitions/{slug}/index.html" in files
        assert f"petitions/{slug}/count.json" in files
    assert "index.html" in files  # the count pages once, for both
    assert answer["slugs"] == [BARE, CLOSED] and answer["published"] == files
    assert milestone["slug"] == BARE


@pytest.mark.parametrize(
    "event",
    [{}, {"slugs": []}, {"slugs": BARE}, {"slugs": [BARE, ""]}, {"slug": BARE, "slugs": [BARE]},
     {"slugs": [BARE], "invalidate": "no"}],
    ids=["empty", "no-slugs", "not-a-list", "blank-slug", "both", "invalidate-not-bool"],
)  # fmt: skip
def test_a_malformed_write_back_request_raises_naming_what_is_expected(
    writeback: tuple[WriteBack, Recording], event: dict[str, object]
) -> None:
    back, recording = writeback

    with pytest.raises(PetitionSiteError, match=re.escape('expected {"slug"')):
        handle_writeback_event(event, back)
    assert recording.calls == []

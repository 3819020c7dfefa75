"""The aggregator and refresh functions keep the public logs, as the stack configures them
(PETITION_LOG_KEY and PETITION_LOG_ID_KEY): counting a batch of the stream appends its leaves
in the count's transaction on DynamoDB Local, and the log is published to the site bucket
beside the count file, so an auditor reading the bucket finds the count adding up."""

from __future__ import annotations

from typing import Any

import pytest

from generator.errors import LogError
from generator.log.leaves import Kind, decode, signature_key
from generator.log.note import Signer
from generator.log.tiles import Fetch
from generator.log.verify import audit_petition, verify_log
from generator.render.countfile import count_path

from .conftest import BUCKET, SLUG, Aws, signature
from .test_aggregator import batches

pytestmark = pytest.mark.dynamodb_local

SIGNER = Signer.generate("petitions.example.org")
ID_KEY = bytes(range(100, 132))


@pytest.fixture
def environ() -> dict[str, str]:
    """The stack's settings, the log's two keys among them."""
    return {
        "PETITION_SITE_BUCKET": BUCKET,
        "PETITION_WRITEBACK_FUNCTION": "petitions-test-writeback",
        "PETITION_LOG_KEY": SIGNER.secret(),
        "PETITION_LOG_ID_KEY": ID_KEY.hex(),
    }


def bucket_fetch(s3: Any, slug: str = SLUG) -> Fetch:
    """A petition's log as published in the bucket."""

    def fetch(path: str) -> bytes:
        try:
            data: bytes = s3.get_object(Bucket=BUCKET, Key=f"petitions/{slug}/log/{path}")[
                "Body"
            ].read()
        except s3.exceptions.NoSuchKey:
            raise LogError(path, "is missing") from None
        return data

    return fetch


def test_the_aggregator_appends_and_publishes_the_log(aws: Aws) -> None:
    aws.sign(*range(1, 301))
    for batch in batches(aws.stream.records(), 100):
        aws.aggregate(batch)
    aws.clock.advance(61)
    aws.refresh()  # the trailing edge: the last batch's count file and log

    stored = aws.table.tally(SLUG)
    assert (stored.count, stored.log_size) == (300, 300)
    leaves = [decode(leaf) for leaf in aws.table.log_entries(SLUG, 0, 300)]
    assert {leaf.kind for leaf in leaves} == {Kind.ADD}
    assert {leaf.signature for leaf in leaves} == {
        signature_key(ID_KEY, signature(n).id) for n in range(1, 301)
    }
    audit = verify_log(bucket_fetch(aws.s3), SIGNER.verifier)
    assert (audit.checkpoint.size, audit.tallies.count) == (300, 300)
    count_file = aws.s3.get_object(Bucket=BUCKET, Key=count_path(SLUG))["Body"].read()
    lines = audit_petition(bucket_fetch(aws.s3), count_file, "count.json", SIGNER.verifier)
    assert "page count 300 = 0 imported + 300 in the first 300 leaves" in lines
    key = aws.s3.get_object(Bucket=BUCKET, Key="log/key.txt")["Body"].read().decode()
    assert key == f"{SIGNER.verifier}\n"


def test_a_batch_handed_over_again_appends_nothing(aws: Aws) -> None:
    aws.sign(*range(1, 21))
    (batch,) = batches(aws.stream.records(), 100)

    aws.aggregate(batch)
    aws.aggregate(batch)  # Lambda's retry after a lost answer

    assert aws.table.tally(SLUG).log_size == 20
    assert len(aws.table.log_entries(SLUG, 0, 100)) == 20
    assert [m.size for m in aws.table.tally(SLUG).milestones] == [10]  # the 10th leaf reached 10


def test_a_key_site_yaml_does_not_name_stops_publishing_not_counting(
    aws: Aws, environ: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    from dataclasses import replace

    from chalicelib.runtime import runtime

    from generator.signing.settings import Settings

    from .conftest import content

    made = content()
    other = str(Signer.generate("petitions.example.org").verifier)  # site.yaml names another
    runtime.configure(
        content=replace(made, site=replace(made.site, log_key=other)), store=aws.table,
        settings=Settings.from_environ(environ), clock=aws.clock,
    )  # fmt: skip
    aws.sign(*range(1, 6))

    with caplog.at_level("ERROR"):
        aws.aggregate(aws.stream.records())

    assert (aws.table.tally(SLUG).count, aws.table.tally(SLUG).log_size) == (5, 5)  # kept
    assert "the public logs are not published: site.yaml's log_key" in caplog.text
    with pytest.raises(LogError):
        bucket_fetch(aws.s3)("checkpoint")  # nothing published under the wrong key

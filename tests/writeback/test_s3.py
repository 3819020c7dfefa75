"""Write-back to S3 behind CloudFront, on moto: headers, exact invalidations, nothing twice."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from generator.counting.counter import MilestoneHook
from generator.model import Content
from generator.signing.service import SigningService
from generator.store.base import Store
from generator.writeback.publish import (
    PublishError,
    S3Publisher,
    cache_control,
    content_type,
    url_paths,
)
from generator.writeback.refresh import WriteBack
from generator.writeback.worker import BackgroundWriteBack

from .support import SLUG, TEMPLATES, TENTH, Built, sign

ServiceFor = Callable[[Iterable[MilestoneHook]], SigningService]
BUCKET = "petition-site"
PAGE = f"petitions/{SLUG}/index.html"
THANKS = f"petitions/{SLUG}/thanks/index.html"
PAGE_CACHE = "public, max-age=60, must-revalidate"


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    """moto's S3 and CloudFront with the site's bucket and a distribution in front of it."""
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        cloudfront = boto3.client("cloudfront", region_name="us-east-1")
        origin = {
            "Id": "site",
            "DomainName": f"{BUCKET}.s3.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""},
        }
        config = {
            "CallerReference": "tests",
            "Comment": "",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
            },
        }
        made = cloudfront.create_distribution(DistributionConfig=config)
        yield {"s3": s3, "cloudfront": cloudfront, "distribution": made["Distribution"]["Id"]}


def upload_like_deploy(s3: Any, built: Built) -> None:
    """Put the whole built site in the bucket as a sync tool would (no sha256 metadata)."""
    for rel, data in built.files().items():
        s3.put_object(Bucket=BUCKET, Key=rel, Body=data)


def invalidations(aws: dict[str, Any]) -> list[list[str]]:
    """The paths of every invalidation of the distribution."""
    cloudfront, dist = aws["cloudfront"], aws["distribution"]
    found = cloudfront.list_invalidations(DistributionId=dist)["InvalidationList"]
    out = []
    for item in found.get("Items", []):
        got = cloudfront.get_invalidation(DistributionId=dist, Id=item["Id"])
        out.append(got["Invalidation"]["InvalidationBatch"]["Paths"]["Items"])
    return out


def test_a_milestone_puts_only_changed_pages_and_invalidates_exactly_their_urls(
    aws: dict[str, Any], built: Built, store: Store, content: Content, service_for: ServiceFor
) -> None:
    s3 = aws["s3"]
    upload_like_deploy(s3, built)
    before = built.files()
    publisher = S3Publisher(BUCKET, aws["distribution"], region="us-east-1")
    writeback = WriteBack(content, TEMPLATES, store, publisher)
    assert sign(service_for([]), SLUG, 10) == TENTH

    published = writeback.refresh(SLUG)

    rendered = writeback.render([SLUG])
    changed = sorted(rel for rel, data in rendered.items() if before[rel] != data)
    assert published.paths == tuple(changed)
    assert {PAGE, "index.html", "feed.xml"} <= set(changed) and THANKS not in changed
    page = s3.head_object(Bucket=BUCKET, Key=PAGE)
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == PAGE_CACHE
    feed = s3.head_object(Bucket=BUCKET, Key="feed.xml")
    assert feed["ContentType"] == "application/atom+xml; charset=utf-8"
    body = s3.get_object(Bucket=BUCKET, Key=PAGE)["Body"].read()
    assert b"10 signatures reached" in body
    expected_urls = sorted({url for rel in changed for url in url_paths(rel)})
    assert {"/", "/index.html", f"/petitions/{SLUG}/", f"/{PAGE}", "/feed.xml"} <= set(
        expected_urls
    )
    assert invalidations(aws) == [expected_urls]
    assert published.invalidated == tuple(expected_urls)

    again = writeback.refresh(SLUG)
    assert again.paths == () and again.invalidation_id is None
    assert len(invalidations(aws)) == 1


def test_an_empty_bucket_gets_every_rendered_page_once(
    aws: dict[str, Any], store: Store, content: Content
) -> None:
    publisher = S3Publisher(BUCKET, region="us-east-1")  # no distribution: no invalidation
    writeback = WriteBack(content, TEMPLATES, store, publisher)
    first = writeback.refresh(SLUG)
    assert set(first.paths) == set(writeback.render([SLUG]))
    assert first.invalidation_id is None
    assert writeback.refresh(SLUG).paths == ()
    assert len(invalidations(aws)) == 0


def test_a_missing_bucket_is_an_error_naming_it_and_never_reaches_the_signer(
    aws: dict[str, Any],
    store: Store,
    content: Content,
    service_for: ServiceFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    publisher = S3Publisher("no-such-bucket", aws["distribution"], region="us-east-1")
    writeback = WriteBack(content, TEMPLATES, store, publisher)
    with pytest.raises(PublishError, match=r"s3://no-such-bucket/.*NoSuchBucket"):
        writeback.refresh(SLUG)

    caplog.set_level(logging.WARNING)
    with BackgroundWriteBack(writeback) as worker:
        assert sign(service_for([worker.hook]), SLUG, 10) == TENTH
        assert worker.wait(timeout=30)
    assert worker.failures == 1
    assert "write-back failed" in caplog.text and "no-such-bucket" in caplog.text
    assert "Person" not in caplog.text and "@example.net" not in caplog.text
    assert store.tally(SLUG).count == 10
    assert invalidations(aws) == []


def test_headers_and_urls_of_output_files() -> None:
    assert url_paths("index.html") == ["/", "/index.html"]
    assert url_paths("page/2/index.html") == ["/page/2/", "/page/2/index.html"]
    assert url_paths("feed.xml") == ["/feed.xml"]
    assert url_paths("petitions/kōwhai/index.html")[0] == "/petitions/k%C5%8Dwhai/"
    assert content_type("sitemap.xml") == "application/xml; charset=utf-8"
    assert content_type("assets/site.1a2b3c4d.css") == "text/css; charset=utf-8"
    assert cache_control("assets/site.1a2b3c4d.css") == "public, max-age=31536000, immutable"
    assert cache_control("petitions/x/index.html") == PAGE_CACHE

"""`build.py deploy`: the bucket ends up holding exactly the built site, with the right
headers, and CloudFront is told about changed pages only. Against moto (mock_aws)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from generator.commands.main import main
from generator.ship.deploy import DeployError, SiteSync, clients
from generator.writeback.publish import ASSET_CACHE, PAGE_CACHE

BUCKET = "petition-site-test"
SITE = {
    "index.html": "<!doctype html><title>Petitions</title>",
    "petitions/pool/index.html": "<!doctype html><title>Pool</title>",
    "petitions/library/index.html": "<!doctype html><title>Library</title>",
    "petitions/library/thanks/index.html": "<!doctype html><title>Thanks</title>",
    "404.html": "<!doctype html><title>Not found</title>",
    "feed.xml": "<feed/>",
    "sitemap.xml": "<urlset/>",
    "robots.txt": "User-agent: *\n",
    "assets/style.0123abcd.css": "body{margin:0}",
    "assets/sign.89abcdef.js": "void 0;",
}
HIDDEN = {".well-known-draft": "x", "petitions/.DS_Store": "x"}
DISTRIBUTION_CONFIG = {
    "CallerReference": "deploy-tests",
    "Comment": "",
    "Enabled": True,
    "Origins": {
        "Quantity": 1,
        "Items": [
            {
                "Id": "site",
                "DomainName": f"{BUCKET}.s3.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""},
            }
        ],
    },
    "DefaultCacheBehavior": {
        "TargetOriginId": "site",
        "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    },
}


@dataclass
class Aws:
    """moto's S3 and CloudFront, with one bucket and one distribution."""

    s3: Any
    cloudfront: Any
    distribution_id: str

    def sync(self, s3: Any = None) -> SiteSync:
        """A SiteSync to the test bucket and distribution."""
        return SiteSync(s3 or self.s3, BUCKET, self.cloudfront, self.distribution_id)

    def stored_keys(self) -> set[str]:
        """Every key in the bucket."""
        return {o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}

    def invalidations(self) -> list[list[str]]:
        """The paths of every invalidation made, oldest first."""
        listing = self.cloudfront.list_invalidations(DistributionId=self.distribution_id)
        items = sorted(listing["InvalidationList"].get("Items", []), key=lambda i: i["CreateTime"])
        batches = []
        for item in items:
            found = self.cloudfront.get_invalidation(
                DistributionId=self.distribution_id, Id=item["Id"]
            )
            batches.append(found["Invalidation"]["InvalidationBatch"]["Paths"]["Items"])
        return batches


@pytest.fixture
def aws() -> Iterator[Aws]:
    """Fresh mocked S3 and CloudFront."""
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        cloudfront = boto3.client("cloudfront", region_name="us-east-1")
        made = cloudfront.create_distribution(DistributionConfig=DISTRIBUTION_CONFIG)
        yield Aws(s3, cloudfront, made["Distribution"]["Id"])


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A built site's folder, with dotfiles that must never be uploaded."""
    root = tmp_path / "_site"
    for rel, text in {**SITE, **HIDDEN}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_a_first_deploy_uploads_every_file_with_its_type_and_cache_headers(
    aws: Aws, site: Path
) -> None:
    result = aws.sync().deploy(site)

    assert sorted(result.uploaded) == sorted(SITE)
    assert aws.stored_keys() == set(SITE)
    heads = {key: aws.s3.head_object(Bucket=BUCKET, Key=key) for key in SITE}
    assert heads["index.html"]["ContentType"] == "text/html; charset=utf-8"
    assert heads["petitions/pool/index.html"]["CacheControl"] == PAGE_CACHE
    assert PAGE_CACHE == "public, max-age=60, must-revalidate"
    assert heads["feed.xml"]["ContentType"] == "application/atom+xml; charset=utf-8"
    assert heads["sitemap.xml"]["ContentType"] == "application/xml; charset=utf-8"
    assert heads["robots.txt"]["ContentType"] == "text/plain; charset=utf-8"
    assert heads["assets/style.0123abcd.css"]["ContentType"] == "text/css; charset=utf-8"
    assert heads["assets/sign.89abcdef.js"]["ContentType"] == "text/javascript; charset=utf-8"
    for asset in ("assets/style.0123abcd.css", "assets/sign.89abcdef.js"):
        assert heads[asset]["CacheControl"] == "public, max-age=31536000, immutable" == ASSET_CACHE
    body = aws.s3.get_object(Bucket=BUCKET, Key="petitions/pool/index.html")["Body"].read()
    assert body == SITE["petitions/pool/index.html"].encode()


def test_a_first_deploy_invalidates_the_pages_only(aws: Aws, site: Path) -> None:
    result = aws.sync().deploy(site)

    assert aws.invalidations() == [result.invalidated]
    assert result.invalidated == [
        "/",
        "/404.html",
        "/index.html",
        "/petitions/library/",
        "/petitions/library/index.html",
        "/petitions/library/thanks/",
        "/petitions/library/thanks/index.html",
        "/petitions/pool/",
        "/petitions/pool/index.html",
    ]
    assert result.summary().startswith("deploy: 10 uploaded, 0 unchanged, 0 deleted; invalidated 9")


def test_a_second_deploy_of_the_same_site_uploads_and_invalidates_nothing(
    aws: Aws, site: Path
) -> None:
    aws.sync().deploy(site)
    before = aws.s3.head_object(Bucket=BUCKET, Key="index.html")["LastModified"]

    result = aws.sync().deploy(site)

    assert result.uploaded == [] and result.deleted == []
    assert result.unchanged == len(SITE)
    assert result.invalidation_id is None
    assert len(aws.invalidations()) == 1
    assert aws.s3.head_object(Bucket=BUCKET, Key="index.html")["LastModified"] == before
    assert result.summary() == "deploy: 0 uploaded, 10 unchanged, 0 deleted; nothing to invalidate"


def test_changing_one_page_uploads_it_and_invalidates_its_two_paths(aws: Aws, site: Path) -> None:
    aws.sync().deploy(site)
    (site / "petitions/pool/index.html").write_text("<!doctype html><title>Pool: 500</title>")

    result = aws.sync().deploy(site)

    assert result.uploaded == ["petitions/pool/index.html"]
    assert aws.invalidations()[-1] == ["/petitions/pool/", "/petitions/pool/index.html"]
    assert len(aws.invalidations()) == 2
    body = aws.s3.get_object(Bucket=BUCKET, Key="petitions/pool/index.html")["Body"].read()
    assert b"500" in body


def test_a_page_of_the_same_length_but_other_bytes_is_still_uploaded(aws: Aws, site: Path) -> None:
    aws.sync().deploy(site)
    (site / "index.html").write_text(SITE["index.html"].replace("Petitions", "Petitionz"))

    assert aws.sync().deploy(site).uploaded == ["index.html"]


def test_removing_a_page_deletes_it_and_invalidates_it(aws: Aws, site: Path) -> None:
    aws.sync().deploy(site)
    (site / "petitions/library/thanks/index.html").unlink()

    result = aws.sync().deploy(site)

    assert result.deleted == ["petitions/library/thanks/index.html"]
    assert "petitions/library/thanks/index.html" not in aws.stored_keys()
    assert aws.invalidations()[-1] == [
        "/petitions/library/thanks/",
        "/petitions/library/thanks/index.html",
    ]


def test_a_new_asset_replaces_the_old_without_any_invalidation(aws: Aws, site: Path) -> None:
    aws.sync().deploy(site)
    (site / "assets/style.0123abcd.css").rename(site / "assets/style.fedcba98.css")
    (site / "feed.xml").write_text("<feed><entry/></feed>")

    result = aws.sync().deploy(site)

    assert sorted(result.uploaded) == ["assets/style.fedcba98.css", "feed.xml"]
    assert result.deleted == ["assets/style.0123abcd.css"]
    assert result.invalidation_id is None
    assert len(aws.invalidations()) == 1


def test_files_put_by_another_tool_are_compared_by_their_etag(aws: Aws, site: Path) -> None:
    for key, text in SITE.items():  # no sha256 metadata, no headers
        aws.s3.put_object(Bucket=BUCKET, Key=key, Body=text.encode())

    result = aws.sync().deploy(site)

    assert result.uploaded == []


def test_everything_re_uploads_unchanged_files_to_fix_their_headers(aws: Aws, site: Path) -> None:
    aws.s3.put_object(Bucket=BUCKET, Key="robots.txt", Body=SITE["robots.txt"].encode())

    aws.sync().deploy(site, everything=True)

    head = aws.s3.head_object(Bucket=BUCKET, Key="robots.txt")
    assert head["CacheControl"] == PAGE_CACHE
    assert head["Metadata"]["sha256"]


def test_without_a_distribution_nothing_is_invalidated(aws: Aws, site: Path) -> None:
    result = SiteSync(aws.s3, BUCKET).deploy(site)

    assert len(result.uploaded) == len(SITE)
    assert result.invalidation_id is None
    assert aws.invalidations() == []


class RecordingS3:
    """An S3 client that records the keys put and fails on chosen ones."""

    def __init__(self, s3: Any, fail: frozenset[str] = frozenset()) -> None:
        self._s3, self._fail, self.put = s3, fail, []

    def put_object(self, **kwargs: Any) -> Any:
        """Record (or refuse) the put, then do it."""
        if kwargs["Key"] in self._fail:
            raise ClientError({"Error": {"Code": "AccessDenied"}}, "PutObject")
        self.put.append(kwargs["Key"])
        return self._s3.put_object(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._s3, name)


def test_assets_are_uploaded_before_the_pages_that_name_them(aws: Aws, site: Path) -> None:
    recording = RecordingS3(aws.s3)

    aws.sync(recording).deploy(site)

    pages = [i for i, key in enumerate(recording.put) if key.endswith(".html")]
    others = [i for i, key in enumerate(recording.put) if not key.endswith(".html")]
    assert len(recording.put) == len(SITE)
    assert max(others) < min(pages)


def test_a_failed_upload_is_reported_and_the_pages_that_did_change_are_invalidated(
    aws: Aws, site: Path
) -> None:
    aws.sync().deploy(site)
    (site / "index.html").write_text("<!doctype html><title>New</title>")
    (site / "petitions/pool/index.html").write_text("<!doctype html><title>New pool</title>")
    failing = RecordingS3(aws.s3, fail=frozenset({"petitions/pool/index.html"}))

    with pytest.raises(
        DeployError, match=rf"s3://{BUCKET}/petitions/pool/index.html: .*AccessDenied"
    ):
        aws.sync(failing).deploy(site)

    assert failing.put == ["index.html"]
    assert aws.invalidations()[-1] == ["/", "/index.html"]


def test_a_missing_bucket_is_named(aws: Aws, site: Path) -> None:
    with pytest.raises(DeployError, match=r"s3://no-such-bucket-here: cannot list .*NoSuchBucket"):
        SiteSync(aws.s3, "no-such-bucket-here").deploy(site)


def test_a_folder_without_a_build_is_refused(aws: Aws, tmp_path: Path) -> None:
    with pytest.raises(DeployError, match="no built site here"):
        aws.sync().deploy(tmp_path)


def test_the_command_line_deploys_and_prints_a_summary(
    aws: Aws, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "deploy",
        "--bucket",
        BUCKET,
        "--distribution",
        aws.distribution_id,
        "--site",
        str(site),
    ]

    assert main(argv) == 0
    assert main(argv) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("deploy: 10 uploaded, 0 unchanged, 0 deleted; invalidated 9 paths")
    assert lines[1] == "deploy: 0 uploaded, 10 unchanged, 0 deleted; nothing to invalidate"


def test_the_command_line_reports_a_missing_bucket(
    aws: Aws, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deploy", "--bucket", "no-such-bucket-here", "--site", str(site)]) == 1
    assert "error: s3://no-such-bucket-here: cannot list" in capsys.readouterr().err


def test_the_clients_honour_aws_endpoint_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")

    s3, cloudfront = clients()

    assert s3.meta.endpoint_url == "http://127.0.0.1:4566"
    assert cloudfront.meta.endpoint_url == "http://127.0.0.1:4566"


def _count(count: int, updated: str | None, goal: int = 1000) -> str:
    return json.dumps({"slug": "pool", "count": count, "goal": goal, "updated": updated})


def test_a_deploy_never_takes_a_live_count_file_back(aws: Aws, site: Path) -> None:
    count_file = site / "petitions/pool/count.json"
    count_file.write_text(_count(500, "2026-03-01T12:00:00+13:00"))
    aws.sync().deploy(site)
    live = _count(620, "2026-03-01T12:05:00+13:00")  # the counter moved it since the build
    aws.s3.put_object(Bucket=BUCKET, Key="petitions/pool/count.json", Body=live.encode())
    (site / "petitions/pool/index.html").write_text("<!doctype html><title>Pool: new text</title>")

    result = aws.sync().deploy(site)  # a build from before the counter's last write

    assert result.uploaded == ["petitions/pool/index.html"]
    body = aws.s3.get_object(Bucket=BUCKET, Key="petitions/pool/count.json")["Body"].read()
    assert json.loads(body)["count"] == 620


def test_a_deploy_replaces_a_count_file_as_new_as_the_live_one(aws: Aws, site: Path) -> None:
    count_file = site / "petitions/pool/count.json"
    count_file.write_text(_count(500, "2026-03-01T12:00:00+13:00"))
    aws.sync().deploy(site)
    count_file.write_text(_count(500, "2026-03-01T12:00:00+13:00", goal=2000))  # a new goal

    result = aws.sync().deploy(site)

    assert result.uploaded == ["petitions/pool/count.json"]
    head = aws.s3.head_object(Bucket=BUCKET, Key="petitions/pool/count.json")
    assert head["CacheControl"] == "public, max-age=5"


def test_a_deploy_keeps_the_public_logs_the_counter_wrote(aws: Aws, site: Path) -> None:
    aws.sync().deploy(site)
    live = ("petitions/pool/log/checkpoint", "petitions/pool/log/tile/0/000.p/3", "log/key.txt")
    for key in live:  # written by the aggregator, never by a build
        aws.s3.put_object(Bucket=BUCKET, Key=key, Body=b"live")
    aws.s3.put_object(Bucket=BUCKET, Key="petitions/gone/index.html", Body=b"old page")

    result = aws.sync().deploy(site)

    assert result.deleted == ["petitions/gone/index.html"]  # what the build dropped goes
    assert set(live) <= aws.stored_keys()  # the logs stay

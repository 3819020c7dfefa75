"""Uploading the built site: `python build.py deploy --bucket NAME [--distribution ID]`.

The bucket is made to hold exactly the output folder: files whose bytes differ from the
stored object (compared by the ETag, the MD5 of a single-part upload, or the `sha256`
metadata that generator.writeback.publish writes) are put with the Content-Type and Cache-Control
that generator.writeback.publish gives every file, objects the build no longer makes are deleted,
and one CloudFront invalidation lists only the HTML pages that changed or went away. The
write-back's S3 publisher uses the same headers and metadata, so the two never fight.
boto3 finds credentials and `AWS_ENDPOINT_URL` (a local S3-compatible server) itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from generator.errors import PetitionSiteError
from generator.render.countfile import COUNT_FILE
from generator.writeback.publish import (
    MAX_INVALIDATION_PATHS,
    cache_control,
    content_type,
    is_log_file,
    sha256,
    url_paths,
)

if TYPE_CHECKING:  # the boto3 stubs, for type checking only: nothing more is imported to run
    from mypy_boto3_cloudfront import CloudFrontClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectTypeDef

UPLOAD_THREADS = 8
DELETE_BATCH = 1000  # DeleteObjects takes at most this many keys
_NEVER = datetime.min.replace(tzinfo=UTC)


class DeployError(PetitionSiteError):
    """The site could not be uploaded; says which bucket, key or distribution and why."""


@dataclass
class Deployed:
    """What one deploy did."""

    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    invalidated: list[str] = field(default_factory=list)  # URL paths handed to CloudFront
    invalidation_id: str | None = None

    def summary(self) -> str:
        """One line for the console."""
        line = (
            f"deploy: {len(self.uploaded)} uploaded, {self.unchanged} unchanged, "
            f"{len(self.deleted)} deleted"
        )
        if self.invalidation_id:
            return f"{line}; invalidated {len(self.invalidated)} paths ({self.invalidation_id})"
        return f"{line}; nothing to invalidate"


def site_files(site: Path) -> dict[str, Path]:
    """The files to upload, by key (`petitions/x/index.html`); dotfiles are never uploaded."""
    if not (site / "index.html").is_file():
        raise DeployError(f"{site}: no built site here (no index.html); run a build first")
    files = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            files[rel.as_posix()] = path
    return files


def is_count_file(key: str) -> bool:
    """Whether an output path is a petition's count file (the counter rewrites it live)."""
    return PurePosixPath(key).name == COUNT_FILE


def count_updated(data: bytes) -> datetime:
    """When the counts in a count file were last moved (the earliest time for none)."""
    try:
        updated = json.loads(data).get("updated")
        return datetime.fromisoformat(updated) if updated else _NEVER
    except (ValueError, AttributeError, TypeError):
        return _NEVER  # not ours, or broken: replace it


def is_page(key: str) -> bool:
    """Whether a key is an HTML page, the only kind whose changes are invalidated."""
    return key.endswith(".html")


def clients() -> tuple[S3Client, CloudFrontClient]:
    """boto3 S3 and CloudFront clients with bounded retries; AWS_ENDPOINT_URL is honoured."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=5, read_timeout=30, retries={"max_attempts": 5, "mode": "standard"}
    )
    session = boto3.session.Session()
    return session.client("s3", config=config), session.client("cloudfront", config=config)


class SiteSync:
    """Makes one bucket hold exactly one output folder, and invalidates changed pages."""

    def __init__(
        self,
        s3: S3Client,
        bucket: str,
        cloudfront: CloudFrontClient | None = None,
        distribution_id: str | None = None,
    ) -> None:
        if not bucket:
            raise DeployError("deploy: no bucket name given")
        if distribution_id and cloudfront is None:
            raise DeployError(f"deploy: no CloudFront client for distribution {distribution_id}")
        self.s3, self.bucket = s3, bucket
        self.cloudfront, self.distribution_id = cloudfront, distribution_id or None

    def deploy(self, site: Path, *, everything: bool = False) -> Deployed:
        """Upload new and changed files, delete removed ones, then invalidate changed pages."""
        local = site_files(site)
        stored = self.stored()
        data = {key: path.read_bytes() for key, path in local.items()}
        changed = [k for k in local if everything or not self._same(k, data[k], stored.get(k))]
        # a count file the counter rewrote since this build stays: a deploy never takes a
        # count back (the counter keeps the file fresh from here)
        behind = [
            k for k in changed if k in stored and is_count_file(k) and self._behind(k, data[k])
        ]
        changed = [k for k in changed if k not in behind]
        # the public logs are written where counts are, never built: a deploy keeps them
        removed = sorted(k for k in set(stored) - set(local) if not is_log_file(k))
        result = Deployed(unchanged=len(local) - len(changed) - len(behind))
        failure: DeployError | None = None
        try:
            # assets first: an uploaded page never names an asset that is not there yet
            self._put_all([k for k in changed if not is_page(k)], data, result.uploaded)
            self._put_all([k for k in changed if is_page(k)], data, result.uploaded)
            self._delete(removed)
            result.deleted = removed
        except DeployError as exc:
            failure = exc
            exc.add_note(f"{len(result.uploaded)} files were uploaded before the failure")
        pages = [k for k in (*result.uploaded, *result.deleted) if is_page(k)]
        if pages and self.distribution_id:
            try:  # what did change must not stay stale, even after a failure
                result.invalidated, result.invalidation_id = self._invalidate(pages, data)
            except DeployError as also:
                if failure is None:
                    raise
                failure.add_note(str(also))
        if failure is not None:
            raise failure
        return result

    def stored(self) -> dict[str, ObjectTypeDef]:
        """Every object in the bucket, by key (its ListObjectsV2 entry)."""
        from botocore.exceptions import BotoCoreError, ClientError

        objects: dict[str, ObjectTypeDef] = {}
        try:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
                for entry in page.get("Contents", []):
                    objects[entry["Key"]] = entry
        except (ClientError, BotoCoreError) as exc:
            raise DeployError(
                f"s3://{self.bucket}: cannot list the bucket ({_reason(exc)})"
            ) from exc
        return objects

    def _same(self, key: str, data: bytes, entry: ObjectTypeDef | None) -> bool:
        if entry is None or entry.get("Size") != len(data):
            return False
        etag = str(entry.get("ETag", "")).strip('"')
        if "-" not in etag:  # a single-part upload's ETag is its MD5
            return etag == hashlib.md5(data, usedforsecurity=False).hexdigest()
        from botocore.exceptions import BotoCoreError, ClientError

        try:  # a multipart upload by another tool: our sha256 metadata, if it has one
            head = self.s3.head_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise DeployError(f"s3://{self.bucket}/{key}: cannot read ({_reason(exc)})") from exc
        return (head.get("Metadata") or {}).get("sha256") == sha256(data)

    def _behind(self, key: str, data: bytes) -> bool:
        """Whether the built count file is older than the live one (by their `updated`)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            live = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            raise DeployError(f"s3://{self.bucket}/{key}: cannot read ({_reason(exc)})") from exc
        return count_updated(data) < count_updated(live)

    def _put(self, key: str, data: bytes) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.s3.put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType=content_type(key),
                CacheControl=cache_control(key), Metadata={"sha256": sha256(data)},
            )  # fmt: skip
        except (ClientError, BotoCoreError) as exc:
            raise DeployError(f"s3://{self.bucket}/{key}: cannot upload ({_reason(exc)})") from exc
        return key

    def _put_all(self, keys: list[str], data: Mapping[str, bytes], done: list[str]) -> None:
        failures: list[DeployError] = []
        with ThreadPoolExecutor(max_workers=UPLOAD_THREADS) as pool:
            futures = [pool.submit(self._put, key, data[key]) for key in keys]
            for future in futures:
                try:
                    done.append(future.result())
                except DeployError as exc:
                    failures.append(exc)
        if failures:
            error = failures[0]
            if len(failures) > 1:
                error.add_note(f"and {len(failures) - 1} more uploads failed")
            raise error

    def _delete(self, keys: list[str]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start : start + DELETE_BATCH]
            where = f"s3://{self.bucket}"
            try:
                answer = self.s3.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )
            except (ClientError, BotoCoreError) as exc:
                raise DeployError(
                    f"{where}: cannot delete {len(batch)} objects ({_reason(exc)})"
                ) from exc
            errors = answer.get("Errors") or []
            if errors:
                first = errors[0]
                raise DeployError(
                    f"{where}/{first.get('Key')}: cannot delete ({first.get('Code')});"
                    f" {len(errors)} objects were not deleted"
                )

    def _invalidate(self, pages: Iterable[str], data: Mapping[str, bytes]) -> tuple[list[str], str]:
        from botocore.exceptions import BotoCoreError, ClientError

        keys = sorted(set(pages))
        paths = sorted({path for key in keys for path in url_paths(key)})
        if len(paths) > MAX_INVALIDATION_PATHS:
            paths = ["/*"]
        state = "\n".join(f"{k} {sha256(data[k]) if k in data else 'deleted'}" for k in keys)
        cloudfront, distribution = self.cloudfront, self.distribution_id
        assert cloudfront is not None and distribution is not None, "no distribution to invalidate"
        where = f"CloudFront distribution {distribution}"
        try:
            answer = cloudfront.create_invalidation(
                DistributionId=distribution,
                InvalidationBatch={
                    "Paths": {"Quantity": len(paths), "Items": paths},
                    "CallerReference": f"deploy-{sha256(state.encode())}",
                },
            )
        except (ClientError, BotoCoreError) as exc:
            raise DeployError(
                f"{where}: cannot invalidate {len(paths)} paths ({_reason(exc)})"
            ) from exc
        return paths, answer["Invalidation"]["Id"]


def _reason(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        return str(response.get("Error", {}).get("Code", "unknown"))
    return str(exc)

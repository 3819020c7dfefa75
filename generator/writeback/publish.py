"""Publishing rendered files: into the served output folder, or to S3 behind CloudFront.

A publisher takes output paths (`petitions/x/index.html`) with their bytes and puts only
the files whose bytes differ from what is already published, so publishing the same
pages twice changes nothing and invalidates nothing. S3 objects carry their sha256 in
metadata (`x-amz-meta-sha256`); objects uploaded by other tools are compared by ETag (the
MD5 of a single-part upload). CloudFront gets one invalidation per publish listing exactly
the changed URLs, with a CallerReference derived from those paths and bytes, so a retried
publish never creates a second invalidation.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

from generator.build.output import safe_relpath
from generator.errors import PetitionSiteError
from generator.log.tiles import CHECKPOINT  # the log's layout (no signing needed)
from generator.render.countfile import COUNT_CACHE, COUNT_FILE
from generator.render.pictures import VARIANT_NAME

if TYPE_CHECKING:  # types only: boto3 and botocore are imported when a publish needs them
    from botocore.config import Config
    from botocore.exceptions import ClientError
    from mypy_boto3_cloudfront import CloudFrontClient
    from mypy_boto3_s3 import S3Client

PAGE_CACHE = "public, max-age=60, must-revalidate"  # pages change when counts do
ASSET_CACHE = "public, max-age=31536000, immutable"  # assets/ names carry their hash
MAX_INVALIDATION_PATHS = 1000  # beyond this one wildcard path is cheaper and within limits
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",  # the open data's daily counts
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
}
_BINARY = "application/octet-stream"
_MISSING = frozenset({"404", "403", "NoSuchKey", "NotFound"})  # 403: no ListBucket right


class PublishError(PetitionSiteError):
    """Files could not be published; says where (folder or bucket and key) and why."""


@dataclass(frozen=True)
class Published:
    """What one publish did: the paths written and the CDN invalidation made, if any."""

    paths: tuple[str, ...] = ()
    invalidated: tuple[str, ...] = ()  # URL paths handed to the CDN
    invalidation_id: str | None = None


class Publisher(Protocol):
    """Puts rendered files where visitors get them, skipping files that are unchanged."""

    def publish(self, files: Mapping[str, bytes], invalidate: bool = True) -> Published:
        """Publish the files (output path -> bytes) whose bytes changed, and invalidate them
        in the CDN unless told not to; raises PublishError."""
        ...

    def read(self, rel: str) -> bytes | None:
        """The published bytes of an output path (None: nothing published there); raises
        PublishError when they cannot be read."""
        ...


def content_type(rel: str) -> str:
    """The Content-Type an output file is served with (the Atom feed as Atom)."""
    path = PurePosixPath(rel)
    if path.name == "feed.xml":
        return "application/atom+xml; charset=utf-8"
    if _in_petition_log(rel):  # a signed note, or binary tiles
        return "text/plain; charset=utf-8" if path.name == CHECKPOINT else _BINARY
    known = _TYPES.get(path.suffix.lower())
    return known or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


LOG_KEY_FILE = "log/key.txt"  # the public key of the logs' checkpoints, at a stable URL


def is_log_file(rel: str) -> bool:
    """Whether an output path is part of the public logs (a petition's tiles and checkpoint,
    the key: written where counts are, never by a build, never deleted by a deploy)."""
    return rel == LOG_KEY_FILE or _in_petition_log(rel)


def _in_petition_log(rel: str) -> bool:
    """Whether an output path is in a petition's log folder (its tiles or checkpoint)."""
    parts = PurePosixPath(rel).parts
    return len(parts) > 3 and parts[0] == "petitions" and parts[2] == "log"


def cache_control(rel: str) -> str:
    """The Cache-Control an output file is served with: long for assets, a picture's
    resized files (their names carry a hash of what they show) and a log's tiles (they never
    change), a minute for pages, a few seconds for count files and log checkpoints."""
    name = PurePosixPath(rel).name
    if rel.startswith("assets/") or VARIANT_NAME.fullmatch(name):
        return ASSET_CACHE
    if _in_petition_log(rel):
        return COUNT_CACHE if name == CHECKPOINT else ASSET_CACHE
    return COUNT_CACHE if name == COUNT_FILE else PAGE_CACHE


def url_paths(rel: str) -> list[str]:
    """URL paths a CDN may cache an output file under: `x/index.html` -> `/x/`, `/x/index.html`."""
    path = "/" + quote(rel, safe="/")
    if rel == "index.html" or rel.endswith("/index.html"):
        return [path.removesuffix("index.html"), path]
    return [path]


def sha256(data: bytes) -> str:
    """Hex sha256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


class FolderPublisher:
    """Publishes into a built output folder (the one `serve` serves), file by file, atomically."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)

    def publish(self, files: Mapping[str, bytes], invalidate: bool = True) -> Published:
        """Write each changed file through a temporary file and a rename; skip equal ones
        (there is no CDN to invalidate)."""
        if not self.out_dir.is_dir():
            raise PublishError(f"{self.out_dir}: no built site to publish into; run a build first")
        written = []
        for rel in sorted(files):
            path = self.out_dir / safe_relpath(rel)
            try:
                if path.is_file() and path.read_bytes() == files[rel]:
                    continue
                _write_atomically(path, files[rel])
            except OSError as exc:
                raise PublishError(f"{path}: cannot publish ({exc.strerror or exc})") from exc
            written.append(rel)
        return Published(tuple(written))

    def read(self, rel: str) -> bytes | None:
        """The file's bytes in the output folder, or None when there is none."""
        path = self.out_dir / safe_relpath(rel)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise PublishError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class S3Publisher:
    """Publishes to an S3 bucket (keys = output paths) and invalidates them in CloudFront.

    boto3 clients are created on first publish; `endpoint_url` (a local server) applies to
    both S3 and CloudFront. Without `distribution_id` nothing is invalidated.
    """

    def __init__(
        self,
        bucket: str,
        distribution_id: str | None = None,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
    ) -> None:
        if not bucket:
            raise PublishError("S3 publisher: no bucket name given")
        self.bucket = bucket
        self.distribution_id = distribution_id or None
        self.endpoint_url = endpoint_url
        self.region = region
        self._s3: S3Client | None = None
        self._cloudfront: CloudFrontClient | None = None

    def _s3_client(self) -> S3Client:
        if self._s3 is None:
            import boto3  # only a production write-back pays for boto3

            self._s3 = boto3.client(
                "s3", region_name=self.region, endpoint_url=self.endpoint_url, config=_config()
            )
        return self._s3

    def _cloudfront_client(self) -> CloudFrontClient:
        if self._cloudfront is None:
            import boto3

            self._cloudfront = boto3.client(
                "cloudfront",
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                config=_config(),
            )
        return self._cloudfront

    def publish(self, files: Mapping[str, bytes], invalidate: bool = True) -> Published:
        """Put each changed file, then invalidate the URLs of those put (even after a failure)
        unless told not to (count files and minute re-renders expire by themselves)."""
        distribution = self.distribution_id if invalidate else None
        changed = [rel for rel in sorted(files) if not self._same(safe_relpath(rel), files[rel])]
        written: list[str] = []
        failure: PublishError | None = None
        for rel in changed:
            try:
                self._put(rel, files[rel])
            except PublishError as exc:
                failure = exc
                break
            written.append(rel)
        if failure is not None:
            if written and distribution:
                try:  # what did change must not stay stale
                    self._invalidate(written, files)
                except PublishError as also:
                    failure.add_note(str(also))
            raise failure
        if not written or not distribution:
            return Published(tuple(written))
        paths, invalidation_id = self._invalidate(written, files)
        return Published(tuple(written), tuple(paths), invalidation_id)

    def read(self, rel: str) -> bytes | None:
        """The object's bytes, or None when the bucket has none under that key."""
        from botocore.exceptions import BotoCoreError, ClientError

        key = safe_relpath(rel)
        try:
            answer = self._s3_client().get_object(Bucket=self.bucket, Key=key)
            return answer["Body"].read()
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return None
            raise PublishError(f"{self._where(key)}: cannot read ({_code(exc)})") from exc
        except BotoCoreError as exc:
            raise PublishError(f"{self._where(key)}: cannot read ({exc})") from exc

    def _where(self, rel: str) -> str:
        return f"s3://{self.bucket}/{rel}"

    def _same(self, rel: str, data: bytes) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            head = self._s3_client().head_object(Bucket=self.bucket, Key=rel)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return False
            raise PublishError(f"{self._where(rel)}: cannot read ({_code(exc)})") from exc
        except BotoCoreError as exc:
            raise PublishError(f"{self._where(rel)}: cannot read ({exc})") from exc
        stored = (head.get("Metadata") or {}).get("sha256")
        if stored is not None:
            return stored == sha256(data)
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        return head.get("ETag", "").strip('"') == md5

    def _put(self, rel: str, data: bytes) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._s3_client().put_object(
                Bucket=self.bucket, Key=rel, Body=data, ContentType=content_type(rel),
                CacheControl=cache_control(rel), Metadata={"sha256": sha256(data)},
            )  # fmt: skip
        except ClientError as exc:
            raise PublishError(f"{self._where(rel)}: cannot publish ({_code(exc)})") from exc
        except BotoCoreError as exc:
            raise PublishError(f"{self._where(rel)}: cannot publish ({exc})") from exc

    def _invalidate(
        self, written: Sequence[str], files: Mapping[str, bytes]
    ) -> tuple[list[str], str]:
        from botocore.exceptions import BotoCoreError, ClientError

        paths = sorted({p for rel in written for p in url_paths(rel)})
        if len(paths) > MAX_INVALIDATION_PATHS:
            paths = ["/*"]
        reference = sha256("\n".join(f"{rel} {sha256(files[rel])}" for rel in written).encode())
        distribution = self.distribution_id
        assert distribution is not None, "invalidating without a distribution"
        where = f"CloudFront distribution {distribution}"
        try:
            answer = self._cloudfront_client().create_invalidation(
                DistributionId=distribution,
                InvalidationBatch={
                    "Paths": {"Quantity": len(paths), "Items": paths},
                    "CallerReference": f"writeback-{reference}",
                },
            )
        except ClientError as exc:
            raise PublishError(
                f"{where}: cannot invalidate {len(paths)} paths ({_code(exc)})"
            ) from exc
        except BotoCoreError as exc:
            raise PublishError(f"{where}: cannot invalidate {len(paths)} paths ({exc})") from exc
        return paths, answer["Invalidation"]["Id"]


def _config() -> Config:
    """The clients' timeouts and bounded retries."""
    from botocore.config import Config

    return Config(
        connect_timeout=5, read_timeout=20, retries={"max_attempts": 4, "mode": "standard"}
    )


def _code(exc: ClientError) -> str:
    """The error code of a botocore ClientError, e.g. 'NoSuchBucket'."""
    return str(exc.response.get("Error", {}).get("Code", "unknown"))

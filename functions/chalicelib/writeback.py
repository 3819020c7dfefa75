"""The write-back in Lambda: the hooks that invoke the write-back function asynchronously
(a milestone's re-render, the minute's re-render of moving counts), the count files the
aggregator and the refresh function keep fresh, and the write-back function's WriteBack,
each built once from the resolved settings."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from generator.counting.counter import MilestoneHook
from generator.model import Content, Milestone, Petition
from generator.signing.settings import SITE_BUCKET, Settings
from generator.store.base import Store
from generator.store.times import utc_now
from generator.writeback.refresh import WriteBack, handle_writeback_event

if TYPE_CHECKING:  # the boto3 stubs, for type checking only: nothing more is imported to run
    from mypy_boto3_lambda import LambdaClient

    from generator.writeback.fresh import Freshness, PageRefresh
    from generator.writeback.logs import LogPublisher
    from generator.writeback.publish import Publisher

log = logging.getLogger(__name__)


class _Invoker:
    """Invokes one Lambda function asynchronously; the client is created on the first call.
    A failed invocation is logged, never raised: the caller's work is done either way."""

    def __init__(self, function_name: str, region: str | None, endpoint_url: str | None) -> None:
        self.function_name = function_name
        self.region, self.endpoint_url = region, endpoint_url
        self._client: LambdaClient | None = None

    def _lambda(self) -> LambdaClient:
        if self._client is None:
            import boto3  # only an invocation pays for the Lambda client
            from botocore.config import Config

            config = Config(connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 2})
            self._client = boto3.client(
                "lambda", region_name=self.region, endpoint_url=self.endpoint_url, config=config
            )
        return self._client

    def __call__(self, payload: dict[str, Any], slugs: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._lambda().invoke(
                FunctionName=self.function_name,
                InvocationType="Event",
                Payload=json.dumps(payload).encode(),
            )
        except (ClientError, BotoCoreError) as exc:
            log.warning(
                "write-back not requested slug=%s function=%s: %s; the next build catches up",
                slugs,
                self.function_name,
                exc,
            )


def lambda_hook(
    function_name: str, *, region: str | None = None, endpoint_url: str | None = None
) -> MilestoneHook:
    """A milestone hook that invokes the write-back Lambda asynchronously with {"slug": ...}
    (its pages re-rendered and invalidated in the CDN). A failure is logged, never raised."""
    invoke = _Invoker(function_name, region, endpoint_url)

    def hook(petition: Petition, reached: tuple[Milestone, ...]) -> None:
        invoke({"slug": petition.slug}, petition.slug)

    return hook


def pages_hook(
    function_name: str, *, region: str | None = None, endpoint_url: str | None = None
) -> PageRefresh:
    """Re-render petitions' pages, at most once a minute each (Freshness claims the minute),
    by invoking the write-back Lambda asynchronously with {"slugs": [...], "invalidate":
    false}: the write-back function renders one batch at a time, so an older render never
    overwrites a newer, and pages already carry max-age=60, so nothing is invalidated."""
    invoke = _Invoker(function_name, region, endpoint_url)

    def refresh(slugs: list[str]) -> None:
        invoke({"slugs": list(slugs), "invalidate": False}, ",".join(slugs))

    return refresh


class LambdaWriteBack:
    """Write-back in a Lambda process: from the resolved settings, one WriteBack reused."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._writeback: WriteBack | None = None

    def hooks(self) -> list[MilestoneHook]:
        """The milestone hook invoking PETITION_WRITEBACK_FUNCTION, or none when it is unset."""
        name = self.settings.writeback_function()
        return [lambda_hook(name)] if name else []

    def publishes(self) -> bool:
        """Whether this process publishes a site (PETITION_SITE_BUCKET is set)."""
        return bool(self.settings.get(SITE_BUCKET))

    def freshness(
        self, content: Content, store: Store, clock: Callable[[], datetime] = utc_now
    ) -> Freshness:
        """Count files and the public logs put straight into PETITION_SITE_BUCKET (never
        invalidated: the CDN keeps them seconds) and pages re-rendered by
        PETITION_WRITEBACK_FUNCTION (none when it is unset); the aggregator's `counted` hook
        and the refresh function's `sweep`."""
        from generator.writeback.fresh import Freshness
        from generator.writeback.publish import S3Publisher

        name = self.settings.writeback_function()
        files = S3Publisher(self.settings.site_bucket())  # no distribution: never invalidated
        pages = pages_hook(name) if name else None
        return Freshness(
            content, store, files, pages, clock, logs=self._logs(content, store, files)
        )

    def _logs(self, content: Content, store: Store, files: Publisher) -> LogPublisher | None:
        """The public logs' publisher; None (logged) when their keys are not set, or not the
        ones site.yaml names: counting goes on, leaves are kept, publishing catches up once
        the keys are right."""
        from generator.errors import ConfigError
        from generator.writeback.logs import LogPublisher

        try:
            keys = self.settings.log_keys()
            return None if keys is None else LogPublisher(content.site, store, files, keys)
        except ConfigError as exc:
            log.error("the public logs are not published: %s", exc)
            return None

    def writeback(self, content: Content, store: Store) -> WriteBack:
        """The WriteBack publishing to PETITION_SITE_BUCKET (built once, then reused)."""
        current = self._writeback
        if current is not None and current.content is content and current.store is store:
            return current
        bucket = self.settings.site_bucket()
        templates = self.settings.templates_dir()
        from generator.writeback.publish import S3Publisher

        publisher = S3Publisher(bucket, self.settings.distribution())
        self._writeback = WriteBack(content, templates, store, publisher)
        return self._writeback

    def handle(self, event: Mapping[str, Any], content: Content, store: Store) -> dict[str, Any]:
        """Handle one write-back invocation with this process's WriteBack."""
        return handle_writeback_event(event, self.writeback(content, store))

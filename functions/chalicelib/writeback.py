"""The write-back in Lambda: the milestone hook that invokes the write-back function
asynchronously, and that function's WriteBack, built once from the resolved settings."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from generator.counting.counter import MilestoneHook
from generator.model import Content, Milestone, Petition
from generator.signing.settings import Settings
from generator.store.base import Store
from generator.writeback.refresh import WriteBack, handle_writeback_event

if TYPE_CHECKING:  # the boto3 stubs, for type checking only: nothing more is imported to run
    from mypy_boto3_lambda import LambdaClient

log = logging.getLogger(__name__)


def lambda_hook(
    function_name: str, *, region: str | None = None, endpoint_url: str | None = None
) -> MilestoneHook:
    """A milestone hook that invokes the write-back Lambda asynchronously with {"slug": ...}.

    The client is created on the first milestone. A failed invocation is logged, never raised.
    """
    clients: list[LambdaClient] = []

    def client() -> LambdaClient:
        if not clients:
            import boto3  # only a milestone pays for the Lambda client
            from botocore.config import Config

            config = Config(connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 2})
            clients.append(
                boto3.client("lambda", region_name=region, endpoint_url=endpoint_url, config=config)
            )
        return clients[0]

    def hook(petition: Petition, reached: tuple[Milestone, ...]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        payload = json.dumps({"slug": petition.slug}).encode()
        try:
            client().invoke(FunctionName=function_name, InvocationType="Event", Payload=payload)
        except (ClientError, BotoCoreError) as exc:
            log.warning(
                "write-back not requested slug=%s function=%s: %s; the next build catches up",
                petition.slug,
                function_name,
                exc,
            )

    return hook


class LambdaWriteBack:
    """Write-back in a Lambda process: from the resolved settings, one WriteBack reused."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._writeback: WriteBack | None = None

    def hooks(self) -> list[MilestoneHook]:
        """The milestone hook invoking PETITION_WRITEBACK_FUNCTION, or none when it is unset."""
        name = self.settings.writeback_function()
        return [lambda_hook(name)] if name else []

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

"""One DynamoDB table through the boto3 client API: the client, built on first use, and the
three calls every part of the store makes through it, with DynamoDB's errors read once.

The client is never built at import, so a Lambda cold start pays for it only when needed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError, NoRegionError

from generator.errors import ConfigError, StoreError
from generator.store.dynamodb_errors import RETRYABLE, code_of, reasons_of
from generator.store.dynamodb_items import Item
from generator.store.retry import Backoff, Retry, retrying

if TYPE_CHECKING:  # the boto3 stubs, for type checking only: nothing more is imported to run
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient

# Told why a transaction was cancelled (one reason per part): False for "the first
# condition failed" (a duplicate, nothing to delete), or raise Retry, RateLimited, StoreError.
OnCancel = Callable[[list[str], ClientError], bool]


class Table:
    """A DynamoDB table by name, reached through one lazily built, thread-safe client."""

    def __init__(
        self,
        name: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        backoff: Backoff | None = None,
        sdk_attempts: int = 3,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
    ) -> None:
        self.name = name
        self.region = region
        self.endpoint_url = endpoint_url
        self.backoff = backoff or Backoff()
        self._sdk_attempts = sdk_attempts
        self._timeouts = (connect_timeout, read_timeout)
        self._client: DynamoDBClient | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> DynamoDBClient:
        """The boto3 DynamoDB client, built on first use (thread-safe)."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._new_client()
        return self._client

    def _new_client(self) -> DynamoDBClient:
        import boto3  # only a DynamoDB store pays for importing boto3
        from botocore.config import Config

        connect_timeout, read_timeout = self._timeouts
        config = Config(
            retries={"mode": "standard", "max_attempts": self._sdk_attempts},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_pool_connections=32,
        )
        try:
            return boto3.session.Session().client(
                "dynamodb", region_name=self.region, endpoint_url=self.endpoint_url, config=config
            )
        except NoRegionError as exc:
            raise ConfigError(
                f"DynamoDB store {self.name!r}: no region; add ?region=… to the store URL"
                " or set AWS_REGION"
            ) from exc

    def streams(self) -> DynamoDBStreamsClient:
        """A new client of the table's stream (DynamoDB Streams), with the same timeouts."""
        import boto3
        from botocore.config import Config

        connect_timeout, read_timeout = self._timeouts
        config = Config(
            retries={"mode": "standard", "max_attempts": self._sdk_attempts},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            account_id_endpoint_mode="disabled",  # the regional endpoint: no account lookup
        )
        return boto3.session.Session().client(
            "dynamodbstreams", region_name=self.region, endpoint_url=self.endpoint_url,
            config=config,
        )  # fmt: skip

    def close(self) -> None:
        """Release the client's connections; a later call builds a new client."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def failure(self, what: str, exc: ClientError | BotoCoreError) -> StoreError:
        """The StoreError saying this table could not do `what`, and DynamoDB's reason."""
        reason = code_of(exc) if isinstance(exc, ClientError) else str(exc)
        if reason == "ResourceNotFoundException":
            reason += " (no such table: create it with `python build.py init-store`)"
        return StoreError(f"DynamoDB table {self.name!r}: could not {what}: {reason}")

    def cancelled(self, reasons: list[str], what: str) -> Retry | StoreError:
        """What a cancellation no caller expected means: Retry if any reason is transient."""
        retryable = sorted(set(reasons) & RETRYABLE)
        if retryable:
            return Retry("/".join(retryable))
        return StoreError(
            f"DynamoDB table {self.name!r}: could not {what}: transaction cancelled"
            f" ({', '.join(reasons) or 'no reason given'})"
        )

    def transact(
        self, parts: Sequence[TransactWriteItemTypeDef], token: str, what: str, on_cancel: OnCancel
    ) -> bool:
        """One TransactWriteItems attempt: True when it committed, else what `on_cancel` says.

        Throttling and contention outside a cancellation raise Retry; anything else a
        StoreError. `token` makes a retry after a lost answer "done" rather than a repeat.
        """
        try:
            self.client.transact_write_items(TransactItems=parts, ClientRequestToken=token)
        except ClientError as exc:
            code = code_of(exc)
            if code == "TransactionCanceledException":
                return on_cancel(reasons_of(exc), exc)
            if code in RETRYABLE:
                raise Retry(code) from exc
            raise self.failure(what, exc) from exc
        except BotoCoreError as exc:  # unreachable, timed out: botocore already retried
            raise self.failure(what, exc) from exc
        return True

    def get_items(self, keys: list[Item], what: str) -> list[Item]:
        """The items (at most 100) with these keys that exist, read strongly consistently."""
        found: list[Item] = []

        def attempt() -> None:
            nonlocal keys
            try:
                answer = self.client.batch_get_item(
                    RequestItems={self.name: {"Keys": keys, "ConsistentRead": True}}
                )
            except ClientError as exc:
                if code_of(exc) in RETRYABLE:
                    raise Retry(code_of(exc)) from exc
                raise self.failure(what, exc) from exc
            except BotoCoreError as exc:
                raise self.failure(what, exc) from exc
            found.extend(answer.get("Responses", {}).get(self.name, []))
            unprocessed = answer.get("UnprocessedKeys", {}).get(self.name)
            keys = unprocessed.get("Keys", []) if unprocessed is not None else []
            if keys:  # throttled part of the batch: ask again for just those keys
                raise Retry("UnprocessedKeys")

        retrying(attempt, self.backoff, f"DynamoDB table {self.name!r}: {what}")
        return found

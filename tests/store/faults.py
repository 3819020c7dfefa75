"""Make a boto3 client's calls fail on purpose, and count the requests it makes.

Both hook botocore's `before-call` event: a handler that returns a response stops the
call from being sent (as botocore's Stubber does), so the store sees exactly the error
DynamoDB would have answered.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.awsrequest import AWSResponse


class Fault:
    """Answers the first `times` calls of one operation with an error instead of sending them."""

    def __init__(
        self,
        code: str,
        times: int,
        reasons: tuple[str, ...] = (),
        status: int = 400,
        before: Callable[[dict[str, Any]], None] | None = None,
    ):
        self.code = code
        self.remaining = times
        self.reasons = reasons
        self.status = status
        self.before = before
        self.calls = 0

    def __call__(self, **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        self.calls += 1
        if self.remaining <= 0:
            return None
        self.remaining -= 1
        if self.before is not None:
            self.before(kwargs["params"])
        parsed: dict[str, Any] = {
            "Error": {"Code": self.code, "Message": "injected by the test"},
            "ResponseMetadata": {"HTTPStatusCode": self.status},
        }
        if self.reasons:
            parsed["CancellationReasons"] = [{"Code": r} for r in self.reasons]
        return AWSResponse("http://fault.invalid", self.status, {}, None), parsed


@contextmanager
def failing(client: Any, operation: str, fault: Fault) -> Iterator[Fault]:
    """`fault` answers `operation` on `client` for the duration of the block."""
    event = f"before-call.dynamodb.{operation}"
    client.meta.events.register(event, fault)
    try:
        yield fault
    finally:
        client.meta.events.unregister(event, fault)


@contextmanager
def counting(client: Any) -> Iterator[Counter[str]]:
    """Counts the API calls `client` makes in the block, by operation name."""
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    client.meta.events.register("before-call.dynamodb", count)
    try:
        yield calls
    finally:
        client.meta.events.unregister("before-call.dynamodb", count)


class _Body:
    """The raw body of a made-up HTTP answer, as botocore reads it."""

    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


@contextmanager
def throttled_on_the_wire(client: Any, operation: str, times: int) -> Iterator[list[str]]:
    """The first `times` requests of `operation` are answered ThrottlingException by "the
    server" (at `before-send`, so the SDK's own retries see and retry them, as they would
    DynamoDB's); yields the operations answered so."""
    answered: list[str] = []
    body = json.dumps(
        {"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", "message": "slow down"}
    ).encode()

    def answer(request: Any, **_: Any) -> AWSResponse | None:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        if len(answered) >= times or not target.endswith(f".{operation}"):
            return None
        answered.append(operation)
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault"}
        return AWSResponse(request.url, 400, headers, _Body(body))

    client.meta.events.register_first("before-send.dynamodb", answer)
    try:
        yield answered
    finally:
        client.meta.events.unregister("before-send.dynamodb", answer)

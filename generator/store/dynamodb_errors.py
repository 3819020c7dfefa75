"""Reading DynamoDB's errors: which are worth another try, and why a transaction was cancelled."""

from __future__ import annotations

import re

from botocore.exceptions import ClientError

# Worth another try: contention on an item, throttling, DynamoDB's own transient faults.
RETRYABLE = frozenset(
    {
        "TransactionConflict",
        "TransactionConflictException",
        "TransactionInProgressException",
        "ThrottlingError",
        "ThrottlingException",
        "ProvisionedThroughputExceeded",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
CHECK_FAILED = "ConditionalCheckFailed"


def code_of(exc: ClientError) -> str:
    """The error code DynamoDB answered with."""
    return exc.response.get("Error", {}).get("Code", "Unknown")


def reasons_of(exc: ClientError) -> list[str]:
    """The cancellation reason codes of a cancelled transaction, one per transaction item."""
    given = exc.response.get("CancellationReasons")
    if given:
        return [reason.get("Code", "None") for reason in given]
    # Some servers only say it in the message: "... reasons [ConditionalCheckFailed, None]".
    found = re.search(r"\[([^\]]*)\]", exc.response.get("Error", {}).get("Message", ""))
    return [part.strip() for part in found.group(1).split(",")] if found else []

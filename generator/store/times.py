"""Times as every store keeps them: UTC ISO 8601 strings that sort like the instants they name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> datetime:
    """The current time, aware, in UTC (the stores' default clock)."""
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """`moment` as fixed-width UTC text (`2017-04-20T06:05:41.000000Z`) that sorts as time does."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC).strftime(_FORMAT)


def from_iso(text: str) -> datetime:
    """The aware UTC datetime a stored string names (accepts `Z` or `+00:00` endings)."""
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"stored time {text!r} has no UTC offset")
    return moment.astimezone(UTC)


def minute_key(moment: datetime) -> str:
    """The calendar minute (UTC) `moment` falls in, as `YYYYMMDDHHMM` (the rate-limit window)."""
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M")


def seconds_to_next_minute(moment: datetime) -> int:
    """Whole seconds from `moment` to the start of the next UTC minute, between 1 and 60."""
    start = moment.astimezone(UTC).replace(second=0, microsecond=0)
    left = (start + timedelta(minutes=1) - moment).total_seconds()
    return max(1, min(60, int(-(-left // 1))))

"""The aggregator function: a batch of the signatures table's stream, counted once.

Lambda hands the function up to a thousand stream records of one shard, in order. They
become one Feed whose id is derived from the records themselves, so the batch Lambda hands
again after a failure (the same records) finds its marker and counts nothing twice. Any
failure raises: Lambda then retries that same batch, and the shard waits for it (the event
source never bisects a batch: infra/stack.json says why). The refresh function's sweep is
here too: the trailing edge of what the aggregator writes at most once a second or minute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from generator.store.base import Feed

if TYPE_CHECKING:  # the API function imports app.py too: it must not pay for these
    from generator.counting.counter import Counter
    from generator.writeback.fresh import Freshness


def feed_of(records: Sequence[Mapping[str, Any]]) -> Feed:
    """The counter's batch from Lambda's stream records (those that move no count left out)."""
    from generator.store.dynamodb_stream import batch_id, changes_of  # botocore: here only

    return Feed(batch_id(records), changes_of(records))


def count_batch(records: Sequence[Mapping[str, Any]], counter: Counter) -> dict[str, Any]:
    """Apply one batch of stream records to the counts; what was done (ids and numbers only).
    A batch applied before (Lambda's retry after a timeout) changes nothing."""
    feed = feed_of(records)
    updates = counter.apply(feed) if feed.changes else []
    return {
        "batch": feed.batch,
        "records": len(records),
        "changes": len(feed.changes),
        "petitions": sorted(u.slug for u in updates),
        "milestones": {u.slug: [m.count for m in u.reached] for u in updates if u.reached},
    }


def sweep(freshness: Freshness) -> dict[str, Any]:
    """Write the count files and request the pages of petitions whose counts moved since
    they were last written (the trailing edge of a burst)."""
    freshness.sweep()
    return {"swept": len(freshness.content.petitions)}

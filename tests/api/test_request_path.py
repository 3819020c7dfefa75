"""The request path never reads or scans the table.

On DynamoDB a new signature is one conditional write (a PutItem, or a TransactWriteItems of
the signature and the client's rate counter while the in-store limit is on) and a
confirmation one conditional UpdateItem; what was stored before comes back from the write
itself. Counting happens downstream, from the table's stream (as Lambda's aggregator does),
so here nothing counts on the request path (`after_write=None`). The counts answers show
come from the process's cache, read at most once a second: with its clock standing still,
once. botocore's own event hook sees every call the store's client makes.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from moto import mock_aws

from generator.signing.settings import Settings
from generator.signing.tallies import TallyCache
from generator.store import dynamodb_items as items
from generator.store.dynamodb import DynamoStore
from tests.support.counting import count_now

from .support import NOW, Api, Outbox, make_content, make_site, signing_app

SIGNERS = 200
CONFIRMING = 50
SLUG = "fresh"  # nothing imported


@pytest.fixture
def store() -> Iterator[DynamoStore]:
    """DynamoDB on moto only (this module's store, in place of the conftest's of each kind)."""
    with mock_aws():
        opened = DynamoStore("petitions-test", region="us-east-1", clock=lambda: NOW)
        opened.init()
        yield opened
        opened.close()


class Calls:
    """Every operation the store's DynamoDB client calls, in order, and the keys GetItem read."""

    def __init__(self, store: DynamoStore) -> None:
        self.names: list[str] = []
        self.got: list[dict[str, Any]] = []
        store.client.meta.events.register("before-call.dynamodb", self._record)

    def _record(self, model: Any, params: dict[str, Any], **kwargs: Any) -> None:
        self.names.append(model.name)
        if model.name == "GetItem":
            self.got.append(json.loads(params["body"])["Key"])

    def take(self) -> collections.Counter[str]:
        """The operations called since the last take, by name (how many of each)."""
        taken = collections.Counter(self.names)
        self.names.clear()
        return taken


def settings(env: dict[str, str], rate_limit: int) -> Settings:
    return Settings.from_environ({**env, "PETITION_RATE_LIMIT": str(rate_limit)})


def still_cache(store: DynamoStore) -> None:
    """The service's count cache with a clock that stands still: what it read, it keeps."""
    service = signing_app().runtime.service()
    service.tallies = TallyCache(store, clock=lambda: 0.0)


def confirm(api: Api, link: str) -> Any:
    body = json.dumps({"choice": "confirm"}).encode()
    return api.client.http.post(link, headers={"Content-Type": "application/json"}, body=body)


@pytest.mark.parametrize(
    ("rate_limit", "write"),
    [(0, "PutItem"), (1000, "TransactWriteItems")],
    ids=["no-limit", "limit"],
)
def test_with_confirmation_signing_and_confirming_only_write(
    api: Api,
    store: DynamoStore,
    configure: Callable[..., None],
    env: dict[str, str],
    rate_limit: int,
    write: str,
) -> None:
    outbox = Outbox()
    content = make_content(make_site(confirmation="required"))
    configure(content=content, settings=settings(env, rate_limit), mailer=outbox, after_write=None)
    still_cache(store)
    calls = Calls(store)

    signed = [api.sign(SLUG, email=f"signer{n}@example.org") for n in range(SIGNERS)]
    signing = calls.take()
    again = [api.sign(SLUG, email=f"SIGNER{n}@example.org") for n in range(10)]
    duplicates = calls.take()
    confirmed = [confirm(api, link) for link in outbox.links()[:CONFIRMING]]
    confirming = calls.take()

    assert {answer.status_code for answer in signed + again} == {202}
    assert signing == {write: SIGNERS}  # no read: this answer shows no count
    assert duplicates == {write: 10}  # what is stored comes back with the refusal
    assert [json.loads(a.body)["outcome"] for a in confirmed] == ["confirmed"] * CONFIRMING
    # One conditional write each; the answers' count is the process's cache (one read a
    # second at most; here its clock stands still), of the count item, never a signature.
    assert confirming == {"UpdateItem": CONFIRMING, "GetItem": 1}
    assert calls.got == [items.count_key(SLUG)]
    count_now(store, content)  # downstream, from the stream
    tally = store.tally(SLUG)
    assert (tally.count, tally.pending) == (CONFIRMING, SIGNERS - CONFIRMING)


@pytest.mark.parametrize(
    ("rate_limit", "write"),
    [(0, "PutItem"), (1000, "TransactWriteItems")],
    ids=["no-limit", "limit"],
)
def test_without_confirmation_a_burst_reads_the_count_once(
    api: Api,
    store: DynamoStore,
    configure: Callable[..., None],
    env: dict[str, str],
    rate_limit: int,
    write: str,
) -> None:
    configure(settings=settings(env, rate_limit), after_write=None)  # confirmation off
    still_cache(store)
    calls = Calls(store)

    answers = [api.sign(SLUG, email=f"signer{n}@example.org") for n in range(SIGNERS)]

    assert {answer.status_code for answer in answers} == {201}
    assert calls.take() == {write: SIGNERS, "GetItem": 1}
    assert calls.got == [items.count_key(SLUG)]  # the count item, never a signature
    count_now(store)
    assert store.tally(SLUG).count == SIGNERS

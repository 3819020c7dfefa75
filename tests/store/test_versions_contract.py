"""The store contract, continued: what each signer signed. A signature keeps the text version
it was made on; the change feed carries it; the counter totals counted signatures by
version, with the time each version's first one counted (what a page's "N people signed an
earlier version" and the history of its text come from), under the same once-only guarantee
as the count; whatever uncounts a signature takes it off its version. Same `store` fixture
as test_contract.py: SQLite, DynamoDB on moto and DynamoDB Local."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from generator.counting.counter import Counter
from generator.model import Tally
from generator.store.base import PENDING, Signature, Store
from tests.store.helpers import START, counted, ladder, signature
from tests.support.counting import source_of

SLUG = "save-the-park"
FIRST, SECOND = "0123456789ab", "ba9876543210"
LATER = datetime.now(UTC) + timedelta(days=30)  # after the real clock: DynamoDB Local's TTL


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def signed(number: int, version: str, **fields: object) -> Signature:
    """The n-th signer's signature of `version`, at START + n seconds."""
    return signature(number, version=version, **fields)


def versions(tally: Tally) -> tuple[dict[str, int], dict[str, datetime]]:
    return dict(tally.by_version), dict(tally.version_seen)


def test_a_signature_keeps_its_version_and_the_feed_carries_it(store: Store) -> None:
    store.sign(signed(1, FIRST))
    store.sign(signature(2))  # from before versions were kept

    assert [s.version for s in store.signatures(SLUG)] == [FIRST, ""]
    feed = source_of(store).read()
    assert feed is not None
    assert [c.version for c in feed.changes] == [FIRST, ""]
    source_of(store).done(feed)


def test_counted_signatures_are_totalled_by_version_with_when_each_first_counted(
    store: Store,
) -> None:
    for n in (1, 2, 3):
        store.sign(signed(n, FIRST))
    store.sign(signed(4, SECOND))
    store.sign(signature(5))  # no version: in the count, in no version
    waiting = replace(signed(6, SECOND), state=PENDING, id="id6", confirmed_at=None,
                      expires_at=LATER)  # fmt: skip
    store.sign(waiting)

    tally = counted(store).tally(SLUG)

    assert (tally.count, tally.pending) == (5, 1)
    assert versions(tally) == ({FIRST: 3, SECOND: 1}, {FIRST: at(1), SECOND: at(4)})
    assert versions(store.counts([SLUG])[SLUG]) == versions(tally)  # read by key too

    store.confirm(SLUG, waiting.email_key, waiting.id, at(60))
    later = counted(store).tally(SLUG)
    assert versions(later) == ({FIRST: 3, SECOND: 2}, {FIRST: at(1), SECOND: at(4)})


def test_a_version_first_counted_in_a_later_batch_keeps_its_first_time(store: Store) -> None:
    store.sign(signed(1, SECOND))
    counted(store)
    store.sign(signed(2, SECOND))
    store.sign(signed(3, FIRST))

    assert versions(counted(store).tally(SLUG)) == (
        {FIRST: 1, SECOND: 2},
        {FIRST: at(3), SECOND: at(1)},
    )


def test_reject_and_forget_take_a_signature_off_its_version(store: Store) -> None:
    store.sign(signed(1, FIRST))
    store.sign(signed(2, FIRST))
    store.sign(signed(3, SECOND))
    counted(store)

    store.forget(signature(1).email_key, [SLUG])
    store.forget(signature(3).email_key, [SLUG])
    tally = counted(store).tally(SLUG)

    assert tally.count == 1
    assert versions(tally) == ({FIRST: 1}, {FIRST: at(1), SECOND: at(3)})  # seen stays


def test_a_batch_applied_twice_moves_the_versions_once(store: Store) -> None:
    for n in (1, 2):
        store.sign(signed(n, FIRST))
    feed = source_of(store).read()
    assert feed is not None
    counter = Counter(ladder(5), store)

    assert counter.apply(feed) != []
    assert counter.apply(feed) == []
    source_of(store).done(feed)

    assert dict(counted(store).tally(SLUG).by_version) == {FIRST: 2}

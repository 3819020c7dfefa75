"""DynamoDB Local killed (SIGKILL) and restarted on its folder in the middle of a load run,
while a counter reads the table's stream on a thread of its own (as `serve` does).

While it is down, signing answers 503 with Retry-After and the clients try again, and the
counter tries again on its next round; once it is back, every signer that was ever answered
201 is stored, each once, the count equals the stored signatures, and each milestone is
recorded once at the time of the signature that reached it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from generator.store.dynamodb import DynamoStore
from generator.store.retry import Backoff
from tests.support.eventually import eventually

from .dynamo_process import KillableDynamoDB
from .harness import BACKGROUND, LOAD_SLUG, assert_reached_in_time_order, make_site, serving
from .loadgen import LoadResult, email_of, plan, run_load

pytestmark = pytest.mark.load

SIGNERS = 600
LADDER = (10, 100, 250, 500)
KILL_AT = 200  # stored signatures when the server is killed


def wait_for_count(store: DynamoStore, at_least: int, timeout: float = 60.0) -> int:
    """The stored count once it reaches `at_least`; AssertionError after `timeout` seconds."""

    def reached() -> int | None:
        count = store.tally(LOAD_SLUG).count
        return count if count >= at_least else None

    return eventually(
        reached,
        timeout,
        message=lambda: f"{at_least} signatures stored (only {store.tally(LOAD_SLUG).count})",
    )


@pytest.mark.dynamodb_local
def test_killing_dynamodb_local_mid_load_loses_no_acknowledged_signature(tmp_path: Path) -> None:
    work = make_site(tmp_path / "site", ladder=LADDER)
    server = KillableDynamoDB(tmp_path / "dynamodb")
    server.start()
    store = DynamoStore(
        "restart-test",
        region="us-east-1",
        endpoint_url=server.endpoint,
        sdk_attempts=1,
        connect_timeout=0.5,
        read_timeout=2.0,
        backoff=Backoff(attempts=3, base=0.01, cap=0.05, budget=1.0),
    )
    try:
        store.init()
        outcome: list[LoadResult] = []
        with serving(work, store, counting=BACKGROUND) as site:
            jobs = plan(SIGNERS, duplicates=40, retries=20)
            load = threading.Thread(
                target=lambda: outcome.append(
                    run_load(site.url, LOAD_SLUG, jobs, 50, timeout=10, pause=0.1, tries=600)
                )
            )
            load.start()
            stored_before_kill = wait_for_count(store, KILL_AT)
            server.kill()
            time.sleep(0.5)  # clients meet the outage
            server.start()  # same port, same folder
            load.join(120)
            assert not load.is_alive(), "the load did not finish after the restart"
            site.count()  # the counter's next round: all that is on the stream now
            assert site.writeback.wait(30)
            won = dict(site.won)
        result = outcome[0]

        assert result.unfinished == []
        assert set(result.statuses) <= {201, 503}, result.statuses  # 503: "try again", no other
        assert result.statuses[503] > 0, "the clients never saw the outage"
        assert result.acknowledged == set(range(SIGNERS))
        stored = [s.email.strip().lower() for s in store.signatures(LOAD_SLUG)]
        assert sorted(stored) == sorted(email_of(n) for n in range(SIGNERS))
        assert store.tally(LOAD_SLUG).count == len(stored) == SIGNERS
        assert stored_before_kill >= KILL_AT
        # counted in rounds while signers were in flight (50 clients, 20 abandoned sends)
        assert_reached_in_time_order(store, LOAD_SLUG, LADDER, in_flight=70)
        assert won == {(LOAD_SLUG, m): 1 for m in LADDER}
    finally:
        store.close()
        server.close()

"""The background worker: requests coalesce, failures are survived, close() drains the queue."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

import pytest

from generator.model import Content
from generator.store.base import Store
from generator.writeback.publish import Published, PublishError
from generator.writeback.refresh import WriteBack
from generator.writeback.worker import BackgroundWriteBack
from tests.support.fixture_site import WON

from .support import OTHER, SLUG, TEMPLATES

THIRD = WON


class Recorder:
    """A publisher that records which petitions' pages each publish carried.

    With `gate`, the first publish waits until the gate opens; with `fail`, the first raises.
    """

    def __init__(self, gate: threading.Event | None = None, fail: bool = False) -> None:
        self.gate, self.fail = gate, fail
        self.started = threading.Event()
        self.rounds: list[set[str]] = []

    def publish(self, files: Mapping[str, bytes], invalidate: bool = True) -> Published:
        """Record the petitions in `files`; block or fail on the first call when asked to."""
        first = not self.rounds
        self.rounds.append({rel.split("/")[1] for rel in files if rel.startswith("petitions/")})
        self.started.set()
        if first and self.gate is not None:
            assert self.gate.wait(timeout=30)
        if first and self.fail:
            raise PublishError("s3://nowhere/index.html: cannot publish (NoSuchBucket)")
        return Published(tuple(sorted(files)))


def test_requests_waiting_together_are_coalesced_into_one_round(
    content: Content, store: Store
) -> None:
    gate = threading.Event()
    recorder = Recorder(gate=gate)
    with BackgroundWriteBack(WriteBack(content, TEMPLATES, store, recorder)) as worker:
        worker.request(SLUG)
        assert recorder.started.wait(timeout=30)  # the first round is publishing
        for slug in (SLUG, OTHER, SLUG, OTHER, SLUG):
            worker.request(slug)
        gate.set()
        assert worker.wait(timeout=30)
    assert recorder.rounds == [{SLUG}, {SLUG, OTHER}]
    assert worker.refreshes == 2


def test_close_finishes_what_is_queued_then_refuses_more(
    content: Content, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    gate = threading.Event()
    recorder = Recorder(gate=gate)
    worker = BackgroundWriteBack(WriteBack(content, TEMPLATES, store, recorder))
    worker.request(SLUG)
    assert recorder.started.wait(timeout=30)
    worker.request(OTHER)
    worker.request(THIRD)
    gate.set()
    worker.close(timeout=30)
    assert recorder.rounds == [{SLUG}, {OTHER, THIRD}]
    caplog.set_level(logging.WARNING)
    worker.request(SLUG)  # after close: logged, never raised
    assert f"write-back closed; slug={SLUG}" in caplog.text
    assert len(recorder.rounds) == 2


def test_a_failed_round_is_logged_and_the_worker_goes_on(
    content: Content, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    recorder = Recorder(fail=True)
    with BackgroundWriteBack(WriteBack(content, TEMPLATES, store, recorder)) as worker:
        worker.request(SLUG)
        assert worker.wait(timeout=30)
        worker.request(OTHER)
        assert worker.wait(timeout=30)
    assert worker.failures == 1 and worker.refreshes == 2
    assert recorder.rounds == [{SLUG}, {OTHER}]
    assert f"write-back failed slugs={SLUG}" in caplog.text
    assert "NoSuchBucket" in caplog.text


def test_an_unknown_slug_is_a_logged_failure(
    content: Content, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    recorder = Recorder()
    with BackgroundWriteBack(WriteBack(content, TEMPLATES, store, recorder)) as worker:
        worker.request("no-such-petition")
        assert worker.wait(timeout=30)
    assert worker.failures == 1 and recorder.rounds == []
    assert "no petition 'no-such-petition'" in caplog.text

"""The app in-process with every log record kept: no error or log line names a signer.

`serve` logs warnings only; here everything down to DEBUG is captured, including the
failures a running server rarely shows (store down, settings missing, a failing hook).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from generator.model import Milestone, Petition
from generator.signing.settings import Settings
from generator.store import open_store
from generator.store.sqlite import SqliteStore
from tests.api.support import FUNCTIONS, NOW, SECRET, Api, Clock, make_content, signing_app
from tests.privacy.markers import EMAIL, EMAIL_MARKERS, NAME, NAME_MARKERS, found_in, register
from tests.support.counting import counting_inline

MARKERS = (*NAME_MARKERS, *EMAIL_MARKERS)
ME = {"name": NAME, "email": EMAIL, "postcode": "6011", "consent": True}


def failing_hook(petition: Petition, reached: tuple[Milestone, ...]) -> None:
    """A milestone hook that fails, as a publish to S3 might."""
    raise RuntimeError(f"could not publish {petition.slug}")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[Api, Any]]:
    """The real app on a fresh SQLite store, counting each write at once with a failing
    milestone hook, and its runtime."""
    register(NAME, EMAIL, *NAME_MARKERS)
    store = open_store(f"sqlite:///{tmp_path}/signatures.db")
    runtime = signing_app().runtime
    content = make_content()
    runtime.configure(
        content=content, store=store,
        settings=Settings.from_environ({"PETITION_SECRET": SECRET}),
        clock=Clock(NOW), on_milestone=[failing_hook],
        after_write=counting_inline(store, content, [failing_hook]),  # counted at once
    )  # fmt: skip
    yield Api(Client(signing_app().app, stage_name="api", project_dir=str(FUNCTIONS))), runtime
    runtime.reset()
    store.close()


def test_no_log_line_or_answer_names_the_signer_whatever_happens(
    app: tuple[Api, Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    api, runtime = app
    caplog.set_level(logging.DEBUG)
    answers = [
        api.sign("open", ME),  # reaches the milestone of 10; the hook fails and is logged
        api.sign("open", {**ME, "email": EMAIL.upper()}),
        api.sign("open", {**ME, "email": EMAIL + ".."}, form=True),
        api.sign("open", {**ME, "comment": NAME * 100}),
        api.sign("open", {**ME, EMAIL: NAME}),
        api.sign("closed", ME),
        api.sign("won", ME, form=True),
        api.sign("nowhere", ME),
        api.post_raw("open", f"{NAME} {EMAIL}".encode(), {"Content-Type": "text/csv"}),
        api.post_raw("open", NAME.encode() * 2000, {"Content-Type": "application/json"}),
    ]
    answers += [
        api.sign("fresh", {**ME, "email": f"zzyzx.privacy{i}@example.org"}) for i in range(6)
    ]
    folder = tmp_path / "not-a-database"
    folder.mkdir()
    runtime.configure(content=make_content(), store=SqliteStore(folder), clock=Clock(NOW),
                      settings=Settings.from_environ({"PETITION_SECRET": SECRET}))  # fmt: skip
    answers.append(api.sign("fresh", ME))
    runtime.configure(
        content=make_content(), store=SqliteStore(folder), settings=Settings.from_environ({})
    )
    answers.append(api.sign("fresh", ME, form=True))

    statuses = [a.status_code for a in answers]
    # the limit is 5 a minute per client: the first signature and four on "fresh", then 429
    assert statuses == [
        201,
        201,
        400,
        400,
        400,
        409,
        409,
        404,
        415,
        413,
        *[201] * 4,
        429,
        429,
        503,
        503,
    ]
    assert answers[0].json_body == {"count": 10, "goal": 25, "milestone": None}
    messages = caplog.text
    assert "milestone reached slug=open count=10" in messages  # the counter's
    assert "counter hook failed" in messages and "could not publish open" in messages
    assert "could not open" in messages or "unable to open" in messages  # the store failure
    assert "PETITION_SECRET is not set" in messages
    assert found_in(messages, MARKERS) == []
    for answer in answers:
        headers = "\n".join(f"{k}: {v}" for k, v in answer.headers.items())
        assert found_in(answer.body or b"", MARKERS) == [], answer.status_code
        assert found_in(headers, MARKERS) == []

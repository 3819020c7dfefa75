"""Deleting means deleted: `anonymise` removes signers' details once a petition has been closed
longer than `retention_days`, and `rekey` gives stores written before canonical mailboxes
one key per person (merging the duplicates that were counted twice)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from chalice.test import Client

from generator.content.loading import load_content
from generator.signing.settings import Settings
from generator.store.base import Signature
from tests.api.support import FUNCTIONS, signing_app
from tests.privacy.conftest import SECRET, START, Project
from tests.support.fixture_site import BARE, CLOSED, OPEN, WON


def test_anonymise_clears_closed_petitions_past_retention_and_keeps_counts(
    project: Project,
) -> None:
    for slug in (OPEN, WON, CLOSED):
        project.sign(slug, "Ada Lovelace", "ada@example.org", postcode="6011", country="NZ")
        project.sign(slug, "Grace Hopper", "grace@example.org", minutes=1)
    project.count()
    before = {slug: project.store.tally(slug) for slug in (OPEN, WON, CLOSED)}
    assert {tally.count for tally in before.values()} == {2}

    run = project.run("anonymise")
    project.count()  # blanking names moves no count

    assert run.status == 0, run.err
    assert f"{CLOSED}: closed 2023-05-31: 2 signature(s) anonymised" in run.out
    assert f"{WON}: closed 2024-06-01: 2 signature(s) anonymised" in run.out  # last signature
    assert f"{OPEN}: open: kept" in run.out
    for slug in (WON, CLOSED):
        kept = list(project.store.signatures(slug))
        assert [(s.name, s.email, s.postcode) for s in kept] == [("", "", "")] * 2
        assert [s.country for s in kept] == ["NZ", ""]
    assert [s.name for s in project.store.signatures(OPEN)] == ["Ada Lovelace", "Grace Hopper"]
    assert {slug: project.store.tally(slug) for slug in (OPEN, WON, CLOSED)} == before
    assert "Ada" not in run.out + run.err and "example.org" not in run.out + run.err


def test_anonymise_waits_for_the_retention_period(project: Project) -> None:
    site = Path("content/site.yaml")
    site.write_text(site.read_text() + "retention_days: 100000\n")
    project.sign(CLOSED, "Ada Lovelace", "ada@example.org")

    run = project.run("anonymise")

    assert f"{CLOSED}: closed 2023-05-31: kept until 100000 days after" in run.out
    assert [s.name for s in project.store.signatures(CLOSED)] == ["Ada Lovelace"]


def test_a_dry_run_names_what_is_due_and_changes_nothing(project: Project) -> None:
    project.sign(CLOSED, "Ada Lovelace", "ada@example.org")

    run = project.run("anonymise", "--dry-run")

    assert f"{CLOSED}: closed 2023-05-31: due (dry run, nothing changed)" in run.out
    assert [s.name for s in project.store.signatures(CLOSED)] == ["Ada Lovelace"]


def _old_key(email: str) -> str:
    """The key signing used before canonical mailboxes: the address trimmed and lowered."""
    return hmac.new(SECRET.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


def test_rekey_merges_what_older_keys_counted_twice(project: Project) -> None:
    spellings = ["Ada+first@Example.org", "ada@example.org", "ａｄａ@example.org"]
    for n, email in enumerate([*spellings, "grace@example.org"]):
        project.store.sign(
            Signature(BARE, _old_key(email), f"Signer {n}", email, START + timedelta(minutes=n))
        )
    project.count()
    assert project.store.tally(BARE).count == 4

    run = project.run("rekey")
    project.count()

    assert run.status == 0, run.err
    assert f"{BARE}: 1 key(s) changed, 2 duplicate(s) merged; count lowered by 2" in run.out
    assert project.store.tally(BARE).count == 2
    assert [s.email for s in project.store.signatures(BARE)] == [
        "Ada+first@Example.org",  # the mailbox's oldest signature, its address as typed
        "grace@example.org",
    ]
    again = project.run("rekey")
    project.count()
    assert project.store.tally(BARE).count == 2
    assert f"{BARE}: 0 key(s) changed, 0 duplicate(s) merged" in again.out
    assert "example.org" not in run.out + run.err


def test_forget_finds_every_spelling_of_the_mailbox(project: Project) -> None:
    project.sign(BARE, "Ada Lovelace", "Ada.Lovelace@gmail.com")
    project.count()
    assert project.store.tally(BARE).count == 1

    run = project.run("forget", "adalovelace+news@googlemail.com")
    project.count()

    assert run.status == 0, run.err
    assert project.store.tally(BARE).count == 0


def test_the_daily_function_anonymises_what_is_due_and_logs_only_figures(
    project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    project.sign(CLOSED, "Ada Lovelace", "ada@example.org")
    project.sign(OPEN, "Grace Hopper", "grace@example.org")
    runtime = signing_app().runtime
    runtime.configure(
        content=load_content(project.path / "content"),
        store=project.store,
        settings=Settings.from_environ({}),
    )
    client = Client(signing_app().app, stage_name="api", project_dir=str(FUNCTIONS))
    caplog.set_level(logging.INFO)
    try:
        event = client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        )
        answer = client.lambda_.invoke("anonymise", event).payload
    finally:
        runtime.reset()

    assert answer == {"anonymised": {CLOSED: 1}}
    assert [s.name for s in project.store.signatures(CLOSED)] == [""]
    assert [s.name for s in project.store.signatures(OPEN)] == ["Grace Hopper"]
    assert f"anonymised slug={CLOSED} signatures=1" in caplog.text
    assert "ada" not in caplog.text.lower() and "grace" not in caplog.text.lower()

"""`build.py reconcile` and the daily scheduled function: drift found, reported and repaired."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from chalice.test import Client

from generator.content.loading import load_content
from generator.model import Milestone, Tally
from generator.signing.settings import Settings
from tests.api.support import FUNCTIONS, signing_app
from tests.privacy.conftest import START, Project
from tests.store.helpers import skew
from tests.support.fixture_site import BARE, CLOSED, OPEN, WON


def signed(project: Project, slug: str, n: int) -> None:
    """`n` signatures on `slug`, counted (as the counter downstream would)."""
    for i in range(n):
        project.sign(slug, f"Signer {i}", f"signer{i}@example.org", minutes=i)
    project.count()


def test_drift_is_reported_and_repaired_without_moving_milestones(project: Project) -> None:
    signed(project, BARE, 10)  # its first milestone, 10, at the tenth signature
    signed(project, OPEN, 2)
    reached = (Milestone(10, START + timedelta(minutes=9)),)
    skew(project.store, BARE, 2)  # the count item says 12 where 10 are stored
    skew(project.store, OPEN, -1)

    run = project.run("reconcile")
    project.count()  # nothing waits to be counted: the repair moved no signature

    assert run.status == 0
    assert run.out.splitlines() == [
        f"{WON}: stored 0, counted 0, drift 0",  # every petition, sorted by slug
        f"{BARE}: stored 12, counted 10, drift -2 (repaired)",
        f"{CLOSED}: stored 0, counted 0, drift 0",
        f"{OPEN}: stored 1, counted 2, drift +1 (repaired)",
        "4 petition(s) checked, 2 with drift (repaired), 0 failed",
    ]
    assert project.store.tally(BARE) == Tally(10, reached)
    assert project.store.tally(OPEN).count == 2
    assert project.run("reconcile").out.count("drift 0") == 4  # nothing left to repair


def test_a_dry_run_reports_drift_exits_1_and_changes_nothing(project: Project) -> None:
    signed(project, BARE, 2)
    skew(project.store, BARE, 3)

    run = project.run("reconcile", "--dry-run")

    assert run.status == 1
    assert f"{BARE}: stored 5, counted 2, drift -3 (not repaired: dry run)" in run.out
    assert "1 with drift (found)" in run.out
    assert project.store.tally(BARE).count == 5


def test_a_dry_run_without_drift_exits_0(project: Project) -> None:
    signed(project, BARE, 2)

    assert project.run("reconcile", "--dry-run").status == 0


def test_a_petition_only_the_store_knows_is_reconciled_too(project: Project) -> None:
    signed(project, "an-old-petition", 2)
    skew(project.store, "an-old-petition", 1)

    run = project.run("reconcile")

    assert "an-old-petition: stored 3, counted 2, drift -1 (repaired)" in run.out
    assert project.store.tally("an-old-petition").count == 2


def test_the_daily_function_repairs_drift_and_logs_only_figures(
    project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    signed(project, BARE, 3)
    skew(project.store, BARE, 4)
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
        answer = client.lambda_.invoke("reconcile", event).payload
    finally:
        runtime.reset()

    assert answer == {"checked": 4, "drifted": [{"slug": BARE, "stored": 7, "counted": 3}]}
    assert project.store.tally(BARE).count == 3
    assert f"reconcile repaired slug={BARE} stored=7 counted=3 drift=-4" in caplog.text
    assert "signer" not in caplog.text.lower()

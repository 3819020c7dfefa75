"""`build.py forget EMAIL`: a signer deleted everywhere on request, milestones left as they are."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from generator.model import Milestone
from tests.privacy.conftest import SECRET, START, Project
from tests.support.fixture_site import BARE, OPEN


def test_forget_removes_the_signer_from_every_petition_and_lowers_the_counts(
    project: Project,
) -> None:
    for slug in (BARE, OPEN, "an-old-petition"):  # the last is no longer in the content
        project.sign(slug, "Aroha Forgetme", "aroha.forget@example.org")
        project.sign(slug, "Mere Stays", "mere@example.org", minutes=1)
    for n in range(8):  # BARE reaches its first milestone, 10, at the last of these
        project.sign(BARE, f"Signer {n}", f"signer{n}@example.org", minutes=2 + n)
    project.count()
    reached = (Milestone(10, START + timedelta(minutes=9)),)
    assert project.store.tally(BARE).milestones == reached

    run = project.run("forget", "  Aroha.Forget@EXAMPLE.org ")
    project.count()

    assert run.status == 0
    assert "removed 3 signature(s) of 1 of 1 signer(s) from 3 of 5 petition(s)" in run.out
    assert "aroha" not in (run.out + run.err).lower()  # never echoed back
    for slug in (OPEN, "an-old-petition"):
        assert [s.name for s in project.store.signatures(slug)] == ["Mere Stays"]
        assert project.store.tally(slug).count == 1
    assert "Aroha Forgetme" not in [s.name for s in project.store.signatures(BARE)]
    assert project.store.tally(BARE).count == 9  # below 10 again, and the milestone stays
    assert project.store.tally(BARE).milestones == reached


def test_forgetting_someone_who_never_signed_says_how_emails_are_matched(
    project: Project,
) -> None:
    project.sign(BARE, "Mere Stays", "mere@example.org")

    run = project.run("forget", "nobody@example.org")
    project.count()

    assert run.status == 0
    assert "1 of 1 email(s) matched no signature" in run.out
    assert "PETITION_SECRET" in run.out
    assert "nobody" not in run.out + run.err
    assert project.store.tally(BARE).count == 1


def test_with_another_key_than_the_apps_nothing_is_found(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.sign(BARE, "Aroha Forgetme", "aroha.forget@example.org")
    monkeypatch.setenv("PETITION_SECRET", "some-other-key-0123456789")

    run = project.run("forget", "aroha.forget@example.org")
    project.count()

    assert "matched no signature" in run.out
    assert project.store.tally(BARE).count == 1


def test_without_a_key_forget_refuses_and_says_which_key_it_needs(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PETITION_SECRET")

    run = project.run("forget", "aroha.forget@example.org")

    assert run.status == 1
    assert "PETITION_SECRET is not set and there is no .data/secret" in run.err
    assert "aroha" not in run.err


def test_the_key_serve_keeps_in_data_secret_is_used_when_none_is_set(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.sign(BARE, "Aroha Forgetme", "aroha.forget@example.org")
    monkeypatch.delenv("PETITION_SECRET")
    Path(".data").mkdir()
    Path(".data/secret").write_text(SECRET + "\n")

    project.count()
    assert project.store.tally(BARE).count == 1

    run = project.run("forget", "aroha.forget@example.org")
    project.count()

    assert run.status == 0, run.err
    assert project.store.tally(BARE).count == 0


def test_emails_may_come_from_stdin_one_a_line(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.sign(BARE, "Aroha Forgetme", "aroha.forget@example.org")
    project.sign(OPEN, "Tama Forgetme", "tama.forget@example.org")
    project.sign(OPEN, "Mere Stays", "mere@example.org")
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("aroha.forget@example.org\n\ntama.forget@example.org\n")
    )

    run = project.run("forget", "-")
    project.count()

    assert "removed 2 signature(s) of 2 of 2 signer(s) from 2 of 4 petition(s)" in run.out
    assert project.store.tally(BARE).count == 0
    assert [s.name for s in project.store.signatures(OPEN)] == ["Mere Stays"]

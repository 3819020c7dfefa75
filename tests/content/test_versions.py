"""A petition's text version and the history of its text, worked out without git or a store:
what makes a new version (title, target, ask; not the body or other fields), how old
revisions are read, how the store's versions stand in without git, and what the page says."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from generator.content.revisions import from_revisions, read_text
from generator.content.versions import VERSION, Revision, from_store, petition_version
from generator.model import Tally
from generator.render.history import notice, shown
from generator.render.textdiff import Piece, word_diff
from tests.pages.factories import make_petition

JAN, FEB, MAR = (datetime(2025, m, 1, tzinfo=UTC) for m in (1, 2, 3))


def source(ask: str, body: str = "Because.", extra: str = "") -> str:
    """A petition file's text with this ask."""
    return (
        f"---\ntitle: Save the park\ntarget: The Council\nask: {ask}\n"
        f"created: 2025-01-01T10:00:00+13:00\n{extra}---\n{body}\n"
    )


PETITION = make_petition("park", title="Save the park", target="The Council", ask="Keep it.")


def test_the_version_is_12_hex_digits_of_title_target_and_ask_only() -> None:
    version = petition_version(PETITION)

    assert VERSION.fullmatch(version)
    assert petition_version(replace(PETITION, body="Other reasons.", goal=10)) == version
    crlf, lf = (replace(PETITION, ask=f"Keep{end}it.") for end in ("\r\n", "\n"))
    assert petition_version(crlf) == petition_version(lf)  # saved on Windows: the same text
    for changed in ({"title": "Save the pond"}, {"target": "The Mayor"}, {"ask": "Keep it!"}):
        assert petition_version(replace(PETITION, **changed)) != version


def test_a_revision_is_read_as_the_loader_reads_it_and_a_broken_one_is_none() -> None:
    assert read_text(source("Keep it.", extra="retired_field: 1\n")) == (
        "Save the park", "The Council", "Keep it.",
    )  # fmt: skip
    assert read_text("no front matter at all") is None
    assert read_text(source("[unclosed")) is None
    assert read_text("---\ntitle: Only a title\n---\nBody\n") is None


def test_commits_that_leave_the_text_alone_make_no_version_and_the_working_copy_ends_it() -> None:
    revisions = [
        Revision("a" * 40, JAN, source("Keep it open.")),
        Revision("b" * 40, FEB, source("Keep it open.", body="A longer story.")),
        Revision("c" * 40, MAR, "broken"),
        Revision("d" * 40, MAR, source("Keep it.")),
    ]

    versions = from_revisions(PETITION, revisions)

    assert [(v.commit[:1], v.date, v.ask) for v in versions] == [
        ("a", JAN, "Keep it open."),
        ("d", MAR, "Keep it."),
    ]
    uncommitted = from_revisions(replace(PETITION, ask="Keep it, please."), revisions)
    assert (uncommitted[-1].commit, uncommitted[-1].date) == ("", None)  # not yet committed


def test_without_git_the_store_versions_come_first_by_when_they_were_first_signed() -> None:
    now = petition_version(PETITION)

    alone = from_store(PETITION, {now: FEB})
    assert [(v.digest, v.date, v.known) for v in alone] == [(now, PETITION.created, True)]

    versions = from_store(PETITION, {now: MAR, "bbbbbbbbbbbb": FEB, "aaaaaaaaaaaa": JAN})
    assert [(v.digest, v.date, v.known) for v in versions] == [
        ("aaaaaaaaaaaa", JAN, False),
        ("bbbbbbbbbbbb", FEB, False),
        (now, MAR, True),
    ]


def test_the_notice_counts_the_signatures_of_every_other_text() -> None:
    versions = from_revisions(PETITION, [Revision("a" * 40, JAN, source("Keep it open."))])
    old, now = (v.digest for v in versions)

    said = notice(versions, Tally(count=6, by_version={old: 4, now: 1, "cccccccccccc": 1}))
    assert said is not None and (said.changed, said.earlier) == (None, 5)  # not committed yet
    assert notice(versions, Tally(count=1, by_version={now: 1})) is None
    assert notice(versions, Tally(count=9)) is None  # signatures from before versions


def test_the_history_shows_the_newest_first_with_its_words_against_the_one_before() -> None:
    revisions = [Revision("a" * 40, JAN, source("Keep the park open."))]

    newest, first = shown(from_revisions(PETITION, revisions))

    assert (newest.number, newest.current, newest.compared) == (2, True, True)
    assert dict(newest.fields)["What we ask"] == [
        Piece("same", "Keep "), Piece("del", "the park open."), Piece("ins", "it."),
    ]  # fmt: skip
    assert (first.number, first.current, first.compared) == (1, False, False)
    assert dict(first.fields)["What we ask"] == [Piece("same", "Keep the park open.")]


def test_a_word_diff_ignores_spacing_and_gives_the_new_text_back_whole() -> None:
    pieces = word_diff("Fix the  bridge\nby May.", "Fix the bridge by June, please.")

    assert [p for p in pieces if p.op != "same"] == [
        Piece("del", "May."), Piece("ins", "June, please."),
    ]  # fmt: skip
    assert "".join(p.text for p in pieces if p.op != "del") == "Fix the bridge by June, please."

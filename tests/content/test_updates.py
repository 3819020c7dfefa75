"""A bundle's updates, updates/<YYYY-MM-DD>-<name>.md: checked like petitions, every problem
at its file, line and field, and against their petition (its creation, its status)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.content.conftest import FRONT, ContentDir

UPDATES = "content/petitions/mend-the-road/updates"


def update(
    title: str = "The Council replies",
    date: str = "2024-03-01T10:00:00+13:00",
    kind: str = "response",
    extra: str = "",
    body: str = "We will fix it in April.\n",
) -> str:
    """An update's text; its fields on lines 2 to 4 (`extra` from line 5)."""
    return f"---\ntitle: {title}\ndate: {date}\nkind: {kind}\n{extra}---\n{body}"


@pytest.fixture
def bundle(content: ContentDir) -> Path:
    """An open petition as a bundle; returns its updates/ folder (made)."""
    content.petition("mend-the-road/index.md")
    folder = content.root / "petitions" / "mend-the-road" / "updates"
    folder.mkdir()
    return folder


def errors_of(content: ContentDir, folder: Path, name: str, text: str) -> list[str]:
    """Every error loading reports once updates/<name> holds `text`."""
    (folder / name).write_text(text, encoding="utf-8")
    return content.errors()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (update(title=""), "2: title: required field is empty"),
        (update(kind="news"), "4: kind: expected one of update, response, delivery, victory"),
        (
            update(date="2024-03-01T10:00:00"),
            "3: date: 2024-03-01T10:00:00 needs an offset from UTC; in Pacific/Auckland on that"
            " date it is +13:00",
        ),
        (update(date="2024-03-01"), "3: date: expected a date and time with an offset"),
        (update(extra="form: The Mayor\n"), "5: form: unknown field; expected one of title,"),
        (update(extra="from: [a, b]\n"), "5: from: expected text (≤ 200 characters), got a list"),
        (update(body=""), "5: body: empty; write what happened below the '---'"),
        (update(body="Line one.\nLine \x07two.\n"), "7: body: contains the control character"),
        ("title: no fence\n", "1: front matter: expected '---' on the first line"),
        (
            update(title="'unclosed"),
            "5: front matter: invalid YAML: found unexpected end of stream (while scanning a"
            " quoted scalar on line 2)",
        ),
    ],
)
def test_each_broken_update_is_reported_at_its_line_and_field(
    content: ContentDir, bundle: Path, text: str, expected: str
) -> None:
    (error,) = errors_of(content, bundle, "2024-03-01-council-replies.md", text)

    assert error.startswith(f"{UPDATES}/2024-03-01-council-replies.md:{expected}")


def test_every_problem_in_every_update_is_reported_at_once(
    content: ContentDir, bundle: Path
) -> None:
    (bundle / "2024-03-01-a.md").write_text(update(title="", kind="news"), encoding="utf-8")
    (bundle / "2024-03-02-b.md").write_text(update(date="yesterday"), encoding="utf-8")

    found = [e.split(": ")[0] + ": " + e.split(": ")[1] for e in content.errors()]

    assert found == [
        f"{UPDATES}/2024-03-01-a.md:2: title",
        f"{UPDATES}/2024-03-01-a.md:4: kind",
        f"{UPDATES}/2024-03-02-b.md:3: date",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("council-replies.md", "expected YYYY-MM-DD-<name>.md (e.g. 2025-03-02-minister-replies"),
        ("2024-03-01.md", "expected YYYY-MM-DD-<name>.md"),
        ("2024-03-01-Council_Replies.md", "expected YYYY-MM-DD-<name>.md"),
        ("2024-02-30-council-replies.md", "2024-02-30 is not a real day: day 30 is not in Feb"),
    ],
)
def test_an_update_file_name_says_its_day_then_its_name(
    content: ContentDir, bundle: Path, name: str, expected: str
) -> None:
    errors = errors_of(content, bundle, name, update())

    assert errors[0].startswith(f"{UPDATES}/{name}:1: file name: {expected}")


def test_the_day_in_the_file_name_is_the_dates_day_in_the_sites_zone(
    content: ContentDir, bundle: Path
) -> None:
    # 23:30 on 29 February in UTC is already 1 March in Auckland: the name must say 03-01
    utc = update(date="2024-02-29T23:30:00+00:00")
    (bundle / "2024-03-01-late.md").write_text(utc, encoding="utf-8")
    assert [u.name for u in content.load().petitions[0].updates] == ["2024-03-01-late"]
    (bundle / "2024-03-01-late.md").unlink()

    (error,) = errors_of(content, bundle, "2024-02-29-late.md", utc)

    assert error == (
        f"{UPDATES}/2024-02-29-late.md:3: date: 2024-02-29T23:30:00+00:00 is 2024-03-01 in"
        " Pacific/Auckland but the file name says 2024-02-29; rename the file"
        " 2024-03-01-late.md, or correct the date"
    )


def test_an_update_before_the_petition_was_created_is_an_error(
    content: ContentDir, bundle: Path
) -> None:
    early = update(date="2024-02-01T09:00:00+13:00")

    (error,) = errors_of(content, bundle, "2024-02-01-early.md", early)

    assert error == (
        f"{UPDATES}/2024-02-01-early.md:3: date: 2024-02-01T09:00:00+13:00 is before the"
        " petition was created (2024-02-12T08:15:00+13:00,"
        " content/petitions/mend-the-road/index.md)"
    )


def test_a_victory_on_a_petition_that_has_not_won_is_an_error(
    content: ContentDir, bundle: Path
) -> None:
    (error,) = errors_of(content, bundle, "2024-03-01-we-won.md", update(kind="victory"))

    assert error == (
        f"{UPDATES}/2024-03-01-we-won.md:4: kind: a victory is for a petition that won, but"
        " content/petitions/mend-the-road/index.md has status open; set `status: won` there,"
        " or give this update another kind"
    )
    content.petition("mend-the-road/index.md", FRONT + "status: won\n")
    (petition,) = content.load().petitions
    assert [u.kind for u in petition.updates] == ["victory"]


def test_a_victory_is_not_blamed_on_a_status_that_is_itself_wrong(
    content: ContentDir, bundle: Path
) -> None:
    content.petition("mend-the-road/index.md", FRONT + "status: victorious\n")

    (error,) = errors_of(content, bundle, "2024-03-01-we-won.md", update(kind="victory"))

    assert error.startswith("content/petitions/mend-the-road/index.md:6: status: expected one of")


def test_updates_holds_only_update_files(content: ContentDir, bundle: Path) -> None:
    (bundle / "photo.jpg").write_bytes(b"\xff\xd8")
    (bundle / "older").mkdir()

    errors = content.errors()

    assert [e.split(": ")[0] for e in errors] == [f"{UPDATES}/older:1", f"{UPDATES}/photo.jpg:1"]
    assert "updates/ holds only updates, each a file YYYY-MM-DD-<name>.md" in errors[0]


def test_updates_are_checked_even_when_their_petition_cannot_be_read(
    content: ContentDir, bundle: Path
) -> None:
    (bundle.parent / "index.md").write_text("no front matter\n", encoding="utf-8")
    (bundle / "2024-03-01-we-won.md").write_text(update(kind="victory", title=""), "utf-8")

    found = [e.split(": ")[0] + ": " + e.split(": ")[1] for e in content.errors()]

    # no victory error: the petition's status is not known
    assert found == [
        "content/petitions/mend-the-road/index.md:1: front matter",
        f"{UPDATES}/2024-03-01-we-won.md:2: title",
    ]

"""Content that would break a page, the feed or the build machine is refused at its line:
control characters, disguising bidirectional controls, links out of content/, impossible
dates; and a missing offset is answered with the one the site's zone has on that date."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.content.conftest import FRONT, ContentDir


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ('title: "Fix the \\f footpath"', "U+000C"),  # what made feed.xml ill-formed
        ('title: "Fix the \\x00 footpath"', "U+0000"),
        ('title: "Fix the \\x7f footpath"', "U+007F"),
        ('title: "Fix the \\x85 footpath"', "U+0085"),  # C1
        ('title: "Fix the \\x9b footpath"', "U+009B"),
    ],
)
def test_a_control_character_in_a_field_is_refused_at_its_line(
    content: ContentDir, line: str, code: str
) -> None:
    front = FRONT.replace("title: Fix the footpath on Main Street", line)
    content.petition("fix.md", front)

    assert content.errors() == [
        f"content/petitions/fix.md:2: title: contains the control character {code}; remove it"
    ]


def test_control_characters_are_refused_in_every_text_field(content: ContentDir) -> None:
    front = FRONT + 'location:\n  name: "Library\\a"\ntags: ["roads\\b"]\n'
    content.petition("fix.md", front)
    content.site(content.root.joinpath("site.yaml").read_text() + 'description: "A\\x1b[31m"\n')

    errors = content.errors()

    assert (
        "content/petitions/fix.md:7: location.name: contains the control character U+0007;"
        " remove it" in errors
    )
    assert any(
        e.startswith("content/petitions/fix.md:8: tags: contains the control") for e in errors
    )
    assert any(
        e.startswith("content/site.yaml:8: description: contains the control") for e in errors
    )


def test_tabs_newlines_and_windows_line_endings_are_fine(content: ContentDir) -> None:
    front = FRONT + 'call_to_action:\n  text: "Give\\tnow"\n  url: https://example.org/give\n'
    content.petition("fix.md", front, body="Line one.\r\nLine\ttwo.\r\n")

    petition = content.load().petitions[0]

    assert petition.body == "Line one.\r\nLine\ttwo."


def test_a_control_character_in_the_body_is_refused_at_its_line(content: ContentDir) -> None:
    content.petition("fix.md", body="First line.\r\nSecond line.\r\nThird \x0c line.\n")

    assert content.errors() == [
        "content/petitions/fix.md:9: body: contains the control character U+000C; remove it"
    ]


@pytest.mark.parametrize("field", ["title", "target"])
@pytest.mark.parametrize("control", ["\u202e", "\u202d", "\u2066", "\u2068"])
def test_bidirectional_overrides_are_refused_in_title_and_target(
    content: ContentDir, field: str, control: str
) -> None:
    front = (
        "\n".join(
            f"{line}{control}evil" if line.startswith(f"{field}:") else line
            for line in FRONT.splitlines()
        )
        + "\n"
    )
    content.petition("fix.md", front)

    (error,) = content.errors()

    assert error.startswith("content/petitions/fix.md:")
    assert f": {field}: contains the bidirectional control U+{ord(control):04X}" in error


def test_right_to_left_text_itself_is_welcome(content: ContentDir) -> None:
    front = FRONT.replace("Fix the footpath on Main Street", "أصلحوا الرصيف")
    content.petition("fix.md", front)

    assert content.load().petitions[0].title == "أصلحوا الرصيف"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-02-30T08:15:00+13:00", "day 30 is not in February 2025 (28 days)"),
        ("2024-02-30T08:15:00+13:00", "day 30 is not in February 2024 (29 days)"),
        ("2025-13-01T08:15:00+13:00", "month 13 is out of range (1 to 12)"),
        ("2025-04-31T08:15:00+12:00", "day 31 is not in April 2025 (30 days)"),
        ("2025-04-01T24:15:00+13:00", "hour 24 is out of range (0 to 23)"),
        ("2025-04-01T08:61:00+13:00", "minute 61 is out of range (0 to 59)"),
    ],
)
def test_an_impossible_time_says_which_part_is_out_of_range(
    content: ContentDir, value: str, message: str
) -> None:
    content.petition("fix.md", FRONT.replace("2024-02-12T08:15:00+13:00", value))

    assert content.errors() == [
        f"content/petitions/fix.md:5: created: {value} is not a real time: {message}"
    ]


def test_an_impossible_closing_date_says_so(content: ContentDir) -> None:
    content.petition("fix.md", FRONT + "closes: 2025-02-29\n")

    assert content.errors() == [
        "content/petitions/fix.md:6: closes: 2025-02-29 is not a real date:"
        " day 29 is not in February 2025 (28 days)"
    ]


@pytest.mark.parametrize(
    ("written", "offset"),
    [("2025-01-12T09:00:00", "+13:00"), ("2025-07-12T09:00:00", "+12:00")],  # summer, winter
)
def test_a_missing_offset_suggests_the_site_zones_offset_on_that_date(
    content: ContentDir, written: str, offset: str
) -> None:
    content.petition("fix.md", FRONT.replace("2024-02-12T08:15:00+13:00", written))

    assert content.errors() == [
        f"content/petitions/fix.md:5: created: {written} needs an offset from UTC; in"
        f" Pacific/Auckland on that date it is {offset}: {written}{offset}"
    ]


def _outside_file(tmp_path: Path) -> Path:
    secret = tmp_path / "elsewhere" / "private.md"
    secret.parent.mkdir()
    secret.write_text(f"---\n{FRONT}---\nA private file on the build machine.\n")
    return secret


def test_a_link_out_of_content_is_refused_and_nothing_is_read_through_it(
    content: ContentDir, tmp_path: Path
) -> None:
    content.petition("fine.md")
    os.symlink(_outside_file(tmp_path), content.root / "petitions" / "leak.md")

    assert content.errors() == [
        "content/petitions/leak.md:1: file: is a link to outside content/; refused, nothing is"
        " read through it"
    ]


def test_links_out_of_content_for_the_site_or_the_folder_are_refused(
    content: ContentDir, tmp_path: Path
) -> None:
    elsewhere = _outside_file(tmp_path).parent
    (content.root / "site.yaml").rename(elsewhere / "site.yaml")
    os.symlink(elsewhere / "site.yaml", content.root / "site.yaml")

    (error,) = content.errors()
    assert error.startswith("content/site.yaml:1: file: is a link to outside content/")

    (content.root / "site.yaml").unlink()
    (elsewhere / "site.yaml").rename(content.root / "site.yaml")
    (content.root / "petitions").rmdir()
    os.symlink(elsewhere, content.root / "petitions")

    (error,) = content.errors()
    assert error.startswith("content/petitions:1: file: is a link to outside content/")


def test_a_link_within_content_is_followed(content: ContentDir) -> None:
    content.petition("fix.md")
    os.symlink("fix.md", content.root / "petitions" / "mend.md")

    assert [p.slug for p in content.load().petitions] == ["fix", "mend"]


def test_an_incremental_build_refuses_a_new_link_out_and_leaves_the_site(
    content: ContentDir, tmp_path: Path
) -> None:
    from generator.build.engine import BuildOptions, build
    from generator.errors import ContentErrors

    content.petition("fine.md")
    templates = Path(__file__).resolve().parents[2] / "templates"
    options = BuildOptions(Path("content"), templates, tmp_path / "out", tmp_path / "cache")
    build(options)
    before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "out").rglob("*"))
    os.symlink(_outside_file(tmp_path), content.root / "petitions" / "leak.md")

    with pytest.raises(ContentErrors) as caught:
        build(options)

    assert [e.path for e in caught.value.errors] == ["content/petitions/leak.md"]
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "out").rglob("*")) == before
    assert not (tmp_path / "out" / "petitions" / "leak").exists()

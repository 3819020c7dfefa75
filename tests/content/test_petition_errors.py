"""Each problem in a petition file is reported with its file, line and field."""

from __future__ import annotations

import pytest

from tests.content.conftest import BODY, FRONT, ContentDir

P = "content/petitions/fix.md"


def test_bad_status_names_file_line_field_and_choices(content: ContentDir) -> None:
    content.petition("fix.md", FRONT + "status: pending\n")
    assert content.errors() == [f"{P}:6: status: expected one of open, closed, won, got 'pending'"]


def test_unknown_field_is_an_error_with_a_suggestion(content: ContentDir) -> None:
    content.petition("fix.md", FRONT + "goal: 100\ntittle: Oops\n")
    [error] = content.errors()
    assert error.startswith(f"{P}:7: tittle: unknown field; expected one of title, target, ask,")
    assert error.endswith("did you mean 'title'?")


def test_unknown_nested_field_is_named_by_its_dotted_path(content: ContentDir) -> None:
    front = FRONT + "location:\n  name: Library\n  adress: 1 Main Street\n"
    content.petition("fix.md", front)
    assert content.errors() == [
        f"{P}:8: location.adress: unknown field; expected one of name, address, lat, lon;"
        " did you mean 'address'?"
    ]


def test_unknown_field_far_from_any_has_no_suggestion(content: ContentDir) -> None:
    content.petition("fix.md", FRONT + "zzz: 1\n")
    [error] = content.errors()
    assert "did you mean" not in error
    assert error.startswith(f"{P}:6: zzz: unknown field")


def test_naive_created_says_an_offset_is_needed(content: ContentDir) -> None:
    front = FRONT.replace("2024-02-12T08:15:00+13:00", "2024-02-12T08:15:00")
    content.petition("fix.md", front)
    assert content.errors() == [
        f"{P}:5: created: 2024-02-12T08:15:00 needs an offset from UTC; in Pacific/Auckland"
        " on that date it is +13:00: 2024-02-12T08:15:00+13:00"
    ]


def test_created_as_a_date_alone_asks_for_a_time_and_offset(content: ContentDir) -> None:
    content.petition("fix.md", FRONT.replace("2024-02-12T08:15:00+13:00", "2024-02-12"))
    [error] = content.errors()
    assert error.startswith(f"{P}:5: created: expected a date and time with an offset")


def test_missing_required_fields_point_at_the_front_matters_first_line(
    content: ContentDir,
) -> None:
    content.petition("fix.md", "# only a comment\ntitle: Fix it\n")
    assert content.errors() == [
        f"{P}:2: ask: required field missing: what we call on the target to do",
        f"{P}:2: created: required field missing: when the petition started",
        f'{P}:2: target: required field missing: who the petition is addressed to ("To: …")',
    ]


def test_wrong_types_say_what_was_expected_and_what_was_given(content: ContentDir) -> None:
    front = FRONT.replace("title: Fix the footpath on Main Street", "title: 2024")
    content.petition("fix.md", front + "goal: lots\ntags: ready\n")
    assert content.errors() == [
        f"{P}:2: title: expected text (≤ 200 characters), got the number 2024;"
        " put it in quotes to make it text",
        f"{P}:6: goal: expected integer (≥ 1), got 'lots'",
        f"{P}:7: tags: expected list of text, got 'ready'",
    ]


def test_title_over_200_characters_is_refused(content: ContentDir) -> None:
    content.petition("fix.md", FRONT.replace("Fix the footpath on Main Street", "x" * 201))
    assert content.errors() == [f"{P}:2: title: is 201 characters long; at most 200 allowed"]


def test_duplicate_field_names_both_lines(content: ContentDir) -> None:
    content.petition("fix.md", FRONT + "status: open\ngoal: 5\nstatus: won\n")
    assert content.errors() == [f"{P}:8: status: duplicate field; first given on line 6"]


def test_yaml_syntax_error_reports_the_problem_line(content: ContentDir) -> None:
    content.petition("fix.md", FRONT + "goal: 100\ntags: [a, b\nstatus: open\n")
    [error] = content.errors()
    assert error.startswith(f"{P}:8: front matter: invalid YAML:")


def test_imported_milestone_above_the_count(content: ContentDir) -> None:
    front = FRONT + (
        "imported:\n"
        "  count: 300\n"
        "  milestones:\n"
        "    100: 2024-02-13T10:00:00+13:00\n"
        "    500: 2024-02-20T10:00:00+13:00\n"
    )
    content.petition("fix.md", front)
    assert content.errors() == [
        f"{P}:10: imported.milestones.500: milestone 500 is above the imported count (300)"
    ]


def test_imported_milestones_out_of_time_order(content: ContentDir) -> None:
    front = FRONT + (
        "imported:\n"
        "  count: 300\n"
        "  milestones:\n"
        "    10: 2024-02-13T10:00:00+13:00\n"
        "    100: 2024-02-13T09:00:00+13:00\n"
    )
    content.petition("fix.md", front)
    assert content.errors() == [
        f"{P}:10: imported.milestones.100: reached at 2024-02-13T09:00:00+13:00,"
        " before milestone 10 (2024-02-13T10:00:00+13:00)"
    ]


def test_location_checks_ranges_and_pairs(content: ContentDir) -> None:
    content.petition("fix.md", FRONT + "location:\n  name: Library\n  lat: 95\n")
    content.petition("pair.md", FRONT + "location:\n  name: Library\n  lat: -41.3\n")
    content.petition("noname.md", FRONT + "location:\n  address: 1 Main Street\n")
    assert content.errors() == [
        f"{P}:8: location.lat: expected number (-90 to 90), got the number 95",
        "content/petitions/noname.md:7: location.name: required field missing: the target's place",
        "content/petitions/pair.md:8: location.lat: give lon too, or neither",
    ]


def test_call_to_action_url_must_be_http_or_mailto(content: ContentDir) -> None:
    front = FRONT + "call_to_action:\n  text: Donate\n  url: javascript:alert(1)\n"
    content.petition("fix.md", front)
    assert content.errors() == [
        f"{P}:8: call_to_action.url: expected URL (http, https or mailto),"
        " got 'javascript:alert(1)'"
    ]


@pytest.mark.parametrize(
    "label", ["https://example.org/donate", "www.example.org", "mailto:us@example.org"]
)
def test_call_to_action_button_must_say_what_it_does_not_where(
    content: ContentDir, label: str
) -> None:
    front = (
        FRONT + f"call_to_action:\n  text: Give\n  url: https://example.org/\n  button: {label}\n"
    )
    content.petition("fix.md", front)
    assert content.errors() == [
        f"{P}:9: call_to_action.button: say what pressing it does"
        " (e.g. Donate to the emergency fund), not the address"
    ]


def test_milestone_ladder_must_increase(content: ContentDir) -> None:
    content.petition("fix.md", FRONT + "milestones:\n  - 10\n  - 50\n  - 20\n")
    assert content.errors() == [f"{P}:9: milestones: 20 must be above the milestone before it (50)"]


def test_closing_before_creation_is_refused(content: ContentDir) -> None:
    content.petition("fix.md", FRONT + "closes: 2024-01-31\n")
    assert content.errors() == [f"{P}:6: closes: 2024-01-31 is before the petition was created"]


def test_empty_body_is_refused_at_the_closing_line(content: ContentDir) -> None:
    content.petition("fix.md", FRONT, body="\n  \n")
    assert content.errors() == [
        f"{P}:6: body: empty; write why the petition matters below the '---'"
    ]


def test_file_without_front_matter(content: ContentDir) -> None:
    (content.root / "petitions" / "fix.md").write_text("Just text\n", encoding="utf-8")
    assert content.errors() == [
        f"{P}:1: front matter: expected '---' on the first line, then the fields"
    ]


def test_front_matter_without_closing_line(content: ContentDir) -> None:
    (content.root / "petitions" / "fix.md").write_text(f"---\n{FRONT}", encoding="utf-8")
    assert content.errors() == [
        f"{P}:1: front matter: no closing '---' line between the fields and the body"
    ]


def test_bad_slug_is_named(content: ContentDir) -> None:
    content.petition("Fix_Footpath.md")
    assert content.errors() == [
        "content/petitions/Fix_Footpath.md:1: slug: file name must be lowercase letters,"
        " digits and single hyphens, got 'Fix_Footpath'"
    ]


def test_windows_line_endings_keep_line_numbers(content: ContentDir) -> None:
    text = f"---\n{FRONT}status: pending\n---\n{BODY}".replace("\n", "\r\n")
    (content.root / "petitions" / "fix.md").write_bytes(text.encode("utf-8"))
    assert content.errors() == [f"{P}:6: status: expected one of open, closed, won, got 'pending'"]

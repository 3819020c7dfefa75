"""Random and malformed petition files either build or fail with file:line: field errors.

Hypothesis writes petition files from known and unknown fields with values of every type
(and hostile YAML: huge numbers, tags, anchors, broken quoting, dates out of range, binary
junk, missing fences, CRLF, a BOM) beside a valid site.yaml. Loading must give a site that
builds, or ContentErrors whose every error names the file, a line inside it and a field:
never another exception.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.build.engine import BuildOptions, build
from generator.content.loading import load_content
from generator.content.schema import PETITION, SITE
from generator.errors import ContentErrors
from tests.support.fixture_site import CONTENT, TEMPLATES

PETITION_FIELDS = [f.name for f in PETITION.fields]
SITE_FIELDS = [f.name for f in SITE.fields]
NESTED = {"location": ["name", "address", "lat", "lon"], "call_to_action": ["text", "url"]}
NESTED["imported"] = ["count", "milestones"]
NESTED["image"] = ["file", "alt", "credit"]
VALID = [
    "title: A fair title",
    "target: The Council",
    "ask: Please do the fair thing.",
    "created: 2024-01-01T09:00:00+13:00",
]
PLAUSIBLE = {  # values a field might well hold, so that many examples load and build
    "title": ["Save the park", "'Quoted: title'"],
    "status": ["open", "closed", "won", "pending"],
    "closes": ["2030-01-01", "2020-01-01"],
    "goal": ["100", "0", "2500"],
    "milestones": ["[10, 100, 1000]", "[100, 10]", "[]"],
    "image": ["https://example.org/i.png", "pictures/pool.jpg"],  # refused: alt is required
    "file": ["pictures/harbour-pool.jpg", "/pictures/harbour-pool.jpg", "../site.yaml", "a.png"],
    "alt": ["Children swimming in the pool", "pool.jpg"],
    "credit": ["Photo by Jane Doe (CC BY 4.0)"],
    "tags": ["[parks, water]", "[parks, parks]", "[]"],
    "name": ["The Council offices"],
    "address": ["1 Main Street"],
    "lat": ["-41.28", "91"],
    "lon": ["174.77", "-181"],
    "text": ["Give to the fund"],
    "url": ["https://example.org/give", "mailto:a@example.org", "ftp://example.org"],
    "count": ["10", "-1"],
}
HOSTILE = [
    "1" + "0" * 5000,
    "0x" + "f" * 5000,
    "-" + "9" * 30,
    "1e999",
    ".nan",
    "-.inf",
    "190:20:30",
    "0o777",
    "~",
    "no",
    "2024-02-30",
    "2024-01-01T25:00:00Z",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+14:00",
    "2024-01-01 09:00:00",
    "!!binary aGVsbG8=",
    "!!python/object/apply:os.system ['true']",
    "!!set {a, b}",
    "&anchor [*anchor]",
    "*nowhere",
    "'unterminated",
    '"\\xZZ"',
    "{",
    "[[[[[[[[[[",
    "[" * 200 + "]" * 200,
    "? complex",
    "- - -",
    "|",
    ">-\n  folded",
    "%YAML 1.1",
    "---",
    "...",
    "\t",
    "\x00",
    "\x85",
    "\ufeff",
    "<script>alert(1)</script>",
    "https://example.org/x",
    "javascript:alert(1)",
    "{5: 2017-04-14T14:35:51+12:00, 1" + "0" * 30 + ": 2017-04-14T14:35:51+12:00}",
]

python_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
values = st.one_of(
    python_values.map(json.dumps),  # JSON is YAML's flow style: every type, quoted or not
    st.sampled_from(HOSTILE),
    st.text(max_size=40),  # plain, unquoted text of any characters
)
keys = st.one_of(
    st.sampled_from(PETITION_FIELDS), st.sampled_from(["titel", "Title", "", "x" * 300]), st.text()
)


@st.composite
def value_of(draw: st.DrawFn, key: str) -> str:
    """A value for a field: mostly a plausible one when there is one."""
    plausible = PLAUSIBLE.get(key)
    if plausible and draw(st.integers(0, 2)) > 0:
        return draw(st.sampled_from(plausible))
    return draw(values)


@st.composite
def field_lines(draw: st.DrawFn) -> str:
    """One top-level field, a nested mapping of fields, or a junk line."""
    kind = draw(st.sampled_from(["field"] * 4 + ["nested"] * 2 + ["junk"]))
    if kind == "junk":
        return draw(st.text(max_size=60))
    if kind == "nested":
        parent = draw(st.sampled_from(sorted(NESTED)))
        children = draw(st.lists(st.sampled_from([*NESTED[parent], draw(keys)]), max_size=4))
        indent = " " * draw(st.sampled_from([2, 2, 1, 4]))
        return f"{parent}:" + "".join(f"\n{indent}{c}: {draw(value_of(c))}" for c in children)
    key = draw(st.one_of(st.sampled_from(PETITION_FIELDS), keys))
    return f"{key}: {draw(value_of(key))}"


@st.composite
def petition_files(draw: st.DrawFn) -> bytes:
    """The bytes of a petition file, mostly well-formed around malformed parts."""
    if draw(st.integers(0, 19)) == 0:
        return draw(st.binary(max_size=300))
    whole = draw(st.integers(0, 3)) > 0
    kept = VALID if whole else draw(st.lists(st.sampled_from(VALID), unique=True))
    extra = draw(st.lists(field_lines(), max_size=4))
    lines = [*kept, *extra] if draw(st.booleans()) else draw(st.permutations([*kept, *extra]))
    body = draw(st.one_of(st.just("Why it matters."), st.text(max_size=200)))
    opening = draw(st.sampled_from(["---"] * 8 + ["--- ", "", "----"]))
    closing = draw(st.sampled_from(["---"] * 8 + ["---\t", "", "- - -"]))
    text = "\n".join([opening, *lines, closing, body])
    if draw(st.integers(0, 4)) == 0:
        text = text.replace("\n", "\r\n")
    prefix = draw(st.sampled_from(["", "", "", "\ufeff"]))
    encoding = draw(st.sampled_from(["utf-8"] * 8 + ["utf-16", "latin-1"]))
    return (prefix + text).encode(encoding, "replace")


def assert_located(errors: ContentErrors, path: Path, data: bytes) -> None:
    """Every error names this file, a line within it and a field, and says something."""
    last_line = data.count(b"\n") + 1
    assert errors.errors
    for error in errors.errors:
        assert Path(error.path).name == path.name, str(error)
        assert 1 <= error.line <= last_line, f"line {error.line} of {last_line}: {error}"
        assert error.field.strip(), str(error)
        assert error.message.strip(), str(error)


def load_or_build(work: Path, name: str, data: bytes) -> None:
    """Load a content folder holding this petition file; build it when it loads."""
    petitions = work / "content" / "petitions"
    petitions.mkdir(parents=True)
    shutil.copy(CONTENT / "site.yaml", work / "content" / "site.yaml")
    shutil.copytree(CONTENT / "pictures", work / "content" / "pictures")  # for `image.file`
    path = petitions / name
    path.write_bytes(data)
    try:
        content = load_content(work / "content")
    except ContentErrors as errors:
        assert_located(errors, path, data)
        event(f"refused: {errors.errors[0].field.split('.')[0]}")
        return
    event("built")
    build(BuildOptions(work / "content", TEMPLATES, work / "out", None, True, workers=1))
    slug = content.petitions[0].slug
    assert (work / "out" / "petitions" / slug / "index.html").is_file()


FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=petition_files(), name=st.sampled_from(["fuzz.md"] * 7 + ["Bad.md", "a--b.md", "ü.MD"]))
def test_any_petition_file_builds_or_fails_with_file_line_and_field(
    tmp_path: Path, data: bytes, name: str
) -> None:
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        load_or_build(Path(folder), name, data)


site_lines = st.builds("{}: {}".format, st.sampled_from(SITE_FIELDS) | keys, values)


@settings(FUZZ, max_examples=100)
@given(lines=st.lists(st.one_of(site_lines, field_lines()), max_size=8))
def test_any_site_file_loads_or_fails_with_file_line_and_field(
    tmp_path: Path, lines: list[str]
) -> None:
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        site = Path(folder) / "site.yaml"
        base = (CONTENT / "site.yaml").read_text(encoding="utf-8").splitlines()
        data = "\n".join([*base[: len(base) // 2], *lines, *base[len(base) // 2 :]]).encode()
        site.write_bytes(data)
        try:
            load_content(Path(folder))
        except ContentErrors as errors:
            assert_located(errors, site, data)


def refusal(folder: Path, text: str) -> ContentErrors:
    """The errors of a content folder holding only this petition (AssertionError if none)."""
    petitions = folder / "content" / "petitions"
    petitions.mkdir(parents=True)
    shutil.copy(CONTENT / "site.yaml", folder / "content" / "site.yaml")
    (petitions / "hostile.md").write_text(text, encoding="utf-8")
    with pytest.raises(ContentErrors) as raised:
        load_content(folder / "content")
    return raised.value


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("goal: 1" + "0" * 5000, "goal"),  # over Python's 4,300-digit limit
        ("goal: 0x" + "f" * 5000, "goal"),  # parses, but no page could print it
        ("milestones: [10, 1" + "0" * 20 + "]", "milestones"),
        ("location: {name: Here, lat: 1" + "0" * 5000 + ", lon: 1}", "location.lat"),
        ("closes: 2024-02-30", "closes"),
        ("imported: {count: 1" + "0" * 5000 + "}", "imported.count"),
        ("imported: {count: 10, milestones: {5: 0001-01-01T00:00:00+14:00}}", "imported"),
    ],
    ids=["digits", "hex", "ladder", "latitude", "no-such-day", "imported", "year-one"],
)
def test_hostile_numbers_and_dates_are_errors_at_their_line(
    tmp_path: Path, line: str, field: str
) -> None:
    text = "---\n" + "\n".join([*VALID, line]) + "\n---\nWhy it matters.\n"
    raised = refusal(tmp_path, text)

    assert [(e.line, e.field.startswith(field)) for e in raised.errors] == [(6, True)]


@pytest.mark.parametrize(
    "created", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00", "1899-12-31T00:00:00Z"]
)
def test_a_creation_time_out_of_range_is_an_error_not_a_crash(tmp_path: Path, created: str) -> None:
    text = "---\n" + "\n".join([*VALID[:3], f"created: {created}"]) + "\n---\nWhy.\n"
    raised = refusal(tmp_path, text)

    assert [(e.line, e.field) for e in raised.errors] == [(5, "created")]
    assert "out of range" in str(raised)

"""A petition's `image`: a picture file in the repository with alt text, checked at load time.

Every problem is reported as file:line: field, like any other content error, and nothing
outside content/ is ever read.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

from generator.content.imagesize import image_info
from generator.content.loading import load_content
from generator.errors import ContentError, ContentErrors
from generator.model import Content, Picture
from tests.support.fixture_site import CONTENT
from tests.support.pictures import picture_bytes, write_picture

HEAD = """---
title: Keep the pool warm
target: The Council
ask: Keep it warm.
created: 2024-01-01T09:00:00+13:00
"""  # the image block starts on line 6
BODY = "---\nBecause winter is long.\n"


def content_with(tmp_path: Path, image: str, extra: str = "") -> Path:
    """A content folder (the fixture's site.yaml) holding one petition, pool.md, whose front
    matter ends with `image` (YAML text) and `extra`."""
    content = tmp_path / "content"
    (content / "petitions").mkdir(parents=True)
    shutil.copy(CONTENT / "site.yaml", content / "site.yaml")
    (content / "petitions" / "pool.md").write_text(HEAD + image + extra + BODY, encoding="utf-8")
    return content


def loaded(content: Path) -> Content:
    return load_content(content)


def errors(content: Path) -> list[ContentError]:
    with pytest.raises(ContentErrors) as caught:
        load_content(content)
    return caught.value.errors


def picture(content: Path) -> Picture:
    found = loaded(content).petitions[0].image
    assert found is not None
    return found


IMAGE = """image:
  file: pictures/pool.jpg
  alt: Children swimming at Kowhai Bay pool
  credit: Photo by Jane Doe (CC BY 4.0)
"""


def test_a_picture_under_content_loads_with_its_size_alt_credit_and_digest(
    tmp_path: Path,
) -> None:
    content = content_with(tmp_path, IMAGE)
    file = write_picture(content / "pictures" / "pool.jpg", 1000, 600)

    found = picture(content)

    assert Path(found.path).resolve() == file.resolve()
    assert (found.width, found.height) == (1000, 600)
    assert found.alt == "Children swimming at Kowhai Bay pool"
    assert found.credit == "Photo by Jane Doe (CC BY 4.0)"
    assert len(found.digest) == 64


def test_a_picture_beside_the_petition_is_found_first_and_a_path_from_slash_is_from_content(
    tmp_path: Path,
) -> None:
    content = content_with(tmp_path, IMAGE.replace("pictures/pool.jpg", "pool.jpg"))
    beside = write_picture(content / "petitions" / "pool.jpg", 800, 500)
    write_picture(content / "pool.jpg", 900, 500)
    assert Path(picture(content).path).resolve() == beside.resolve()

    rooted = content_with(tmp_path / "b", IMAGE.replace("pictures/pool.jpg", "/pool.jpg"))
    write_picture(rooted / "petitions" / "pool.jpg", 800, 500)
    top = write_picture(rooted / "pool.jpg", 900, 500)
    assert Path(picture(rooted).path).resolve() == top.resolve()


@pytest.mark.parametrize("written", ["pictures/pool.jpg", "https://example.org/pool.jpg"])
def test_a_plain_file_name_or_url_is_refused_because_alt_text_is_required(
    tmp_path: Path, written: str
) -> None:
    content = content_with(tmp_path, f"image: {written}\n")

    (error,) = errors(content)

    assert (error.line, error.field) == (6, "image")
    assert "alt text" in error.message and repr(written) in error.message


def test_missing_or_empty_alt_text_is_an_error_at_its_line(tmp_path: Path) -> None:
    missing = content_with(tmp_path / "a", "image:\n  file: pictures/pool.jpg\n")
    write_picture(missing / "pictures" / "pool.jpg")
    empty = content_with(tmp_path / "b", 'image:\n  file: pictures/pool.jpg\n  alt: ""\n')
    write_picture(empty / "pictures" / "pool.jpg")
    named = content_with(tmp_path / "c", "image:\n  file: pictures/pool.jpg\n  alt: pool.jpg\n")
    write_picture(named / "pictures" / "pool.jpg")

    (no_alt,) = errors(missing)
    (blank,) = errors(empty)
    (file_name,) = errors(named)

    assert (no_alt.line, no_alt.field) == (7, "image.alt")
    assert no_alt.message.startswith("required field missing: what the picture shows")
    assert (blank.line, blank.field, blank.message) == (8, "image.alt", "must not be empty")
    assert (file_name.line, file_name.field) == (8, "image.alt")
    assert "not its file name" in file_name.message


def test_a_missing_file_names_both_places_looked_at_the_file_line(tmp_path: Path) -> None:
    content = content_with(tmp_path, IMAGE)

    (error,) = errors(content)

    assert (error.line, error.field) == (7, "image.file")
    assert error.message.startswith("no such file: looked for ")
    assert str(Path("petitions") / "pictures" / "pool.jpg") in error.message
    assert error.message.endswith(str(Path("content") / "pictures" / "pool.jpg"))
    assert str(error).startswith(f"{error.path}:7: image.file: no such file")
    assert error.path.endswith("pool.md")


def test_a_name_too_long_for_the_system_is_simply_not_found(tmp_path: Path) -> None:
    content = content_with(tmp_path, IMAGE.replace("pictures/pool.jpg", "p" * 290 + ".jpg"))

    (error,) = errors(content)

    assert (error.line, error.field) == (7, "image.file")
    assert error.message.startswith("no such file")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"not a picture at all\n", "is not a JPEG, PNG or WebP picture"),
        (picture_bytes(1000, 600, "GIF"), "is not a JPEG, PNG or WebP picture"),
        (picture_bytes(1000, 600)[:40], "is not a JPEG, PNG or WebP picture"),  # cut short
        (picture_bytes(300, 200), "is too small (300 × 200 pixels); at least 480 on its longer"),
        (picture_bytes(1000, 200), "is too small (1000 × 200 pixels)"),
    ],
)
def test_a_file_that_is_not_a_picture_or_is_too_small_is_refused(
    tmp_path: Path, data: bytes, problem: str
) -> None:
    content = content_with(tmp_path, IMAGE)
    (content / "pictures").mkdir()
    (content / "pictures" / "pool.jpg").write_bytes(data)

    (error,) = errors(content)

    assert (error.line, error.field) == (7, "image.file")
    assert problem in error.message


def test_a_picture_outside_content_is_refused_and_never_read(tmp_path: Path) -> None:
    up = content_with(tmp_path / "a", IMAGE.replace("pictures/pool.jpg", "../../secret.jpg"))
    write_picture(tmp_path / "a" / "secret.jpg")
    linked = content_with(tmp_path / "b", IMAGE)
    (linked / "pictures").mkdir()
    os.symlink(write_picture(tmp_path / "elsewhere.jpg"), linked / "pictures" / "pool.jpg")

    for content in (up, linked):
        (error,) = errors(content)
        assert (error.line, error.field) == (7, "image.file")
        assert "is outside" in error.message and "pictures must be under it" in error.message


def test_picture_problems_are_reported_with_every_other_problem(tmp_path: Path) -> None:
    content = content_with(tmp_path, IMAGE, extra="status: pending\n")

    found = {(e.line, e.field) for e in errors(content)}

    assert found == {(7, "image.file"), (10, "status")}


def test_a_changed_picture_changes_the_petitions_source_hash(tmp_path: Path) -> None:
    content = content_with(tmp_path, IMAGE)
    file = write_picture(content / "pictures" / "pool.jpg")
    before = loaded(content).petitions[0].source_hash
    write_picture(file, shade=40)

    assert loaded(content).petitions[0].source_hash != before


def _exif_jpeg(width: int, height: int, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (picture_bytes(640, 480, "PNG"), ("png", 640, 480)),
        (picture_bytes(640, 480, "PNG", alpha=True), ("png", 640, 480)),
        (picture_bytes(641, 479, "WEBP", quality=70), ("webp", 641, 479)),
        (picture_bytes(641, 479, "WEBP", lossless=True), ("webp", 641, 479)),
        (picture_bytes(700, 500, "JPEG", progressive=True), ("jpeg", 700, 500)),
        (_exif_jpeg(800, 600, 1), ("jpeg", 800, 600)),
        (_exif_jpeg(800, 600, 6), ("jpeg", 600, 800)),  # stored on its side: upright is portrait
        (_exif_jpeg(800, 600, 3), ("jpeg", 800, 600)),  # upside down: the same size
    ],
)
def test_the_size_is_read_from_the_header_as_pillow_sees_it_upright(
    data: bytes, expected: tuple[str, int, int]
) -> None:
    info = image_info(data)

    assert info is not None and (info.format, info.width, info.height) == expected
    with Image.open(io.BytesIO(data)) as opened:
        sideways = opened.getexif().get(0x0112, 1) in (5, 6, 7, 8)
        assert (info.width, info.height) == (opened.size[::-1] if sideways else opened.size)

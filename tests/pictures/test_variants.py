"""A picture resized for the page: a few widths, never wider than the picture, WebP and JPEG,
upright, without the original's metadata, the same bytes every time."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from generator.model import Picture
from generator.render.media import Media, PictureError
from generator.render.pictures import (
    VARIANT_NAME,
    PictureDecodeError,
    encode,
    variants,
    widths,
)
from tests.support.pictures import picture_bytes, picture_of, write_picture


def model(width: int, height: int, data: bytes = b"x") -> Picture:
    return Picture("pool.jpg", "A pool", width, height, hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (4000, (480, 800, 1200)),
        (1300, (480, 800, 1200)),
        (1000, (480, 800, 1000)),  # its own width instead of 1200, which it cannot fill
        (850, (480, 850)),  # 800 is too close to its own to be worth a file
        (500, (500,)),
        (480, (480,)),
    ],
)
def test_widths_never_exceed_the_pictures_own(width: int, expected: tuple[int, ...]) -> None:
    assert widths(width) == expected
    assert max(widths(width)) <= width


def test_each_width_comes_as_webp_then_jpeg_with_the_pictures_proportions() -> None:
    found = variants(model(1000, 600))

    assert [(v.width, v.height, v.format) for v in found] == [
        (480, 288, "webp"),
        (800, 480, "webp"),
        (1000, 600, "webp"),
        (480, 288, "jpeg"),
        (800, 480, "jpeg"),
        (1000, 600, "jpeg"),
    ]
    assert all(VARIANT_NAME.fullmatch(v.name) for v in found)
    assert found[0].name.startswith("picture-480.") and found[-1].name.endswith(".jpg")
    assert [v.mime for v in found[::3]] == ["image/webp", "image/jpeg"]


def test_names_change_with_the_pictures_bytes_only() -> None:
    one, other = variants(model(1000, 600, b"one")), variants(model(1000, 600, b"two"))

    assert {v.name for v in one}.isdisjoint(v.name for v in other)
    assert variants(model(1000, 600, b"one")) == one


def test_the_files_are_the_sizes_and_formats_they_are_named_as() -> None:
    data = picture_bytes(1000, 600)
    wanted = variants(model(1000, 600, data))

    made = encode(data, wanted)

    for v in wanted:
        with Image.open(io.BytesIO(made[v.name])) as opened:
            assert (opened.format, opened.size) == (v.format.upper(), (v.width, v.height))


def test_encoding_is_deterministic() -> None:
    data = picture_bytes(1300, 700)
    wanted = variants(model(1300, 700, data))

    assert encode(data, wanted) == encode(data, wanted)


def test_a_phone_photo_stored_sideways_comes_out_upright_without_its_metadata() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # turn a quarter clockwise to show
    exif[0x010F] = "PhoneMaker"  # the camera's make: metadata the site must not republish
    stored = Image.new("RGB", (800, 600), (0, 90, 200))
    stored.paste((255, 0, 0), (0, 0, 100, 100))  # red in the stored top-left corner
    out = io.BytesIO()
    stored.save(out, "JPEG", exif=exif, quality=95)
    data = out.getvalue()

    wanted = variants(model(600, 800, data))  # upright: portrait
    made = encode(data, wanted)

    for v in wanted:
        with Image.open(io.BytesIO(made[v.name])) as opened:
            assert opened.size == (v.width, v.height) and v.height > v.width
            assert not opened.getexif()
            red, _, blue = opened.convert("RGB").getpixel((v.width - 5, 5))
            assert red > 200 and blue < 80  # the corner now at the top right, as shown


def test_transparency_is_laid_on_white() -> None:
    clear = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    out = io.BytesIO()
    clear.save(out, "PNG")
    data = out.getvalue()
    wanted = [v for v in variants(model(600, 400, data)) if v.format == "jpeg"]

    made = encode(data, wanted)

    with Image.open(io.BytesIO(made[wanted[0].name])) as opened:
        darkest, _ = opened.convert("L").getextrema()
        assert darkest > 245


def test_bytes_that_are_not_a_picture_raise_a_decode_error() -> None:
    with pytest.raises(PictureDecodeError):
        encode(b"\xff\xd8 not really a JPEG", variants(model(800, 600)))


def test_the_media_folder_keeps_the_files_so_the_picture_is_not_read_again(
    tmp_path: Path,
) -> None:
    file = write_picture(tmp_path / "pool.jpg", 600, 400)
    picture = picture_of(file)
    first = Media("Site", tmp_path / "media").picture_files(picture)
    file.unlink()  # only the folder can give them now

    again = Media("Site", tmp_path / "media").picture_files(picture)

    assert again == first and len(first) == 4  # 480 and 600, each as WebP and JPEG
    with pytest.raises(PictureError, match=r"pool\.jpg: cannot be read"):
        Media("Site").picture_files(picture)  # nothing kept: the file is needed


def test_a_picture_changed_since_it_was_loaded_stops_the_build(tmp_path: Path) -> None:
    file = write_picture(tmp_path / "pool.jpg")
    picture = picture_of(file)
    write_picture(file, shade=60)

    with pytest.raises(PictureError, match="changed during the build; build again"):
        Media("Site").picture_files(picture)

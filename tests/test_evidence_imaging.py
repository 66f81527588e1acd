"""Hardened image opening and thumbnails: formats, pixel limits, corrupt files."""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from evidence_fixtures import NANJING, make_geotagged_photo
from inspector.errors import BadInput
from inspector.evidence import imaging
from inspector.evidence.exif import read_photo_metadata
from inspector.evidence.imaging import BadImage, HeifSupportMissing, decoded_size, make_thumbnail, open_image
from sample_data import available_photos, real_photo


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that declares ``width`` × ``height`` pixels but holds one tiny IDAT chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00"))
                     + chunk(b"IEND", b""))
    return path


def test_bad_image_is_bad_input_with_both_languages(tmp_path):
    with pytest.raises(BadImage) as info:
        open_image(tmp_path / "missing.jpg")
    assert isinstance(info.value, BadInput) and info.value.exit_code == 2
    assert "missing.jpg" in info.value.zh and "missing.jpg" in info.value.en


def test_pixel_limit_is_lowered_to_camera_sizes():
    assert Image.MAX_IMAGE_PIXELS == imaging.MAX_PIXELS == 200_000_000


@pytest.mark.parametrize("size", [(15_000, 15_000), (30_000, 30_000), (1, 250_000_000)])
def test_decompression_bombs_are_refused_before_decoding(tmp_path, size):
    bomb = png_header_only(tmp_path / "bomb.png", *size)
    with pytest.raises(BadImage, match="bomb|炸弹"):
        open_image(bomb)
    with pytest.raises(BadImage):
        make_thumbnail(bomb)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "ICO", "PPM"])
def test_formats_outside_the_whitelist_are_refused(tmp_path, fmt):
    path = tmp_path / f"picture.{fmt.lower()}"
    Image.new("RGB", (32, 32), "red").save(path, fmt)
    with pytest.raises(BadImage, match="JPEG"):
        open_image(path)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "WEBP"])
def test_whitelisted_formats_make_thumbnails(tmp_path, fmt):
    path = tmp_path / f"picture.{fmt.lower()}"
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    Image.new(mode, (1000, 500), (10, 200, 30, 128) if mode == "RGBA" else (10, 200, 30)).save(path, fmt)
    data = make_thumbnail(path)
    with Image.open(io.BytesIO(data)) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (320, 160)
    assert decoded_size(path) == (1000, 500)


def test_sixteen_bit_tiff_thumbnail(tmp_path):
    path = tmp_path / "gray16.tif"
    Image.new("I;16", (64, 48), 40000).save(path, "TIFF")
    with Image.open(io.BytesIO(make_thumbnail(path))) as thumb:
        assert thumb.mode == "RGB" and thumb.getpixel((0, 0))[0] > 100


def test_heic_without_pillow_heif_says_what_is_missing(tmp_path):
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 64)
    if "HEIF" in imaging.allowed_formats():
        with pytest.raises(BadImage):  # pillow-heif present: a broken HEIC is just corrupt
            decoded_size(path)
    else:
        with pytest.raises(HeifSupportMissing, match="pillow-heif"):
            open_image(path)


def test_garbage_and_truncated_files(tmp_path):
    garbage = tmp_path / "garbage.jpg"
    garbage.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20)
    with pytest.raises(BadImage):
        decoded_size(garbage)
    photo = make_geotagged_photo(tmp_path / "whole.jpg", *NANJING, size=(800, 600))
    Image.open(photo).close()
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(photo.read_bytes()[: photo.stat().st_size * 2 // 3])
    with open_image(truncated) as image:  # the header alone is fine …
        assert image.size == (800, 600)
    with pytest.raises(BadImage, match="truncated|截断"):  # … but the pixels are not
        decoded_size(truncated)
    with pytest.raises(BadImage):
        make_thumbnail(truncated)
    with pytest.raises(BadImage):
        read_photo_metadata(truncated)


def test_thumbnail_limits(tmp_path):
    photo = make_geotagged_photo(tmp_path / "p.jpg", *NANJING, size=(64, 48))
    with Image.open(io.BytesIO(make_thumbnail(photo))) as thumb:
        assert thumb.size == (64, 48)  # never enlarged
        assert not thumb.getexif()  # no GPS or other EXIF leaks into thumbnails
    with pytest.raises(ValueError):
        make_thumbnail(photo, max_px=0)


def test_thumbnail_applies_exif_orientation():
    samsung = real_photo("Samsung GT-I9000 (Galaxy S).jpg")  # 640×480 stored, orientation 6
    with Image.open(io.BytesIO(make_thumbnail(samsung))) as thumb:
        assert thumb.size == (240, 320)


def test_one_pixel_image_whose_exif_claims_3024_pixels():
    tiny = real_photo("Issue 508.jpg")
    assert decoded_size(tiny) == (1, 1)
    with Image.open(io.BytesIO(make_thumbnail(tiny))) as thumb:
        assert thumb.size == (1, 1)


def test_every_real_photo_opens_and_thumbnails():
    for path in available_photos():
        with Image.open(io.BytesIO(make_thumbnail(path, max_px=128))) as thumb:
            assert max(thumb.size) <= 128

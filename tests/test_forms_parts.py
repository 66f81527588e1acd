"""The pieces behind the forms: coordinate formatting, digest, photo pairing,
MBTiles stitching (TMS row order), map scale, photo preparation, text splitting."""
from __future__ import annotations

import hashlib
import io
import math
import sqlite3
from pathlib import Path

import pytest
from PIL import Image
from shapely.geometry import box

from inspector.demo.form_case import build_demo_case, write_demo_photo
from inspector.errors import BadInput
from inspector.forms import evidence_digest, qr_payload, render_form
from inspector.forms.basemap import compose_basemap
from inspector.forms.coordinates import (
    compass_name,
    format_area,
    format_dms,
    lonlat_to_mercator,
    mercator_to_lonlat,
    nice_scale_length,
)
from inspector.forms.map_projection import MapProjection, map_extent
from inspector.forms.model import FormCase, FormPhoto, FormZone
from inspector.forms.photo_images import prepare_image
from inspector.forms.photos import closure_layout
from inspector.forms.styles import escape_text, split_long_text


def photo(sha: str, phase: str = "before", lon: float | None = None, lat: float | None = None) -> FormPhoto:
    return FormPhoto(Path(f"/nowhere/{sha}.jpg"), sha, "2024-05-10 09:00", lon, lat, phase=phase)  # type: ignore[arg-type]


def minimal_case(**changes: object) -> FormCase:
    fields: dict[str, object] = dict(
        uuid="00000000-0000-4000-8000-000000000001", case_no="T-1", zone_names=["测试保护区"], kind="自然保护地",
        category="自然保护区", function_zone="核心区", admin=None, lon=120.5, lat=33.6, area_m2=None,
        problem_type="测试", description="测试", discovered_on="2024-01-01", deadline=None, responsible_unit=None,
        status="待核查",
    )
    fields.update(changes)
    return FormCase(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "is_longitude", "expected"),
    [
        (120 + 21 / 60 + 3.5 / 3600, True, "120°21′03.50″E"),
        (33.6, False, "33°36′00.00″N"),
        (120 + 21 / 60 + 59.999 / 3600, True, "120°22′00.00″E"),  # seconds round up into the minute
        (119.9999999, True, "120°00′00.00″E"),  # and minutes into the degree
        (-0.5, False, "0°30′00.00″S"),
    ],
)
def test_format_dms(value: float, is_longitude: bool, expected: str) -> None:
    assert format_dms(value, is_longitude=is_longitude) == expected


def test_area_compass_and_scale_helpers() -> None:
    assert format_area(666.6667) == "666.7 m²（约 1.00 亩）"
    assert format_area(None) == ""
    assert [compass_name(b) for b in (0, 44, 46, 90, 180, 270, 338, 359)] == [
        "北", "东北", "东北", "东", "南", "西", "北", "北"]
    assert [nice_scale_length(m) for m in (0.9, 180, 260, 999, 1200, 7000)] == [0.5, 100, 200, 500, 1000, 5000]


def test_mercator_round_trip() -> None:
    x, y = lonlat_to_mercator(120.5, 33.6)
    lon, lat = mercator_to_lonlat(x, y)
    assert lon == pytest.approx(120.5, abs=1e-9) and lat == pytest.approx(33.6, abs=1e-9)


def test_evidence_digest_is_over_sorted_unique_hashes() -> None:
    hashes = ["c" * 64, "A" * 64, "b" * 64, "c" * 64]
    case = minimal_case(photos=[photo(h) for h in hashes])
    expected = hashlib.sha256("\n".join(["a" * 64, "b" * 64, "c" * 64]).encode()).hexdigest()
    assert evidence_digest(case) == expected
    assert evidence_digest(minimal_case()) == hashlib.sha256(b"").hexdigest()
    reordered = minimal_case(photos=[photo(h) for h in reversed(hashes)])
    assert evidence_digest(reordered) == expected
    assert qr_payload(case, "closure") == f"LVDUN:1:CLOSURE:{case.uuid}:{expected}".upper()


def test_default_pairing_pairs_only_while_both_sides_have_photos() -> None:
    before = [photo("1" * 64, lon=120.500, lat=33.6), photo("2" * 64, lon=120.510, lat=33.6),
              photo("3" * 64, lon=120.520, lat=33.6)]
    after = [photo("a" * 64, "after", lon=120.5201, lat=33.6)]
    case = minimal_case(photos=[*before, *after])
    pairs, unpaired = closure_layout(case)
    assert [(b.sha256[0], a.sha256[0]) for b, a in pairs] == [("3", "a")]  # the nearest before photo
    assert [p.sha256[0] for p in unpaired] == ["1", "2"]
    more_after = minimal_case(photos=[before[0], *after, photo("b" * 64, "after")])
    pairs, unpaired = closure_layout(more_after)
    assert [(b.sha256[0], a.sha256[0]) for b, a in pairs] == [("1", "a")]
    assert [p.sha256[0] for p in unpaired] == ["b"]


def tile_png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("scheme", ["tms", "xyz"])
def test_basemap_reads_rows_in_the_declared_scheme(tmp_path: Path, scheme: str) -> None:
    zoom, lon, lat = 12, 120.5, 33.6
    n = 1 << zoom
    column = int((lon + 180) / 360 * n)
    xyz_row = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    path = tmp_path / "t.mbtiles"
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        connection.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
                           "tile_data BLOB)")
        if scheme == "xyz":
            connection.execute("INSERT INTO metadata VALUES ('scheme', 'xyz')")
        for dy, colour in ((-1, (255, 0, 0)), (0, (0, 255, 0)), (1, (0, 0, 255))):  # north, centre, south
            stored_row = xyz_row + dy if scheme == "xyz" else n - 1 - (xyz_row + dy)
            connection.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (zoom, column, stored_row, tile_png(colour)))
    connection.close()
    span = 2 * math.pi * 6378137.0 / n
    west = column * span - math.pi * 6378137.0
    north = math.pi * 6378137.0 - xyz_row * span
    # the centre tile plus parts of the tiles north and south of it
    extent = (west + 0.1 * span, north - 1.9 * span, west + 0.9 * span, north + 0.9 * span)
    image = compose_basemap(path, extent, 80, 280)
    assert image is not None
    assert image.getpixel((40, 10)) == (255, 0, 0)  # top of the image is the northern tile
    assert image.getpixel((40, 130)) == (0, 255, 0)
    assert image.getpixel((40, 270)) == (0, 0, 255)
    assert compose_basemap(path, (0.0, 0.0, 1000.0, 1000.0), 50, 50) is None  # no tile there


def test_scale_matches_ground_distance_at_the_latitude() -> None:
    case = minimal_case(photos=[photo("1" * 64, lon=120.51, lat=33.61)])
    width, height = 480.0, 280.0
    projection = MapProjection(map_extent(case, width / height), width, height)
    lon_a, lat_a = mercator_to_lonlat(projection.extent[0], (projection.extent[1] + projection.extent[3]) / 2)
    lon_b, lat_b = mercator_to_lonlat(projection.extent[2], (projection.extent[1] + projection.extent[3]) / 2)
    # great-circle distance across the map along its central parallel
    phi = math.radians(lat_a)
    ground = 2 * 6371008.8 * math.asin(math.cos(phi) * math.sin(math.radians(lon_b - lon_a) / 2))
    assert projection.ground_metres_per_point() * width == pytest.approx(ground, rel=0.005)
    x, y = projection.to_frame(120.51, 33.61)
    assert 0 < x < width and 0 < y < height  # the photo is inside the map
    x, y = projection.to_frame(120.5, 33.6)
    assert 0 < x < width and 0 < y < height


def test_map_extent_includes_a_small_zone_whole() -> None:

    zone = FormZone("小保护区", "Z1", "自然保护地", "自然保护区", "核心区", box(120.497, 33.597, 120.503, 33.603))
    case = minimal_case(zones=[zone])
    projection = MapProjection(map_extent(case, 1.6), 480, 300)
    for lon, lat in ((120.497, 33.597), (120.503, 33.603)):
        x, y = projection.to_frame(lon, lat)
        assert 0 < x < 480 and 0 < y < 300


def test_prepare_image_orients_and_downscales(tmp_path: Path) -> None:
    path = tmp_path / "sideways.jpg"
    write_demo_photo(path, 1, size=(3200, 2400), exif_rotated=True)
    with Image.open(path) as stored:
        assert stored.size == (2400, 3200)  # stored portrait, EXIF says rotate
    prepared = prepare_image(path, 1600)
    assert (prepared.width_px, prepared.height_px) == (1600, 1200)
    with Image.open(io.BytesIO(prepared.jpeg)) as embedded:
        assert embedded.format == "JPEG" and embedded.size == (1600, 1200)


def test_markup_is_escaped_and_long_text_split() -> None:
    assert escape_text("<b>&${x}\n第二行") == "&lt;b&gt;&amp;${x}<br/>第二行"
    pieces = split_long_text("句子。" * 400, limit=100)
    assert all(len(piece) <= 100 for piece in pieces) and "".join(pieces) == "句子。" * 400
    assert split_long_text("") == [""]


def test_unknown_form_kind_is_bad_input(tmp_path: Path) -> None:
    case = build_demo_case(tmp_path, photo_count=1)
    with pytest.raises(BadInput):
        render_form(case, "receipt")


def test_invalid_3d_and_far_zones_still_render(tmp_path: Path) -> None:
    from shapely.geometry import MultiPolygon, Polygon


    bow_tie = Polygon([(120.49, 33.59), (120.51, 33.61), (120.51, 33.59), (120.49, 33.61)])  # self-intersecting
    far = MultiPolygon([box(121.5, 34.5, 121.6, 34.6), box(121.7, 34.5, 121.8, 34.6)])
    with_z = Polygon([(120.495, 33.600, 5.0), (120.505, 33.600, 5.0), (120.505, 33.606, 6.0), (120.495, 33.606, 6.0)])
    zones = [
        FormZone("三维保护区", "Z0", "自然保护地", "自然保护区", "核心区", with_z),
        FormZone("蝶形保护区", "Z1", "生态保护红线", "湿地", None, bow_tie),
        FormZone("远处保护区", "Z2", "生态空间管控区域", "森林公园", "一般控制区", far),
    ]
    case = build_demo_case(tmp_path, photo_count=1)
    import dataclasses

    data = render_form(dataclasses.replace(case, zones=zones), "inspection", generated_at="2024-10-20 15:30")
    assert data.startswith(b"%PDF")

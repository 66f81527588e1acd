"""EXIF reading against real photos (tests/data/photos, the rest in ../shared/data) and re-tagged Jiangsu copies."""
from __future__ import annotations

import json
import math

import pytest
from PIL.TiffImagePlugin import IFDRational

from evidence_fixtures import NANJING, YANCHENG_COAST, dms_rationals, make_geotagged_photo
from inspector.evidence.exif import (
    PhotoMetadata,
    distance_m,
    far_from_finding_flag,
    position_flags,
    read_photo_metadata,
)
from inspector.evidence.gps import (
    local_east_north,
    offset_lonlat,
    parse_altitude,
    parse_bearing,
    parse_coordinate,
    parse_gps_time,
)
from sample_data import (
    DEG_TOL,
    NO_GPS,
    PLACEHOLDER_ZERO,
    REAL_PHOTO_NAMES,
    SHARED_DATA,
    SHARED_PHOTOS,
    needs_shared_photos,
    parse_expected,
    real_photo,
)

CGCS2000_A, CGCS2000_F = 6378137.0, 1 / 298.257222101


def _seconds(clock: str) -> float:
    h, m, s = clock.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


@needs_shared_photos
def test_every_shared_photo_has_an_expectation():
    assert sorted(p.name for p in SHARED_PHOTOS.glob("*.jpg")) == sorted(REAL_PHOTO_NAMES)
    assert all((SHARED_PHOTOS.parent / "expected-metadata" / f"{name}.txt").is_file() for name in REAL_PHOTO_NAMES)


@pytest.mark.parametrize("name", REAL_PHOTO_NAMES)
def test_real_photo_agrees_with_reference_parser(name):
    meta = read_photo_metadata(real_photo(name))
    expected = parse_expected(name)
    assert (meta.width, meta.height) == expected["size"]
    assert meta.make == expected["make"]
    assert meta.model == expected["model"]
    if name in PLACEHOLDER_ZERO:
        assert meta.lon is None and meta.lat is None and meta.altitude_m is None
        assert "gps_placeholder_zero" in meta.flags
        assert (expected["lat"], expected["lon"]) == (0.0, 0.0)
    elif name in NO_GPS:
        assert "lat" not in expected
        assert meta.lon is None and meta.lat is None
        assert "gps_missing" in meta.flags
    else:
        assert meta.has_position
        assert abs(meta.lat - expected["lat"]) <= DEG_TOL
        assert abs(meta.lon - expected["lon"]) <= DEG_TOL
        if "altitude" in expected:
            assert meta.altitude_m == pytest.approx(expected["altitude"], abs=0.01)
        else:
            assert meta.altitude_m is None
    if "bearing" in expected:
        assert meta.bearing_deg == pytest.approx(expected["bearing"], abs=0.01)
        assert meta.bearing_ref == expected["bearing_ref"]
    else:
        assert meta.bearing_deg is None
    if "gps_time" in expected:
        assert _seconds(meta.gps_time_of_day_utc) == pytest.approx(_seconds(expected["gps_time"]), abs=0.001)
    else:
        assert meta.gps_time_of_day_utc is None


def test_special_cases_of_the_sample_photos():
    fuji = read_photo_metadata(real_photo("FujiFilm FinePixS1Pro (1).jpg"))
    assert fuji.lon < 0 and fuji.lon == pytest.approx(-(1 + 54.85 / 60), abs=1e-9)
    sony = read_photo_metadata(real_photo("Sony DSC-HX5V (2).jpg"))
    assert (sony.bearing_deg, sony.bearing_ref) == (46.5, "M")
    assert sony.gps_time_utc == "2010-05-15T15:12:07Z"
    tiny = read_photo_metadata(real_photo("Issue 508.jpg"))  # EXIF claims 3024×2268
    assert (tiny.width, tiny.height) == (1, 1) and "exif_size_mismatch" in tiny.flags
    samsung = read_photo_metadata(real_photo("Samsung GT-I9000 (Galaxy S).jpg"))
    assert samsung.orientation == 6 and samsung.display_size == (480, 640)
    casio = read_photo_metadata(real_photo("Casio EX-Z3.jpg"))
    assert casio.lon is None and "gps_missing" in casio.flags


@needs_shared_photos
def test_special_cases_of_the_shared_photos():
    iphone6 = read_photo_metadata(real_photo("Apple iPhone 6.jpg"))  # GPSDateStamp "2014:09:259"
    assert iphone6.gps_time_utc is None and "gps_date_invalid" in iphone6.flags
    assert iphone6.taken_at_local == "2014-09-16T14:05:12.133"
    nikon = read_photo_metadata(real_photo("Nikon D5000.jpg"))  # seconds written as 0/0
    assert nikon.has_position and "gps_zero_denominator_as_zero" in nikon.flags
    canon = read_photo_metadata(real_photo("Canon EOS 5D.jpg"))
    assert canon.assumed_timezone and canon.taken_at_utc == "2005-09-24T16:31:00Z"


def test_jiangsu_copy_reads_back(tmp_path):
    lon, lat = NANJING
    path = make_geotagged_photo(tmp_path / "p.jpg", lon, lat, bearing=271.25, bearing_ref="M", altitude=-3.5)
    meta = read_photo_metadata(path)
    assert meta.lon == pytest.approx(lon, abs=1e-7) and meta.lat == pytest.approx(lat, abs=1e-7)
    assert meta.altitude_m == pytest.approx(-3.5)  # GPSAltitudeRef 1: below sea level
    assert (meta.bearing_deg, meta.bearing_ref) == (271.25, "M")
    assert meta.taken_at_local == "2024-05-01T10:20:30" and meta.offset == "+08:00"
    assert meta.taken_at_utc == "2024-05-01T02:20:30Z" and not meta.assumed_timezone
    assert meta.gps_time_utc == "2024-05-01T02:20:31Z"
    assert (meta.make, meta.model, meta.flags) == ("HUAWEI", "Mate 40 Pro", ())


@needs_shared_photos
def test_retagged_real_photo_keeps_its_camera(tmp_path):
    path = make_geotagged_photo(tmp_path / "p.jpg", *YANCHENG_COAST, source=real_photo("Apple iPhone 5.jpg"),
                                make="Apple", model="iPhone 5", offset=None, gps_time=None)
    meta = read_photo_metadata(path)
    assert (meta.lon, meta.lat) == pytest.approx(YANCHENG_COAST, abs=1e-7)
    assert meta.focal_length_35mm == 33 and meta.orientation == 3
    assert meta.assumed_timezone and meta.taken_at_utc == "2024-05-01T02:20:30Z"


def test_timezone_offsets_and_clock_check(tmp_path):
    west = read_photo_metadata(make_geotagged_photo(tmp_path / "a.jpg", *NANJING, offset="-05:30",
                                                    gps_time="2024:05:01 15:50:30"))
    assert west.taken_at_utc == "2024-05-01T15:50:30Z" and "gps_clock_mismatch" not in west.flags
    wrong = read_photo_metadata(make_geotagged_photo(tmp_path / "b.jpg", *NANJING, offset="+25:00"))
    assert wrong.offset is None and {"offset_invalid", "assumed_timezone"} <= set(wrong.flags)
    skewed = read_photo_metadata(make_geotagged_photo(tmp_path / "c.jpg", *NANJING,
                                                      gps_time="2024:05:01 05:00:00"))
    assert "gps_clock_mismatch" in skewed.flags


@pytest.mark.parametrize(
    ("gps", "flag"),
    [
        ({1: "N", 2: (IFDRational(32, 0), 0.0, 0.0), 3: "E", 4: (118.0, 0.0, 0.0)}, "gps_zero_denominator"),
        ({1: "N", 2: (32.0, IFDRational(5, 0), 0.0), 3: "E", 4: (118.0, 0.0, 0.0)}, "gps_zero_denominator"),
        ({1: "N", 2: (IFDRational(0, 0), 0.0, 0.0), 3: "E", 4: (118.0, 0.0, 0.0)}, "gps_zero_denominator"),
        ({1: "N", 2: (95.0, 0.0, 0.0), 3: "E", 4: (118.0, 0.0, 0.0)}, "gps_out_of_range"),
        ({1: "N", 2: (32.0, 75.0, 0.0), 3: "E", 4: (118.0, 0.0, 0.0)}, "gps_invalid"),
        ({1: "X", 2: (32.0, 0.0, 0.0), 3: "E", 4: (118.0, 0.0, 0.0)}, "gps_invalid"),
        ({2: (32.0, 0.0, 0.0), 3: "E", 4: (118.0, 0.0, 0.0)}, "gps_ref_missing"),
        ({1: "N", 2: (32.0, 0.0, 0.0)}, "gps_invalid"),
        ({1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0), 6: 0.0}, "gps_placeholder_zero"),
    ],
)
def test_hostile_gps_values_never_become_a_position(tmp_path, gps, flag):
    meta = read_photo_metadata(make_geotagged_photo(tmp_path / "h.jpg", 0, 0, gps=gps))
    assert meta.lon is None and meta.lat is None and meta.altitude_m is None
    assert flag in meta.flags


def test_coordinate_parser_rejects_bad_components():
    assert parse_coordinate((IFDRational(-32, 1), 0.0, 0.0), "N", axis="lat") == (None, ["gps_invalid"])
    assert parse_coordinate((float("nan"), 0.0, 0.0), "N", axis="lat") == (None, ["gps_invalid"])
    assert parse_coordinate((32.0, 0.0), b"S\x00", axis="lat")[0] == -32.0
    assert parse_coordinate(IFDRational(12050, 100), "E", axis="lon")[0] == 120.5
    assert parse_coordinate((181.0, 0.0, 0.0), "E", axis="lon") == (None, ["gps_out_of_range"])
    assert parse_coordinate("32,30N", "N", axis="lat") == (None, ["gps_invalid"])
    assert parse_coordinate(dms_rationals(33.6), "N", axis="lat")[0] == pytest.approx(33.6, abs=1e-8)


def test_altitude_bearing_and_time_parsers():
    assert parse_altitude(IFDRational(1500, 100), b"\x01") == (-15.0, [])
    assert parse_altitude(IFDRational(1500, 100), 3) == (-15.0, ["altitude_ellipsoidal"])
    assert parse_altitude(IFDRational(1, 0), b"\x00") == (None, ["altitude_invalid"])
    assert parse_altitude(99999.0, b"\x00") == (None, ["altitude_out_of_range"])
    assert parse_bearing(IFDRational(36000, 100), "T") == (0.0, "T", [])
    assert parse_bearing(400.0, "T") == (None, None, ["bearing_invalid"])
    assert parse_bearing(IFDRational(5, 0), "M") == (None, None, ["bearing_invalid"])
    assert parse_bearing(10.0, None) == (10.0, None, ["bearing_ref_missing"])
    assert parse_gps_time("2024:02:29", (23.0, 59.0, 59.5)) == ("2024-02-29T23:59:59.500Z", "23:59:59.500", [])
    assert parse_gps_time("2024:02:29", (24.0, 0.0, 0.0))[2] == ["gps_time_invalid"]
    assert parse_gps_time(None, (1.0, 2.0, 3.0)) == (None, "01:02:03", ["gps_date_missing"])


def test_position_flags_with_a_region_check():
    inside = lambda lon, lat: 116.3 <= lon <= 121.9 and 30.7 <= lat <= 35.2  # noqa: E731 (Jiangsu's bbox)
    assert position_flags(*NANJING, inside_region=inside) == []
    assert position_flags(121.47, 29.0, inside_region=inside) == ["outside_jiangsu"]
    assert position_flags(0.0, 0.0, inside_region=inside) == ["gps_placeholder_zero"]
    assert position_flags(200.0, 32.0) == ["gps_out_of_range"]
    assert position_flags(None, 32.0) == ["gps_missing"]
    assert position_flags(float("nan"), 32.0) == ["gps_invalid"]


@pytest.mark.skipif(not (SHARED_DATA / "jiangsu").is_dir(), reason=f"Jiangsu boundaries not found in {SHARED_DATA}")
def test_outside_jiangsu_with_the_real_city_boundaries():
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import Point, shape

    data = json.loads((SHARED_DATA / "jiangsu" / "province-320000-cities.json").read_text(encoding="utf-8"))
    province = shapely.union_all([shape(f["geometry"]) for f in data["features"]])
    inside = lambda lon, lat: province.contains(Point(lon, lat))  # noqa: E731
    assert position_flags(*NANJING, inside_region=inside) == []
    assert position_flags(121.47, 31.23, inside_region=inside) == ["outside_jiangsu"]  # Shanghai
    real = read_photo_metadata(real_photo("Sony DSC-HX5V (2).jpg"))  # Germany
    assert real.with_flags(*position_flags(real.lon, real.lat, inside_region=inside)).flags[-1] == "outside_jiangsu"


def _meridian_arc(lat1: float, lat2: float, steps: int = 2000) -> float:
    """Meridian arc length on CGCS2000 by Simpson integration of M(φ) (independent check)."""
    e2 = CGCS2000_F * (2 - CGCS2000_F)
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = (phi2 - phi1) / steps
    radius = lambda p: CGCS2000_A * (1 - e2) / (1 - e2 * math.sin(p) ** 2) ** 1.5  # noqa: E731
    total = radius(phi1) + radius(phi2)
    total += sum((4 if i % 2 else 2) * radius(phi1 + i * h) for i in range(1, steps))
    return total * h / 3


def test_distances_on_the_cgcs2000_ellipsoid():
    assert distance_m(120.0, 32.0, 120.0, 33.0) == pytest.approx(_meridian_arc(32.0, 33.0), rel=2e-5)
    e2 = CGCS2000_F * (2 - CGCS2000_F)
    phi = math.radians(32)
    parallel = math.radians(0.1) * CGCS2000_A * math.cos(phi) / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    assert distance_m(120.0, 32.0, 120.1, 32.0) == pytest.approx(parallel, rel=2e-5)
    east, north = 150.0, -80.0
    lon, lat = offset_lonlat(*YANCHENG_COAST, east, north)
    assert local_east_north(*YANCHENG_COAST, lon, lat) == pytest.approx((east, north), abs=1e-6)
    assert distance_m(*YANCHENG_COAST, lon, lat) == pytest.approx(math.hypot(east, north), rel=1e-4)
    assert distance_m(179.9, 0.0, -179.9, 0.0) == pytest.approx(22_264, rel=1e-3)  # across the antimeridian


def test_far_from_finding_flag():
    finding = YANCHENG_COAST
    near = offset_lonlat(*finding, 120.0, 150.0)  # 192 m
    far = offset_lonlat(*finding, 150.0, 150.0)  # 212 m
    assert far_from_finding_flag(*near, *finding) == []
    assert far_from_finding_flag(*far, *finding) == ["far_from_finding"]
    assert far_from_finding_flag(*far, *finding, threshold_m=500) == []
    assert far_from_finding_flag(None, None, *finding) == []
    meta = PhotoMetadata(lon=far[0], lat=far[1], flags=("assumed_timezone",))
    flagged = meta.with_flags(*far_from_finding_flag(meta.lon, meta.lat, *finding), "assumed_timezone")
    assert flagged.flags == ("assumed_timezone", "far_from_finding")

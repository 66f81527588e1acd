"""DJI stills: drone-dji XMP reading and ground footprints, on synthetic Phantom 4 stills."""
from __future__ import annotations

import math

import pytest

from evidence_fixtures import (
    YANCHENG_COAST,
    dji_fields_from_dump,
    dji_xmp_packet,
    make_dji_still,
    make_geotagged_photo,
)
from inspector.evidence.drone import CAMERAS, FULL_FRAME_DIAGONAL_MM, footprint, read_drone_metadata
from inspector.evidence.exif import read_photo_metadata
from inspector.evidence.gps import local_east_north
from inspector.evidence.xmp import read_jpeg_xmp
from sample_data import SHARED_DATA, available_photos

DUMPS = sorted((SHARED_DATA / "drone").glob("*.metadata.txt")) if (SHARED_DATA / "drone").is_dir() else []
needs_dumps = pytest.mark.skipif(not DUMPS, reason=f"DJI metadata dumps not found in {SHARED_DATA / 'drone'}")

LON, LAT = YANCHENG_COAST
# FC330 (Phantom 4): 6.17 × 4.55 mm sensor, 3.61 mm lens, at 120 m
EXPECTED_WIDTH = 120 * 6.17 / 3.61  # 205.1 m
EXPECTED_LENGTH = 120 * 4.55 / 3.61  # 151.2 m
EXPECTED_AREA = EXPECTED_WIDTH * EXPECTED_LENGTH  # 31 020 m²


def _metres(fp) -> list[tuple[float, float]]:
    return [local_east_north(LON, LAT, lon, lat) for lon, lat in fp.corners]


def _spherical_area(fp) -> float:
    """Shoelace area on an equirectangular projection (R = 6371 km): independent, ~0.3 % accurate."""
    radius = 6_371_000.0
    pts = [(math.radians(lon - LON) * radius * math.cos(math.radians(LAT)), math.radians(lat - LAT) * radius)
           for lon, lat in fp.corners]
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True))) / 2


@needs_dumps
@pytest.mark.parametrize("dump", DUMPS, ids=lambda p: p.name.split(".")[0])
def test_still_with_the_xmp_of_a_real_phantom_4_reads_back(tmp_path, dump):
    fields = dji_fields_from_dump(dump)
    assert len(fields) == 13 and fields["RelativeAltitude"].startswith("+")
    path = make_dji_still(tmp_path / "still.jpg", LON, LAT, 0, 0, 0, fields=fields)
    meta = read_drone_metadata(path)
    assert meta is not None and (meta.make, meta.model) == ("DJI", "FC330")
    assert meta.relative_altitude_m == float(fields["RelativeAltitude"])
    assert meta.absolute_altitude_m == float(fields["AbsoluteAltitude"])
    assert meta.gimbal_pitch_deg == float(fields["GimbalPitchDegree"])
    assert meta.gimbal_yaw_deg == float(fields["GimbalYawDegree"])
    assert meta.gimbal_roll_deg == float(fields["GimbalRollDegree"])
    assert meta.flight_yaw_deg == float(fields["FlightYawDegree"])
    assert meta.flight_pitch_deg == float(fields["FlightPitchDegree"])
    assert meta.flight_roll_deg == float(fields["FlightRollDegree"])
    assert (meta.focal_length_mm, meta.focal_length_35mm, meta.flags) == (3.61, 20, ())
    fp = footprint(meta, LON, LAT)
    pitch = meta.gimbal_pitch_deg
    assert fp.kind == ("nadir" if abs(pitch + 90) <= 15 else "oblique")
    assert fp.view_azimuth_deg == pytest.approx(meta.gimbal_yaw_deg % 360)
    if fp.kind == "oblique":  # (2) −50.7° and (3) −29.8°: a direction, no polygon
        assert fp.polygon is None and fp.area_m2 is None
        assert fp.look_distance_m == pytest.approx(meta.relative_altitude_m / math.tan(math.radians(-pitch)))
    else:  # (1) −88.4° at 121.5 m: a slightly tilted footprint, ~2 % larger than nadir
        nadir_area = EXPECTED_AREA * (121.5 / 120) ** 2
        assert nadir_area < fp.area_m2 < nadir_area * 1.02


def test_nadir_footprint_at_120_m(tmp_path):
    path = make_dji_still(tmp_path / "nadir.jpg", LON, LAT, 120.0, -90.0, 0.0)
    meta = read_drone_metadata(path)
    fp = footprint(meta, LON, LAT)
    assert fp.kind == "nadir" and fp.flags == ()
    assert fp.ground_width_m == pytest.approx(EXPECTED_WIDTH, rel=1e-9)
    assert fp.ground_length_m == pytest.approx(EXPECTED_LENGTH, rel=1e-9)
    assert fp.area_m2 == pytest.approx(EXPECTED_AREA, rel=0.15)  # the brief's bound …
    assert fp.area_m2 == pytest.approx(EXPECTED_AREA, rel=1e-6)  # … and what it really is
    assert _spherical_area(fp) == pytest.approx(EXPECTED_AREA, rel=0.01)
    corners = _metres(fp)
    assert sorted(round(e, 3) for e, _ in corners) == pytest.approx([-102.548] * 2 + [102.548] * 2, abs=1e-3)
    assert sorted(round(n, 3) for _, n in corners) == pytest.approx([-75.623] * 2 + [75.623] * 2, abs=1e-3)
    assert fp.look_at == pytest.approx((LON, LAT)) and fp.look_distance_m == 0
    assert fp.polygon.exterior.is_ccw
    (tl_e, tl_n), (tr_e, tr_n), (br_e, br_n), _ = corners  # image order: TL, TR, BR, BL
    assert tl_e < 0 < tr_e and tl_n > 0 > br_n


def test_footprint_area_agrees_with_gauss_kruger(tmp_path):
    geodesy = pytest.importorskip("inspector.geo.geodesy")
    fp = footprint(read_drone_metadata(make_dji_still(tmp_path / "s.jpg", LON, LAT, 120.0, -90.0, 33.0)), LON, LAT)
    # Gauss-Krüger areas carry the zone's scale factor (1.00006 at 0.5° from CM 120°).
    assert geodesy.area_m2(fp.polygon) == pytest.approx(fp.area_m2, rel=2e-4)


def test_gimbal_yaw_rotates_the_footprint(tmp_path):
    meta = read_drone_metadata(make_dji_still(tmp_path / "east.jpg", LON, LAT, 120.0, -90.0, 90.0))
    fp = footprint(meta, LON, LAT)
    corners = _metres(fp)  # facing east: the image width now runs north-south
    assert max(n for _, n in corners) == pytest.approx(EXPECTED_WIDTH / 2, rel=1e-4)
    assert max(e for e, _ in corners) == pytest.approx(EXPECTED_LENGTH / 2, rel=1e-4)
    meta = read_drone_metadata(make_dji_still(tmp_path / "ne.jpg", LON, LAT, 120.0, -90.0, -315.0))
    fp45 = footprint(meta, LON, LAT)
    assert fp45.view_azimuth_deg == 45.0 and fp45.area_m2 == pytest.approx(EXPECTED_AREA, rel=1e-6)
    top_mid = [(a + b) / 2 for a, b in zip(*_metres(fp45)[:2], strict=True)]  # image top edge faces north-east
    assert math.degrees(math.atan2(top_mid[0], top_mid[1])) == pytest.approx(45.0)


def test_small_pitch_tilt_gives_a_trapezoid_ahead(tmp_path):
    meta = read_drone_metadata(make_dji_still(tmp_path / "tilt.jpg", LON, LAT, 120.0, -80.0, 0.0))
    fp = footprint(meta, LON, LAT)
    assert fp.kind == "nadir" and fp.area_m2 > EXPECTED_AREA
    (e1, n1), (e2, n2), (e3, n3), (e4, n4) = sorted(_metres(fp), key=lambda p: -p[1])
    assert abs(e1 - e2) > abs(e3 - e4)  # the far edge is wider
    assert fp.look_distance_m == pytest.approx(120 * math.tan(math.radians(10)))


def test_oblique_shot_gives_a_view_direction(tmp_path):
    meta = read_drone_metadata(make_dji_still(tmp_path / "oblique.jpg", LON, LAT, 120.0, -30.0, -7.8))
    fp = footprint(meta, LON, LAT)
    assert fp.kind == "oblique" and fp.polygon is None and fp.corners == ()
    assert (fp.view_azimuth_deg, fp.pitch_deg) == (pytest.approx(352.2), -30.0)
    assert fp.look_distance_m == pytest.approx(120 / math.tan(math.radians(30)))
    east, north = local_east_north(LON, LAT, *fp.look_at)
    assert math.hypot(east, north) == pytest.approx(fp.look_distance_m, rel=1e-6)
    assert math.degrees(math.atan2(east, north)) % 360 == pytest.approx(352.2)
    horizon = footprint(read_drone_metadata(make_dji_still(tmp_path / "h.jpg", LON, LAT, 120.0, 5.0, 0.0)), LON, LAT)
    assert horizon.kind == "oblique" and horizon.look_at is None


def test_unknown_camera_uses_the_35mm_equivalent(tmp_path):
    meta = read_drone_metadata(make_dji_still(tmp_path / "x.jpg", LON, LAT, 120.0, -90.0, 0.0, model="FC9999"))
    fp = footprint(meta, LON, LAT)
    assert "fov_from_35mm_equivalent" in fp.flags
    assert fp.ground_width_m == pytest.approx(120 * FULL_FRAME_DIAGONAL_MM * 0.8 / 20, rel=1e-9)
    assert fp.area_m2 == pytest.approx(EXPECTED_AREA, rel=0.05)
    blind = read_drone_metadata(make_dji_still(tmp_path / "y.jpg", LON, LAT, 120.0, -90.0, 0.0, model="FC9999",
                                               focal_35mm=None))
    fp = footprint(blind, LON, LAT)
    assert fp.polygon is None and "field_of_view_unknown" in fp.flags


def test_sixteen_by_nine_stills_crop_the_sensor(tmp_path):
    meta = read_drone_metadata(make_dji_still(tmp_path / "w.jpg", LON, LAT, 120.0, -90.0, 0.0, size=(400, 225)))
    fp = footprint(meta, LON, LAT)
    assert fp.ground_width_m == pytest.approx(EXPECTED_WIDTH)
    assert fp.ground_length_m == pytest.approx(EXPECTED_WIDTH * 9 / 16)


def test_missing_altitude_or_attitude(tmp_path):
    fields = {"GimbalPitchDegree": "-90.00", "GimbalYawDegree": "+10.00", "RelativeAltitude": "abc"}
    meta = read_drone_metadata(make_dji_still(tmp_path / "a.jpg", LON, LAT, 0, 0, 0, fields=fields))
    assert meta.relative_altitude_m is None and "relative_altitude_m_invalid" in meta.flags
    fp = footprint(meta, LON, LAT)
    assert fp.kind == "unknown" and fp.polygon is None and "altitude_unknown" in fp.flags
    fields = {"FlightYawDegree": "+10.00", "GimbalPitchDegree": "-90.00", "RelativeAltitude": "+50.0"}
    meta = read_drone_metadata(make_dji_still(tmp_path / "b.jpg", LON, LAT, 0, 0, 0, fields=fields))
    fp = footprint(meta, LON, LAT)
    assert fp.kind == "nadir" and "yaw_from_flight" in fp.flags and fp.view_azimuth_deg == 10.0


def test_element_form_xmp(tmp_path):
    path = make_dji_still(tmp_path / "e.jpg", LON, LAT, 87.5, -89.9, 120.0, element_form=True)
    meta = read_drone_metadata(path)
    assert (meta.relative_altitude_m, meta.gimbal_pitch_deg, meta.gimbal_yaw_deg) == (87.5, -89.9, 120.0)


def test_malformed_or_hostile_xmp(tmp_path):
    broken = dji_xmp_packet({"RelativeAltitude": "+60.00", "GimbalPitchDegree": "-90.00"}).replace(b"</rdf:RDF>", b"")
    meta = read_drone_metadata(make_dji_still(tmp_path / "m.jpg", LON, LAT, 0, 0, 0, packet=broken))
    assert meta.relative_altitude_m == 60.0 and "xmp_malformed" in meta.flags
    hostile = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
               b'<x:xmpmeta xmlns:x="adobe:ns:meta/" xmlns:drone-dji="http://www.dji.com/drone-dji/1.0/">'
               b'<drone-dji:RelativeAltitude>&b;</drone-dji:RelativeAltitude></x:xmpmeta>')
    meta = read_drone_metadata(make_dji_still(tmp_path / "h.jpg", LON, LAT, 0, 0, 0, packet=hostile))
    assert meta.relative_altitude_m is None  # entities are never expanded
    assert {"xmp_malformed", "relative_altitude_m_invalid"} <= set(meta.flags)


def test_photos_that_are_not_dji_stills(tmp_path):
    photo = make_geotagged_photo(tmp_path / "phone.jpg", LON, LAT)
    assert read_jpeg_xmp(photo) is None and read_drone_metadata(photo) is None
    other = make_dji_still(tmp_path / "o.jpg", LON, LAT, 0, 0, 0,
                           packet=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><a b="1"/></x:xmpmeta>')
    assert read_drone_metadata(other) is None
    for real in available_photos():
        assert read_drone_metadata(real) is None


def test_dji_still_also_reads_as_a_photo(tmp_path):
    meta = read_photo_metadata(make_dji_still(tmp_path / "p.jpg", LON, LAT, 120.0, -90.0, 0.0))
    assert (meta.lon, meta.lat) == pytest.approx((LON, LAT), abs=1e-7)
    assert (meta.make, meta.model, meta.focal_length_mm, meta.focal_length_35mm) == ("DJI", "FC330", 3.61, 20)


def test_camera_table_is_self_consistent():
    for model, spec in CAMERAS.items():
        diagonal = math.hypot(spec.sensor_width_mm, spec.sensor_height_mm)
        equivalent = spec.focal_length_mm * FULL_FRAME_DIAGONAL_MM / diagonal
        assert equivalent == pytest.approx(spec.focal_length_35mm, rel=0.08), model
    assert CAMERAS["FC330"].sensor_width_mm == 6.17 and CAMERAS["FC6310"].sensor_width_mm == 13.2

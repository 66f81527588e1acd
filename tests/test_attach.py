"""Attaching evidence: real photos, Jiangsu copies, DJI stills, orthophotos, hostile files, the CLI."""
from __future__ import annotations

import json
import math
import shutil

import pytest

from evidence_fixtures import make_dji_still, make_geotagged_photo
from inspector.casework.evidence_attach import attach
from inspector.casework.findings import add_finding
from inspector.evidence.gps import offset_lonlat
from inspector.store.media_store import blob_path, hash_file, thumbnail_path
from sample_data import DEG_TOL, NO_GPS, PLACEHOLDER_ZERO, available_photos, parse_expected
from tests.case_fixtures import CENTRE, CORE_CASE, CORE_ZONE, build_case_workspace, run_cli
from tests.test_evidence_orthophoto import write_geotiff
from tests.vector_fixtures import lonlat_to_gk

CONTRACT_KEYS = {"sha256", "kind", "lon", "lat", "altitude_m", "bearing_deg", "taken_at_utc", "make", "model",
                 "flags", "zones", "function_zone", "footprint_area_m2", "footprint_zones"}


@pytest.fixture
def case_ws(tmp_path):
    workspace = build_case_workspace(tmp_path / "case")
    yield workspace
    workspace.close()


def _evidence_count(ws) -> int:
    return ws.conn.execute("SELECT count(*) FROM evidence").fetchone()[0]


def test_every_real_photo_attaches_with_its_reference_values(case_ws, tmp_path):
    copies = tmp_path / "copies"
    copies.mkdir()
    names = [shutil.copy2(photo, copies / photo.name).name for photo in available_photos()]
    originals = {name: hash_file(copies / name)[0] for name in names}
    results = attach(case_ws, CORE_CASE, [copies / n for n in names], actor="tester")
    assert len(results) == len(names)
    for name, result in zip(names, results):
        assert "error" not in result, result
        assert CONTRACT_KEYS <= set(result)
        expected = parse_expected(name)
        assert result["kind"] == "photo" and result["sha256"] == originals[name]
        assert result["make"] == expected["make"] and result["model"] == expected["model"]
        assert result["lon"] is None and result["lat"] is None and result["zones"] == []
        if name in PLACEHOLDER_ZERO:
            assert "gps_placeholder_zero" in result["flags"] and "reported_lon" not in result
        elif name in NO_GPS:
            assert "outside_jiangsu" not in result["flags"] and "reported_lon" not in result
        else:  # real positions, all outside China: flagged, reported values kept
            assert "outside_jiangsu" in result["flags"]
            assert abs(result["reported_lat"] - expected["lat"]) <= DEG_TOL
            assert abs(result["reported_lon"] - expected["lon"]) <= DEG_TOL
        if "bearing" in expected:
            assert result["bearing_deg"] == pytest.approx(expected["bearing"], abs=0.01)
    assert {name: hash_file(copies / name)[0] for name in names} == originals  # originals untouched
    assert _evidence_count(case_ws) == len(names)


def test_retagged_jiangsu_copies_attach_with_zones(case_ws, tmp_path):
    photos = [p for p in available_photos() if p.name not in PLACEHOLDER_ZERO][:4]
    names = [p.name for p in photos]
    near = offset_lonlat(*CENTRE, 60.0, -40.0)  # inside the 500 m core zone
    files = [make_geotagged_photo(tmp_path / f"js-{i}.jpg", *near, bearing=90.0 + i, source=photo,
                                  make=parse_expected(photo.name)["make"] or "",
                                  model=parse_expected(photo.name)["model"] or "")
             for i, photo in enumerate(photos)]
    finding = add_finding(case_ws, CORE_CASE, assessment="确认问题", activity_type="养殖", description="新建养殖塘")
    results = attach(case_ws, CORE_CASE, files, finding=finding["uuid"], phase="inspection")
    for i, (name, result) in enumerate(zip(names, results)):
        assert result["lon"] == pytest.approx(near[0], abs=1e-6) and result["lat"] == pytest.approx(near[1], abs=1e-6)
        assert result["zones"] == [CORE_ZONE]
        assert result["function_zone"] == "核心保护区"
        assert result["bearing_deg"] == pytest.approx(90.0 + i)
        assert result["make"] == parse_expected(name)["make"]
        assert "far_from_finding" not in result["flags"]


def test_photo_far_from_its_finding_is_flagged(case_ws, tmp_path):
    finding = add_finding(case_ws, CORE_CASE, assessment="待定", activity_type="其他", description="")
    far = make_geotagged_photo(tmp_path / "far.jpg", *offset_lonlat(*CENTRE, 350.0, 0.0))
    near = make_geotagged_photo(tmp_path / "near.jpg", *offset_lonlat(*CENTRE, 150.0, 0.0))
    results = attach(case_ws, CORE_CASE, [far, near], finding=finding["uuid"])
    assert "far_from_finding" in results[0]["flags"] and "far_from_finding" not in results[1]["flags"]
    case_ws.set_meta("photo_max_distance_m", "100")
    again = attach(case_ws, CORE_CASE, [near], finding=finding["uuid"], phase="before")
    assert "far_from_finding" in again[0]["flags"]


def test_dji_still_footprint_and_zones(case_ws, tmp_path):
    still = make_dji_still(tmp_path / "DJI_0001.JPG", *CENTRE, 120.0, -90.0, 30.0)
    [result] = attach(case_ws, CORE_CASE, [still])
    assert result["kind"] == "drone" and result["model"] == "FC330"
    # FC330: 6.17 × 4.55 mm sensor, 3.61 mm lens, 120 m above ground
    expected = (120.0 * 6.17 / 3.61) * (120.0 * 4.55 / 3.61)
    assert result["footprint_area_m2"] == pytest.approx(expected, rel=0.15)
    zones = {z["name"]: z for z in result["footprint_zones"]}
    assert CORE_ZONE in zones
    core = [z for z in result["footprint_zones"] if z["function_zone"] == "核心保护区"][0]
    assert core["area_m2"] == pytest.approx(result["footprint_area_m2"], rel=0.01)  # all inside the core
    assert result["bearing_deg"] == pytest.approx(30.0) and result["relative_altitude_m"] == 120.0
    row = case_ws.conn.execute("SELECT footprint_geojson, footprint_area_m2 FROM evidence").fetchone()
    assert json.loads(row[0])["type"] == "Polygon" and row[1] == result["footprint_area_m2"]


def test_drone_footprint_over_the_zone_edge(case_ws, tmp_path):
    edge = offset_lonlat(*CENTRE, 250.0, 0.0)  # on the east edge of the 500 m core square
    still = make_dji_still(tmp_path / "edge.jpg", *edge, 100.0, -90.0, 0.0)
    [result] = attach(case_ws, CORE_CASE, [still])
    by_zone = {z["function_zone"]: z["area_m2"] for z in result["footprint_zones"]}
    assert by_zone["核心保护区"] == pytest.approx(result["footprint_area_m2"] / 2, rel=0.05)
    assert by_zone["一般控制区"] == pytest.approx(result["footprint_area_m2"] / 2, rel=0.05)


def test_orthophoto_bounds_and_zones(case_ws, tmp_path):
    x, y = lonlat_to_gk(*CENTRE)
    tif = write_geotiff(tmp_path / "ortho.tif", 4549, (x - 100.0, y + 50.0), 1.0, size=(200, 100))
    [result] = attach(case_ws, CORE_CASE, [tif])
    assert result["kind"] == "orthophoto"
    minlon, minlat, maxlon, maxlat = result["bounds"]
    assert minlon < CENTRE[0] < maxlon and minlat < CENTRE[1] < maxlat
    assert result["footprint_area_m2"] == pytest.approx(20_000, rel=0.02)
    assert result["footprint_zones"][0]["name"] == CORE_ZONE


def test_hostile_files_fail_alone_and_leave_nothing_behind(case_ws, tmp_path):
    good = make_geotagged_photo(tmp_path / "good.jpg", *CENTRE)
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    script = tmp_path / "evil.jpg"
    script.write_bytes(b"<script>alert(1)</script>" * 10)
    missing = tmp_path / "missing.jpg"
    results = attach(case_ws, CORE_CASE, [truncated, good, script, missing])
    assert [("error" in r) for r in results] == [True, False, True, True]
    assert all(r["file"] and r["error"] for r in results if "error" in r)
    assert _evidence_count(case_ws) == 1
    blobs = [p for p in case_ws.media_dir.rglob("*") if p.is_file()]
    assert blobs == [blob_path(case_ws.media_dir, results[1]["sha256"])]


def test_same_file_twice_is_one_blob(case_ws, tmp_path):
    photo = make_geotagged_photo(tmp_path / "p.jpg", *CENTRE)
    copy = shutil.copy2(photo, tmp_path / "renamed.jpg")
    first, second = attach(case_ws, CORE_CASE, [photo, copy])
    assert first["sha256"] == second["sha256"] and second["already_attached"]
    other_case = attach(case_ws, "LD-002", [photo])[0]
    assert other_case["sha256"] == first["sha256"] and "already_attached" not in other_case
    assert case_ws.conn.execute("SELECT count(*) FROM media_blobs").fetchone()[0] == 1
    assert _evidence_count(case_ws) == 2
    files = [p for p in case_ws.media_dir.rglob("*") if p.is_file()]
    assert len(files) == 1 and hash_file(files[0])[0] == first["sha256"]
    thumb = thumbnail_path(case_ws, first["sha256"], 64)
    assert thumb.is_file() and thumbnail_path(case_ws, first["sha256"], 64) == thumb


def test_cli_attach_contract(case_ws, tmp_path):
    root = str(case_ws.root)
    case_uuid = case_ws.conn.execute("SELECT uuid FROM cases WHERE case_no = ?", (CORE_CASE,)).fetchone()[0]
    case_ws.close()
    good = make_geotagged_photo(tmp_path / "good.jpg", *CENTRE, bearing=12.5)
    still = make_dji_still(tmp_path / "still.jpg", *CENTRE, 120.0, -90.0, 0.0)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really")
    result = run_cli("--workspace", root, "attach", case_uuid, str(good), str(bad), str(still),
                     "--phase", "after", "--json")
    assert result.returncode == 2, result.stderr
    payload = json.loads(result.stdout)
    assert isinstance(payload, list) and len(payload) == 3
    assert CONTRACT_KEYS <= set(payload[0]) and payload[0]["kind"] == "photo"
    assert payload[0]["zones"][0] == CORE_ZONE and payload[0]["bearing_deg"] == 12.5
    assert payload[1]["file"].endswith("bad.jpg") and payload[1]["error"]
    assert payload[2]["kind"] == "drone" and payload[2]["footprint_area_m2"] > 0
    assert payload[2]["footprint_zones"][0]["name"] == CORE_ZONE
    ok = run_cli("--workspace", root, "attach", CORE_CASE, str(good), "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)[0]["sha256"] == payload[0]["sha256"]
    assert math.isclose(json.loads(ok.stdout)[0]["lon"], CENTRE[0], abs_tol=1e-6)

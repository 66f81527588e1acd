"""Navigation to a case (issue 16 item 2): geodesic distance and bearing against SpatiaLite's ellipsoidal
functions, the zones at the position and the nearest zone edge inside and outside, and ``inspector navigate``."""
from __future__ import annotations

import json

import pytest
from osgeo import osr

from inspector.geo.field_settings import arrival_radius_m
from inspector.geo.navigation import geodesic_inverse, navigate, zones_and_edge
from inspector.store.db import connect
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, run_cli
from tests.vector_fixtures import gk_to_lonlat_srs, lonlat_to_gk

PAIRS = [  # (lon1, lat1, lon2, lat2): field distances to across the province, every direction
    (120.5, 33.5, 120.5003, 33.5002),
    (119.2, 34.6, 119.25, 34.65),
    (121.9, 31.7, 121.85, 31.75),
    (118.8, 32.0, 118.7, 31.9),
    (116.4, 34.7, 121.9, 31.2),
    (120.0, 32.0, 120.0, 33.0),
    (120.0, 32.0, 121.0, 32.0),
]


def gk_offset(east_m: float, north_m: float) -> tuple[float, float]:
    """The lon/lat ``east_m``/``north_m`` Gauss-Krüger metres from the test zones' centre."""
    cx, cy = lonlat_to_gk(*CENTRE)
    gk, geo = gk_to_lonlat_srs()
    lon, lat, _ = osr.CoordinateTransformation(gk, geo).TransformPoint(cx + east_m, cy + north_m)
    return lon, lat


def test_distance_and_bearing_match_the_ellipsoidal_geodesic(tmp_path):
    conn = connect(tmp_path / "reference.sqlite")
    conn.execute("SELECT InitSpatialMetadata(1)")
    for lon1, lat1, lon2, lat2 in PAIRS:
        metres, bearing = geodesic_inverse(lon1, lat1, lon2, lat2)
        reference = conn.execute(
            "SELECT GeodesicLength(MakeLine(MakePoint(?, ?, 4490), MakePoint(?, ?, 4490))), "
            "Degrees(ST_Azimuth(MakePoint(?, ?, 4490), MakePoint(?, ?, 4490)))",
            (lon1, lat1, lon2, lat2, lon1, lat1, lon2, lat2)).fetchone()
        assert metres == pytest.approx(reference[0], rel=1e-3)
        assert metres == pytest.approx(reference[0], rel=1e-6)  # both are ellipsoidal geodesics
        gap = (bearing - reference[1] % 360 + 180) % 360 - 180
        assert abs(gap) < 0.01, (lon1, lat1, lon2, lat2, bearing, reference[1])
    conn.close()
    assert geodesic_inverse(120.0, 32.0, 120.0, 32.0) == (0.0, 0.0)
    assert geodesic_inverse(120.0, 32.0, 120.0, 33.0)[1] == pytest.approx(0.0, abs=1e-9)
    assert geodesic_inverse(120.0, 33.0, 120.0, 32.0)[1] == pytest.approx(180.0)
    assert geodesic_inverse(120.0, 32.0, 121.0, 32.0)[1] == pytest.approx(90.0, abs=0.3)
    assert geodesic_inverse(120.0, 32.0, -60.0, -32.0)[0] > 19_000_000  # nearly antipodal: an answer, no hang


def test_zones_and_nearest_edge_inside_and_outside(tmp_path):
    ws = build_case_workspace(tmp_path)
    core = zones_and_edge(ws, *gk_offset(100, 0))  # in the 500 m core square, 150 m from its east side
    assert [z["function_zone"] for z in core["inside_zones"]] == ["核心保护区"]
    assert core["nearest_edge_m"] == pytest.approx(150, abs=0.5)
    general = zones_and_edge(ws, *gk_offset(0, 600))  # in the ring: 350 m to the core, 400 m to the outside
    assert [z["function_zone"] for z in general["inside_zones"]] == ["一般控制区"]
    assert general["nearest_edge_m"] == pytest.approx(350, abs=0.5)
    outside = zones_and_edge(ws, *gk_offset(0, -1200))  # 200 m south of the reserve
    assert outside["inside_zones"] == []
    assert outside["nearest_edge_m"] == pytest.approx(200, abs=0.5)
    assert outside["nearest_edge_zone"]["name"] == "射阳河口湿地保护区"
    far = zones_and_edge(ws, 118.0, 34.5)  # over 50 km from every zone
    assert far["inside_zones"] == [] and far["nearest_edge_m"] is None
    ws.close()


def test_navigate_towards_a_case(tmp_path):
    ws = build_case_workspace(tmp_path)
    lon, lat = gk_offset(0, -1200)
    result = navigate(ws, *CENTRE, lon, lat)
    assert result["distance_m"] == pytest.approx(1200, rel=2e-3)
    assert result["bearing_deg"] == pytest.approx(0, abs=1.5) or result["bearing_deg"] > 358.5
    assert result["target"] == {"lon": CENTRE[0], "lat": CENTRE[1]}
    assert arrival_radius_m(ws) == 30.0
    ws.set_meta("arrival_radius_m", "50")
    assert arrival_radius_m(ws) == 50.0
    ws.set_meta("arrival_radius_m", "-3")
    assert arrival_radius_m(ws) == 30.0
    ws.close()


def test_navigate_command(tmp_path):
    ws = build_case_workspace(tmp_path)
    root = str(ws.root)
    ws.close()
    lon, lat = gk_offset(-300, 0)  # west of the case, in the general zone, 50 m from the core's west side
    result = run_cli("--workspace", root, "navigate", CORE_CASE, "--from", str(lon), str(lat), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert {"distance_m", "bearing_deg", "inside_zones", "nearest_edge_m", "target"} <= payload.keys()
    assert payload["distance_m"] == pytest.approx(300, rel=2e-3)
    assert payload["bearing_deg"] == pytest.approx(90, abs=1.0)
    assert [z["function_zone"] for z in payload["inside_zones"]] == ["一般控制区"]
    assert payload["nearest_edge_m"] == pytest.approx(50, abs=0.5)
    assert payload["case_no"] == CORE_CASE and payload["arrived"] is False
    human = run_cli("--workspace", root, "navigate", CORE_CASE, "--from", str(lon), str(lat),
                    env={"INSPECTOR_LANG": "en"})
    assert human.returncode == 0 and "bearing 90° (E)" in human.stdout
    for bad in (["nan", "33.5"], ["120.5", "91"], ["200", "33"]):
        refused = run_cli("--workspace", root, "navigate", CORE_CASE, "--from", *bad, "--json")
        assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    unknown = run_cli("--workspace", root, "navigate", "NO-SUCH", "--from", "120.5", "33.5", "--json")
    assert unknown.returncode == 2 and "NO-SUCH" in unknown.stderr
    assert run_cli("--workspace", root, "navigate", CORE_CASE, "--from", "abc", "1").returncode == 2

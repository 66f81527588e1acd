"""The verified extent (核实范围, issue 15 item 5) in the core: validated like hostile input, its area computed
in the Gauss-Krüger zone, stored beside the delivered extent as an audited, syncing edit."""
from __future__ import annotations

import json

import pytest
import shapely

from inspector.casework.cases import resolve_case
from inspector.casework.verified_extent import MAX_EXTENT_VERTICES, set_verified_extent
from inspector.errors import BadInput
from inspector.geo.geodesy import area_m2, central_meridian, project
from patch_fixtures import give_patch

CASE = "LD2026-320900-002"


def square(lon: float, lat: float, half: float = 0.001) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon - half, lat - half], [lon + half, lat - half],
                                                [lon + half, lat + half], [lon - half, lat + half],
                                                [lon - half, lat - half]]]}


def case_row(ws):
    return ws.conn.execute("SELECT * FROM cases WHERE case_no = ?", (CASE,)).fetchone()


def test_a_verified_extent_is_stored_beside_the_delivered_one(demo_ws):
    delivered = give_patch(demo_ws, CASE)
    before = case_row(demo_ws)
    case = resolve_case(demo_ws, CASE)
    outcome = set_verified_extent(demo_ws, CASE, json.dumps(square(case["lon"], case["lat"])), actor="tester")
    after = case_row(demo_ws)
    geom = shapely.geometry.shape(json.loads(after["verified_geometry_geojson"]))
    projected = project(geom, central_meridian(case["lon"]))
    assert after["verified_area_m2"] == pytest.approx(projected.area, rel=1e-6)
    assert after["verified_area_m2"] == pytest.approx(area_m2(geom), rel=1e-6) and 30_000 < projected.area < 50_000
    assert outcome["verified_area_m2"] == after["verified_area_m2"] and outcome.changes.affects(case["uuid"])
    # The delivered extent and area are untouched; the edit syncs and is audited.
    assert after["geometry_geojson"] == before["geometry_geojson"]
    assert after["area_m2"] == pytest.approx(area_m2(delivered))
    assert after["revision"] == before["revision"] + 1 and after["dirty"] == 1
    audit = demo_ws.conn.execute("SELECT action, actor FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    assert tuple(audit) == ("case.verified_extent", "tester")


def test_a_self_intersecting_extent_is_made_valid(demo_ws):
    case = resolve_case(demo_ws, CASE)
    lon, lat, d = case["lon"], case["lat"], 0.001
    bowtie = {"type": "Polygon", "coordinates": [[[lon - d, lat - d], [lon + d, lat + d], [lon + d, lat - d],
                                                  [lon - d, lat + d], [lon - d, lat - d]]]}
    outcome = set_verified_extent(demo_ws, CASE, bowtie, actor="tester")
    geom = shapely.geometry.shape(outcome["verified_geometry"])
    assert geom.is_valid and geom.geom_type == "MultiPolygon" and outcome["verified_area_m2"] > 0


def hostile_inputs(lon: float, lat: float) -> list:
    many = [[lon + 0.0005 * (i % 2), lat + 0.000001 * i] for i in range(MAX_EXTENT_VERTICES + 10)]
    return [
        "<img src=x onerror=alert(1)>", "${x}", "null", "[]", "42", "{}", 42, None, ["a"],
        json.dumps({"type": "Point", "coordinates": [lon, lat]}),
        json.dumps({"type": "LineString", "coordinates": [[lon, lat], [lon + 0.001, lat]]}),
        json.dumps({"type": "Polygon", "coordinates": "<script>alert(1)</script>"}),
        json.dumps({"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], ["a", "b"]]]}),
        json.dumps(square(lon, lat)).replace(str(lon - 0.001), "NaN", 1),
        json.dumps(square(lon, lat)).replace(str(lat + 0.001), "Infinity", 1),
        json.dumps({"type": "Polygon", "coordinates": [[[True, False]] * 4]}),
        json.dumps({"type": "Polygon", "coordinates": [many + [many[0]]]}),
        json.dumps({"type": "MultiPolygon", "coordinates": [square(lon, lat)["coordinates"]] * 3000}),
        json.dumps(square(lon + 0.5, lat)),  # another place: not this case's extent
        json.dumps(square(lon, lat, 0.5)),  # far larger than a patch
        json.dumps({"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.001, lat], [lon + 0.002, lat],
                                                        [lon, lat]]]}),  # no area
        "[" * 100_000 + "]" * 100_000,
        "x" * 2_000_000,
    ]


def test_hostile_extents_are_refused_and_nothing_is_stored(demo_ws):
    give_patch(demo_ws, CASE)
    before = dict(case_row(demo_ws))
    case = resolve_case(demo_ws, CASE)
    for value in hostile_inputs(case["lon"], case["lat"]):
        with pytest.raises(BadInput) as refused:
            set_verified_extent(demo_ws, CASE, value, actor="tester")
            assert "核实范围" in refused.value.zh, repr(value)[:80]
    assert dict(case_row(demo_ws)) == before


def test_a_closed_case_keeps_its_extent(demo_ws):
    case = resolve_case(demo_ws, CASE)
    demo_ws.conn.execute("UPDATE cases SET status = '已销号' WHERE case_no = ?", (CASE,))
    demo_ws.conn.commit()
    with pytest.raises(BadInput):
        set_verified_extent(demo_ws, CASE, square(case["lon"], case["lat"]), actor="tester")
    assert case_row(demo_ws)["verified_geometry_geojson"] is None


def test_the_forms_print_the_delivered_and_the_verified_area(demo_ws, tmp_path):
    import subprocess

    from inspector.forms.form_export import write_case_form

    give_patch(demo_ws, CASE)
    case = resolve_case(demo_ws, CASE)
    outcome = set_verified_extent(demo_ws, CASE, square(case["lon"], case["lat"]), actor="tester")
    for kind in ("inspection", "closure"):
        pdf = tmp_path / f"{kind}.pdf"
        write_case_form(demo_ws, CASE, kind, pdf)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "下发面积" in text and "核实面积" in text
        assert f"{outcome['verified_area_m2']:,.1f} m²" in text and f"{case['area_m2']:,.1f} m²" in text

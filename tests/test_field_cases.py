"""Problems found in the field (issue 15, item 6): ``case new`` and :func:`create_field_case` — a provisional
number per device that is never given twice, attribution like any other case, a polygon's representative point
and area, and bad input refused with exit 2."""
from __future__ import annotations

import json

import pytest
import shapely

from inspector.accounts.sign_in import device_id
from inspector.casework.field_cases import create_field_case, parse_case_polygon
from inspector.errors import BadInput
from inspector.geo.geodesy import area_m2
from inspector.store.workspace import Workspace
from tests.case_fixtures import CENTRE, CORE_ZONE, build_case_workspace, run_cli

# An L-shaped patch around CENTRE (its centroid lies outside it), about 300 m × 300 m with a 200 m notch
L_SHAPE = [[120.4990, 33.4990], [120.5020, 33.4990], [120.5020, 33.5000], [120.5000, 33.5000],
           [120.5000, 33.5020], [120.4990, 33.5020], [120.4990, 33.4990]]


def _new_case(root, *extra: str):
    return run_cli("--workspace", str(root), "case", "new", "--problem-type", "违法建筑",
                   "--description", "巡查发现新建房屋 <img src=x onerror=alert(1)>", *extra, "--json")


def test_case_new_has_a_provisional_number_and_is_attributed_like_any_case(tmp_path):
    ws = build_case_workspace(tmp_path)
    device = device_id(ws)
    ws.close()
    result = _new_case(tmp_path / "ws", "--lon", str(CENTRE[0]), "--lat", str(CENTRE[1]))
    assert result.returncode == 0, result.stderr
    case = json.loads(result.stdout)
    assert case["case_no"] == f"临-{device}-1"
    assert case["status"] == "待核查"
    assert CORE_ZONE in [z["name"] for z in case["zones"]]
    assert case["city"] == "盐城市" and case["county_adcode"]
    listed = json.loads(run_cli("--workspace", str(tmp_path / "ws"), "cases", case["uuid"], "--json").stdout)
    assert listed == [case]  # exactly as `cases --json` shows it
    with Workspace.open(tmp_path / "ws") as ws:
        row = ws.conn.execute("SELECT origin, dirty, revision, base_revision, clue_source FROM cases WHERE uuid = ?",
                              (case["uuid"],)).fetchone()
        assert tuple(row) == ("field", 1, 1, None, "现场发现")  # dirty: the next sync pushes it


def test_provisional_numbers_count_per_device_and_are_never_reused(ws):
    lon, lat = CENTRE
    first = create_field_case(ws, lon=lon, lat=lat, problem_type="养殖", description="a", actor="tester")
    second = create_field_case(ws, lon=lon, lat=lat, problem_type="养殖", description="b", actor="tester")
    prefix = f"临-{device_id(ws)}-"
    assert (first["case_no"], second["case_no"]) == (f"{prefix}1", f"{prefix}2")
    assert first.changes.affects(first["uuid"])
    # the office renamed the second case (its official number came back): n = 2 is still never given again
    ws.conn.execute("UPDATE cases SET case_no = 'LD-2024-9' WHERE uuid = ?", (second["uuid"],))
    third = create_field_case(ws, lon=lon, lat=lat, problem_type="养殖", description="c", actor="tester")
    assert third["case_no"] == f"{prefix}3"


def test_a_polygon_case_keeps_its_extent_a_point_inside_it_and_its_area(ws, tmp_path):
    polygon_file = tmp_path / "patch.geojson"
    polygon_file.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": "x"}, "geometry": {"type": "Polygon", "coordinates": [L_SHAPE]}}]}),
        encoding="utf-8")
    ws.close()
    result = _new_case(tmp_path / "ws", "--polygon", str(polygon_file))
    assert result.returncode == 0, result.stderr
    case = json.loads(result.stdout)
    shape = shapely.Polygon(L_SHAPE)
    assert not shape.contains(shape.centroid)  # the centroid would be outside: the case's point must not be
    assert shape.contains(shapely.Point(case["lon"], case["lat"]))
    assert case["area_m2"] == pytest.approx(area_m2(shape), rel=1e-4)
    with Workspace.open(tmp_path / "ws") as reopened:
        stored = reopened.conn.execute("SELECT geometry_geojson FROM cases WHERE uuid = ?",
                                       (case["uuid"],)).fetchone()[0]
    assert shapely.from_geojson(stored).equals(shape)


@pytest.mark.parametrize("args, fragment", [
    (("--lon", "100.0", "--lat", "40.0"), "outside Jiangsu"),
    (("--lon", "nan", "--lat", "33.5"), "invalid coordinates"),
    (("--lon", "120.5"), "both longitude and latitude"),
    ((), "give a position"),
])
def test_bad_positions_exit_2_with_the_reason(tmp_path, args, fragment):
    Workspace.create(tmp_path / "ws").close()
    result = run_cli("--workspace", str(tmp_path / "ws"), "case", "new", "--problem-type", "养殖",
                     "--description", "d", *args, env={"INSPECTOR_LANG": "en"})
    assert result.returncode == 2, result.stderr
    assert fragment in result.stderr


@pytest.mark.parametrize("text", [
    "not json", json.dumps({"type": "Point", "coordinates": [120.5, 33.5]}),
    json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}),  # outside Jiangsu
    json.dumps({"type": "Polygon", "coordinates": [[[120.5, 33.5], [120.6, 33.5], [120.5, 33.5]]]}),  # no area
    json.dumps({"type": "Polygon", "coordinates": [[[120.5, 33.5], ["x", 1]]]}),
    json.dumps({"type": "Polygon", "coordinates": [[[120.5 + i * 1e-6, 33.5] for i in range(5000)]]}),
])
def test_hostile_polygons_are_refused(text):
    with pytest.raises(BadInput):
        parse_case_polygon(text)


def test_a_self_intersecting_polygon_is_made_valid():
    bow_tie = [[120.50, 33.50], [120.51, 33.51], [120.51, 33.50], [120.50, 33.51], [120.50, 33.50]]
    geom = parse_case_polygon(json.dumps({"type": "Polygon", "coordinates": [bow_tie]}))
    assert geom.is_valid and geom.area > 0


def test_a_position_outside_the_given_polygon_is_refused(ws):
    with pytest.raises(BadInput):
        create_field_case(ws, lon=120.6, lat=33.6, polygon=shapely.Polygon(L_SHAPE), problem_type="养殖",
                          description="d", actor="tester")


def test_who_recorded_a_field_case_is_in_the_audit_chain_not_in_the_exported_ledger(tmp_path):
    from inspector.reports.ledger_rows import ledger_rows
    from inspector.store import audit

    with build_case_workspace(tmp_path) as ws:
        created = create_field_case(ws, lon=CENTRE[0], lat=CENTRE[1], problem_type="违法建筑",
                                    description="巡查发现", actor="inspector_a")
        entry = ws.conn.execute("SELECT actor, action FROM audit_log WHERE record_uuid = ?",
                                (created["uuid"],)).fetchone()
        assert tuple(entry) == ("inspector_a", "case.field_created") and audit.verify(ws)["ok"]
        rows = ledger_rows(ws)
        assert not {"recorded_by", "recorded_at"} & set(rows.columns)  # no invented ledger columns

"""Cases found in the field on the server (issue 15, item 6): admitted by the server's own reading of the position
in the pusher's jurisdiction, refused outside it (the case stays on the device, flagged), numbered by the office
(command or API) and the official number back on the device after its next sync. SQLite and PostgreSQL."""
from __future__ import annotations

import json

import pytest
import shapely

from inspector.casework.cases import list_cases
from inspector.casework.field_cases import create_field_case
from inspector.casework.findings import add_finding
from inspector.casework.workflow import transition
from inspector.store.workspace import Workspace
from sync.errors import SyncError
from sync.protocol import PushBatch, RecordChange
from sync.server.cli import main as server_main
from tests.sync_fixtures import api, client_workspace, db_url, server, sync  # noqa: F401

SHEYANG = (120.45, 33.52)  # 射阳县, 盐城 (320900): inspector_a's jurisdiction
NANJING = (118.80, 32.05)  # 南京 (320100): outside it
SQUARE = [[120.449, 33.519], [120.451, 33.519], [120.451, 33.521], [120.449, 33.521], [120.449, 33.519]]


def _new(root, lon_lat=SHEYANG, **options):
    with Workspace.open(root) as ws:
        return create_field_case(ws, lon=lon_lat[0], lat=lon_lat[1], problem_type="违法建筑",
                                 description="巡查发现", actor="inspector_a", **options)


def _server_case(server, uuid):  # noqa: F811
    client = api(server.url, "admin")
    return next(r for r in client.changes(0, 1000).changes if r.uuid == uuid)


def test_a_field_case_syncs_and_gets_its_official_number(server, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    sync(a)
    case = _new(a, polygon=shapely.Polygon(SQUARE), lon_lat=(None, None))
    with Workspace.open(a) as ws:  # field work before the first sync: a finding and the move to 现场核查
        add_finding(ws, case["uuid"], assessment="确认问题", activity_type="违法建筑", description="房屋",
                    actor="inspector_a")
        transition(ws, case["uuid"], "现场核查", role="inspector", actor="inspector_a", jurisdiction="320900")
    report = sync(a)
    assert report.rejected == 0 and report.conflicts == 0, report.records
    stored = _server_case(server, case["uuid"])
    assert (stored.city_adcode, stored.county_adcode) == ("320900", case["county_adcode"])
    assert stored.content["origin"] == "field" and stored.content["status"] == "现场核查"
    assert stored.content["case_no"] == case["case_no"]

    # the office gives the official number (the server's admin command); a duplicate number is refused
    args = ["--data", str(server.data_dir), "assign-case-no", *(["--db", server.db_url] if server.db_url else [])]
    assert server_main([*args, case["case_no"], "LD-001"]) == 2  # the published ledger's case has it
    assert server_main([*args, case["case_no"], "JS-2026-0042"]) == 0
    sync(a)
    with Workspace.open(a) as ws:
        [shown] = list_cases(ws, refs=[case["uuid"]])
        assert shown["case_no"] == "JS-2026-0042" and shown["status"] == "现场核查"
        assert ws.conn.execute("SELECT count(*) FROM findings f JOIN cases c ON c.id = f.case_id "
                               "WHERE c.case_no = 'JS-2026-0042'").fetchone()[0] == 1  # its record follows it
        assert ws.conn.execute("SELECT count(*) FROM cases WHERE dirty = 1").fetchone()[0] == 0


def test_the_office_numbers_through_the_api_only_in_its_jurisdiction(server, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    case = _new(a)
    sync(a)
    with pytest.raises(SyncError):
        api(server.url, "inspector_a").assign_case_no(case["uuid"], "JS-1")  # not an office role
    with pytest.raises(SyncError):
        api(server.url, "reviewer_nj").assign_case_no(case["uuid"], "JS-1")  # 南京's office: not its case
    with pytest.raises(SyncError):
        api(server.url, "reviewer_r").assign_case_no(case["uuid"], "LD-002")  # another case's number
    done = api(server.url, "reviewer_r").assign_case_no(case["uuid"], "JS-1")
    assert (done.previous_case_no, done.case_no, done.revision) == (case["case_no"], "JS-1", 2)
    sync(a)
    with Workspace.open(a) as ws:
        assert list_cases(ws, refs=[case["uuid"]])[0]["case_no"] == "JS-1"


def test_a_field_case_outside_the_jurisdiction_is_refused_and_kept(server, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    case = _new(a, lon_lat=NANJING)
    report = sync(a)
    [answer] = [r for r in report.records if r["uuid"] == case["uuid"]]
    assert answer["status"] == "rejected"
    assert "outside your jurisdiction (320900)" in answer["reason_en"] and "南京" in answer["reason_zh"]
    with Workspace.open(a) as ws:
        row = ws.conn.execute("SELECT case_no, dirty, deleted FROM cases WHERE uuid = ?", (case["uuid"],)).fetchone()
        assert tuple(row) == (case["case_no"], 1, 0)  # never lost: still there, still to be pushed
        flagged = ws.conn.execute("SELECT reason FROM sync_conflicts WHERE record_uuid = ?",
                                  (case["uuid"],)).fetchone()[0]
        assert "outside your jurisdiction" in flagged
    assert all(r.uuid != case["uuid"] for r in api(server.url, "admin").changes(0, 1000).changes)


def test_the_server_trusts_its_own_reading_of_the_position(server, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    case = _new(a, polygon=shapely.Polygon(SQUARE), lon_lat=(None, None))
    with Workspace.open(a) as ws:
        row = ws.conn.execute("SELECT * FROM cases WHERE uuid = ?", (case["uuid"],)).fetchone()
        from sync.record_codec import to_wire
        content = to_wire(ws.conn, "cases", row)
    client = api(server.url, "inspector_a")
    nanjing_claiming_yancheng = {**content, "lon": NANJING[0], "lat": NANJING[1], "geometry_geojson": None}
    point_outside_polygon = {**content, "lon": 120.46, "lat": 33.53}
    wrong_area = {**content, "area_m2": content["area_m2"] * 3}
    wrong_adcode = {**content, "county_adcode": "320924" if content["county_adcode"] != "320924" else "320902"}
    ledger_case = {**content, "origin": "ledger"}
    moved_on = {**content, "status": "已销号"}
    hostile_polygon = {**content, "geometry_geojson": json.dumps({"type": "Polygon", "coordinates": [[[0, 0]]]})}
    expected = ["outside your jurisdiction", "not inside its polygon", "does not match the polygon's area",
                "jurisdiction fields are assigned by the server", "origin = field", "a new case is pushed in the state",
                "invalid polygon"]
    for content_sent, fragment in zip([nanjing_claiming_yancheng, point_outside_polygon, wrong_area, wrong_adcode,
                                       ledger_case, moved_on, hostile_polygon], expected):
        [answer] = client.push(PushBatch(operation_id=f"op-{fragment[:20]}", records=[
            RecordChange(kind="cases", uuid=case["uuid"], content=content_sent)])).results
        assert answer.status == "rejected" and fragment in answer.reason_en, (fragment, answer.reason_en)
    [answer] = client.push(PushBatch(operation_id="op-the-real-one", records=[
        RecordChange(kind="cases", uuid=case["uuid"], content=content)])).results
    assert answer.status == "applied"

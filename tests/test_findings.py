"""Findings, rectifications and the 两断三清 checklist: validation, attribution, audit, CLI."""
from __future__ import annotations

import json

import pytest

from inspector.casework.findings import (
    DEFAULT_ACTIVITY_TYPES,
    activity_types,
    add_finding,
    list_findings,
    set_activity_types,
)
from inspector.casework.rectification import add_progress_note, add_rectification, set_checklist
from inspector.errors import BadInput, NotFound
from inspector.evidence.gps import offset_lonlat
from tests.case_fixtures import CENTRE, CORE_CASE, CORE_ZONE, build_case_workspace, cli_json, run_cli


@pytest.fixture
def case_ws(tmp_path):
    workspace = build_case_workspace(tmp_path / "case")
    yield workspace
    workspace.close()


def _audit_actions(ws) -> list[str]:
    return [r[0] for r in ws.conn.execute("SELECT action FROM audit_log ORDER BY seq")]


def test_finding_is_attributed_and_audited(case_ws):
    lon, lat = offset_lonlat(*CENTRE, 400.0, 0.0)  # general control zone, outside the core
    finding = add_finding(case_ws, CORE_CASE, assessment="确认问题", activity_type="养殖",
                          description="核心区外侧新建养殖塘", lon=lon, lat=lat, position_source="device_gps",
                          accuracy_m=4.5, area_m2=2000, basis="《自然保护区条例》第三十二条", inspector="张三")
    assert finding["function_zone"] == "一般控制区" and finding["zone_names"] == [CORE_ZONE]
    assert finding["position_source"] == "device_gps" and finding["area_is_estimate"] is True
    assert finding["observed_at_utc"].endswith("Z") and finding["case_no"] == CORE_CASE
    assert _audit_actions(case_ws) == ["finding.add"]
    by_ledger = add_finding(case_ws, CORE_CASE, assessment="待定", activity_type="其他", description="")
    assert (by_ledger["lon"], by_ledger["lat"], by_ledger["position_source"]) == (*CENTRE, "ledger")
    assert by_ledger["function_zone"] == "核心保护区"
    assert [f["uuid"] for f in list_findings(case_ws, CORE_CASE)] == [finding["uuid"], by_ledger["uuid"]]


@pytest.mark.parametrize("kwargs, message", [
    ({"assessment": "有问题"}, "assessment"),
    ({"activity_type": "放牧"}, "activity type"),
    ({"lon": 121.47, "lat": 31.23}, "outside Jiangsu"),  # Shanghai
    ({"lon": 0.0, "lat": 0.0}, "placeholder"),
    ({"lon": 120.5}, "both"),
    ({"area_m2": -5.0}, "area"),
])
def test_bad_findings_are_refused(case_ws, kwargs, message, monkeypatch):
    monkeypatch.setenv("INSPECTOR_LANG", "en")
    values = {"assessment": "确认问题", "activity_type": "养殖", "description": "x", **kwargs}
    with pytest.raises(BadInput, match=message):
        add_finding(case_ws, CORE_CASE, **values)
    assert case_ws.conn.execute("SELECT count(*) FROM findings").fetchone()[0] == 0
    assert case_ws.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0


def test_activity_types_are_configurable(case_ws):
    assert activity_types(case_ws) == list(DEFAULT_ACTIVITY_TYPES)
    set_activity_types(case_ws, ["光伏", "养殖"])
    assert activity_types(case_ws) == ["光伏", "养殖"]
    add_finding(case_ws, CORE_CASE, assessment="确认问题", activity_type="光伏", description="")
    with pytest.raises(BadInput):
        add_finding(case_ws, CORE_CASE, assessment="确认问题", activity_type="码头", description="")
    with pytest.raises(NotFound):
        add_finding(case_ws, "NO-SUCH", assessment="确认问题", activity_type="养殖", description="")


def test_rectification_notes_and_checklist(case_ws):
    plan = add_rectification(case_ws, CORE_CASE, measure_type="退出", measures="拆除养殖设施，退养还湿",
                             deadline="2026-09-30", responsible_unit="射阳县人民政府", responsible_person="李四")
    assert plan["deadline"] == "2026-09-30" and plan["progress_notes"] == []
    noted = add_progress_note(case_ws, plan["uuid"], "已拆除围网", actor="王五")
    assert noted["progress_notes"][0]["note"] == "已拆除围网" and noted["revision"] == 2
    with pytest.raises(BadInput):
        add_rectification(case_ws, CORE_CASE, measure_type="罚款")
    with pytest.raises(BadInput):
        add_rectification(case_ws, CORE_CASE, measure_type="整治", deadline="明年")
    partial = set_checklist(case_ws, CORE_CASE, items={"water_cut": True, "power_cut": True})
    assert not partial["complete"] and partial["missing"] == ["materials_cleared", "products_cleared",
                                                              "equipment_cleared"]
    done = set_checklist(case_ws, CORE_CASE, items={"materials_cleared": True, "products_cleared": True,
                                                    "equipment_cleared": True}, note="现场核实")
    assert done["complete"] and done["water_cut"] and done["note"] == "现场核实"
    assert _audit_actions(case_ws) == ["rectification.add", "rectification.note", "checklist.set", "checklist.set"]


def test_cli_finding_rectification_checklist(case_ws):
    root = str(case_ws.root)
    case_ws.close()
    lon, lat = offset_lonlat(*CENTRE, 10.0, 10.0)
    finding = cli_json("--workspace", root, "finding", "add", CORE_CASE, "--assessment", "确认问题",
                       "--activity", "养殖", "--description", "新建养殖塘", "--lon", str(lon), "--lat", str(lat),
                       "--basis", "条例", "--area-m2", "1500", "--inspector", "张三")
    assert finding["assessment"] == "确认问题" and finding["inspector"] == "张三"
    assert finding["function_zone"] == "核心保护区" and finding["area_m2"] == 1500
    bad = run_cli("--workspace", root, "finding", "add", CORE_CASE, "--assessment", "确认问题",
                  "--activity", "放牧", "--json")
    assert bad.returncode == 2 and "放牧" in bad.stderr and bad.stdout == ""
    plan = cli_json("--workspace", root, "rectification", "add", CORE_CASE, "--measure-type", "退出",
                    "--measures", "退养还湿", "--deadline", "2026-09-30", "--unit", "射阳县人民政府")
    assert plan["measure_type"] == "退出"
    items = cli_json("--workspace", root, "checklist", CORE_CASE, "--water-cut", "--power-cut",
                     "--materials-cleared", "--products-cleared", "--equipment-cleared")
    assert items["complete"] is True
    listed = cli_json("--workspace", root, "finding", "list", CORE_CASE)
    assert [f["uuid"] for f in listed] == [finding["uuid"]]
    assert json.loads(run_cli("--workspace", root, "verify-audit", "--json").stdout)["entries"] == 3

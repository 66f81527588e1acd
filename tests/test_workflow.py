"""The case workflow: refusals that say what is missing, roles, 退回, 回头看, history and the CLI."""
from __future__ import annotations

import datetime as dt

import pytest

from evidence_fixtures import attach_closure_photos
from inspector.casework.findings import add_finding
from inspector.casework.publicity import add_publicity, jiangsu_today
from inspector.casework.rectification import add_rectification, set_checklist
from inspector.casework.workflow import history, transition
from inspector.errors import BadInput
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, cli_json, run_cli


@pytest.fixture
def case_ws(tmp_path):
    workspace = build_case_workspace(tmp_path / "case")
    yield workspace
    workspace.close()


def _status(ws, case_no=CORE_CASE) -> tuple[str, int, int]:
    row = ws.conn.execute("SELECT status, revision, dirty FROM cases WHERE case_no = ?", (case_no,)).fetchone()
    return tuple(row)


def _refused(ws, target, role="inspector", **kwargs) -> str:
    with pytest.raises(BadInput) as info:
        transition(ws, CORE_CASE, target, role=role, actor="tester", **kwargs)
    return f"{info.value.zh} | {info.value.en}"


def test_full_path_refuses_what_lacks_evidence(case_ws, tmp_path):
    assert "cannot go from 待核查 to 整改中" in _refused(case_ws, "整改中")
    transition(case_ws, CORE_CASE, "现场核查", role="inspector", actor="张三")
    message = _refused(case_ws, "确认问题")
    assert "确认问题" in message and "a finding with assessment 确认问题" in message
    add_finding(case_ws, CORE_CASE, assessment="确认问题", activity_type="养殖", description="养殖塘")
    assert "排除" in _refused(case_ws, "排除")  # the finding says 确认问题, not 排除
    moved = transition(case_ws, CORE_CASE, "确认问题", role="inspector", actor="张三", reason="现场确认")
    assert (moved["from_state"], moved["to_state"], moved["actor"]) == ("现场核查", "确认问题", "张三")
    assert "rectification record" in _refused(case_ws, "整改中")
    add_rectification(case_ws, CORE_CASE, measure_type="退出", measures="退养还湿")
    transition(case_ws, CORE_CASE, "整改中", role="inspector", actor="张三")
    message = _refused(case_ws, "申请销号")
    assert "整改后照片" in message and "after rectification" in message and "两断三清" in message
    attach_closure_photos(case_ws, CORE_CASE, tmp_path / "closure", *CENTRE)
    set_checklist(case_ws, CORE_CASE, items={"water_cut": True, "power_cut": True})
    message = _refused(case_ws, "申请销号")
    assert "整改后照片" not in message and "清除原料" in message and "equipment cleared" in message
    set_checklist(case_ws, CORE_CASE, items={k: True for k in ("materials_cleared", "products_cleared",
                                                                "equipment_cleared")})
    transition(case_ws, CORE_CASE, "申请销号", role="inspector", actor="张三")
    assert "role reviewer/admin" in _refused(case_ws, "县级验收", role="inspector")
    assert "reason" in _refused(case_ws, "退回", role="reviewer")
    assert "county-level authority" in _refused(case_ws, "退回", role="reviewer", reason="x", jurisdiction="320900")
    returned = transition(case_ws, CORE_CASE, "退回", role="reviewer", actor="县局", jurisdiction="320904",
                          reason="围网未拆净")
    assert (returned["action"], returned["to_state"]) == ("退回", "整改中")
    transition(case_ws, CORE_CASE, "申请销号", role="inspector", actor="张三")
    transition(case_ws, CORE_CASE, "县级验收", role="reviewer", actor="县局", jurisdiction="320904")
    # the county does not accept for its city, nor the province for a city
    for jurisdiction in ("320904", "320000", "320100"):
        assert "city-level authority" in _refused(case_ws, "市级验收", role="reviewer", jurisdiction=jurisdiction)
    transition(case_ws, CORE_CASE, "市级验收", role="reviewer", actor="市局", jurisdiction="320900")
    # the city closes a case only after a 公示 whose period has ended
    refused = _refused(case_ws, "已销号", role="reviewer", jurisdiction="320900")
    assert "公示记录" in refused and "a 公示 record whose period has ended" in refused
    tomorrow = (jiangsu_today() + dt.timedelta(days=1)).isoformat()
    add_publicity(case_ws, CORE_CASE, starts_on=jiangsu_today().isoformat(), ends_on=tomorrow, where="镇政府公告栏",
                  actor="市局")
    assert f"it runs until {tomorrow}" in _refused(case_ws, "已销号", role="reviewer", jurisdiction="320900")
    add_publicity(case_ws, CORE_CASE, starts_on="2026-01-01", ends_on="2026-01-07", where="镇政府网站", actor="市局")
    transition(case_ws, CORE_CASE, "已销号", role="reviewer", actor="市局", jurisdiction="320900")
    status, revision, dirty = _status(case_ws)
    assert status == "已销号" and dirty == 1 and revision == 1 + 9  # one bump per transition
    steps = history(case_ws, CORE_CASE)
    assert [s["to_state"] for s in steps] == ["现场核查", "确认问题", "整改中", "申请销号", "整改中", "申请销号",
                                             "县级验收", "市级验收", "已销号"]
    assert steps[4]["reason"] == "围网未拆净" and steps[4]["role"] == "reviewer"
    assert all(s["at_utc"].endswith("Z") for s in steps)


def test_exclusion_and_follow_up(case_ws):
    transition(case_ws, "LD-002", "现场核查", role="inspector", actor="a")
    add_finding(case_ws, "LD-002", assessment="排除", activity_type="旅游设施", description="合法设施")
    assert transition(case_ws, "LD-002", "排除", role="inspector", actor="a")["status"] == "排除"
    # a closed case: 回头看 keeps it closed, or reopens it when the problem came back
    case_ws.conn.execute("UPDATE cases SET status = '已销号' WHERE case_no = ?", (CORE_CASE,))
    assert "role reviewer/admin" in _refused(case_ws, "回头看", reason="复查")
    kept = transition(case_ws, CORE_CASE, "回头看", role="reviewer", actor="市局", reason="复查未见反弹")
    assert (kept["from_state"], kept["to_state"], kept["action"]) == ("已销号", "已销号", "回头看")
    reopened = transition(case_ws, CORE_CASE, "回头看", role="admin", actor="省厅", reason="养殖复发",
                          recurred=True)
    assert reopened["to_state"] == "整改中" and _status(case_ws)[0] == "整改中"
    assert "unknown state" in _refused(case_ws, "完成")
    assert "role must be" in _refused(case_ws, "申请销号", role="mayor")


def test_cli_transition_and_history(case_ws):
    root = str(case_ws.root)
    case_uuid = case_ws.conn.execute("SELECT uuid FROM cases WHERE case_no = ?", (CORE_CASE,)).fetchone()[0]
    case_ws.close()
    moved = cli_json("--workspace", root, "transition", CORE_CASE, "现场核查", "--as", "inspector",
                     "--reason", "到达现场")
    device = cli_json("--workspace", root, "whoami")  # a workspace without accounts: the device's local user
    assert (moved["from_state"], moved["to_state"], moved["actor"], moved["actor_name"]) == (
        "待核查", "现场核查", device["user"], device["name"])
    refused = run_cli("--workspace", root, "transition", case_uuid, "确认问题", "--as", "inspector", "--json")
    assert refused.returncode == 2 and "确认问题" in refused.stderr and refused.stdout == ""
    refused_en = run_cli("--workspace", root, "transition", case_uuid, "确认问题", "--as", "inspector",
                         env={"INSPECTOR_LANG": "en"})
    assert "missing: a finding with assessment" in refused_en.stderr
    steps = cli_json("--workspace", root, "history", case_uuid)
    assert len(steps) == 1 and steps[0]["reason"] == "到达现场" and steps[0]["role"] == "inspector"

"""The workflow on the server: a case's status changes only through a transition the server checks against
the core's rule table — the pusher's role, the reason, the evidence on the server's own records (also earlier
in the same push) and the case's current state there. Two devices moving one case at once: one transition is
applied, the other refused because the state moved.
"""
from __future__ import annotations

import uuid as uuid_lib

import pytest

from evidence_fixtures import attach_closure_photos, make_geotagged_photo
from inspector.casework.evidence_attach import attach
from inspector.casework.findings import add_finding
from inspector.casework.rectification import add_rectification, set_checklist
from inspector.casework.workflow import transition
from inspector.store.workspace import Workspace
from sync.protocol import RECORD_MODELS, PushBatch, RecordChange
from tests.sync_fixtures import (  # noqa: F401
    CASE,
    CENTRE,
    ServerProcess,
    api,
    client_workspace,
    db_url,
    prepare_server_data,
    server,
    sync,
    together,
)

STAMP = "2026-01-01T00:00:00Z"


def _case(client, case_no: str = CASE):
    return next(r for r in client.changes(0, 1000).changes if r.content.get("case_no") == case_no)


def _move(case_uuid: str, from_state: str, action: str, to_state: str, role: str, actor: str,
          reason: str | None = None) -> RecordChange:
    return RecordChange(kind="transitions", uuid=str(uuid_lib.uuid4()), content={
        "case_uuid": case_uuid, "action": action, "from_state": from_state, "to_state": to_state, "actor": actor,
        "role": role, "reason": reason, "at_utc": STAMP, "revision": 1, "created_at": STAMP, "updated_at": STAMP})


def _status(case, status: str) -> RecordChange:
    """The case as a device pushes it after moving it: its status, revision and time changed."""
    content = {**case.content, "status": status, "revision": case.content["revision"] + 1, "updated_at": STAMP}
    return RecordChange(kind="cases", uuid=case.uuid, base_revision=case.revision, content=content)


def _finding(case_uuid: str, assessment: str) -> RecordChange:
    defaults = {name: info.default for name, info in RECORD_MODELS["findings"].model_fields.items()
                if not info.is_required()}
    return RecordChange(kind="findings", uuid=str(uuid_lib.uuid4()), content={
        **defaults, "case_uuid": case_uuid, "observed_at_utc": STAMP, "activity_type": "养殖",
        "assessment": assessment, "created_at": STAMP, "updated_at": STAMP})


def _push(client, *changes: RecordChange) -> list:
    return client.push(PushBatch(operation_id=str(uuid_lib.uuid4()), records=list(changes))).results


def test_case_moves_only_by_transitions_the_server_checks(server, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    sync(a)
    client, office = api(server.url, "inspector_a"), api(server.url, "reviewer_r")
    case = _case(client)
    for status in ("已销号", "不存在的状态", "<script>x</script>"):  # a status without a transition
        [answer] = _push(client, _status(case, status))
        assert answer.status == "rejected" and "status" in answer.reason, (status, answer.reason)
    refused = _push(client, _move(case.uuid, "现场核查", "确认问题", "确认问题", "inspector", "inspector_a"),
                    _move(case.uuid, "待核查", "现场核查", "现场核查", "reviewer", "inspector_a"),
                    _move(case.uuid, "待核查", "已销号", "已销号", "inspector", "inspector_a"))
    assert [r.status for r in refused] == ["rejected"] * 3
    assert "the case is 待核查 on the server" in refused[0].reason
    assert "role" in refused[1].reason and "not allowed by the workflow" in refused[2].reason
    assert _case(office).content["status"] == "待核查" and _case(office).revision == case.revision
    assert not [r for r in office.changes(0, 1000).changes if r.kind == "transitions"]

    # evidence earlier in the same push counts: on site, a finding, the problem confirmed
    first = _move(case.uuid, "待核查", "现场核查", "现场核查", "inspector", "inspector_a")
    done = _push(client, first, _finding(case.uuid, "确认问题"),
                 _move(case.uuid, "现场核查", "确认问题", "确认问题", "inspector", "inspector_a"),
                 _status(case, "确认问题"))
    assert [r.status for r in done] == ["applied"] * 4, [r.reason for r in done]
    case = _case(client)
    assert case.content["status"] == "确认问题"
    for problem, change in (
            ("a rectification record", _move(case.uuid, "确认问题", "整改中", "整改中", "inspector", "inspector_a")),
            ("the case is 确认问题 on the server", _move(case.uuid, "现场核查", "排除", "排除", "inspector",
                                                      "inspector_a")),
            ("cannot be changed", RecordChange(kind="transitions", uuid=first.uuid, base_revision=1,
                                               content={**first.content, "to_state": "已销号"}))):
        [answer] = _push(client, change)
        assert answer.status == "rejected" and problem in answer.reason, (problem, answer.reason)

    # the device goes on with the real work; a 申请销号 the server's records do not support is refused
    sync(a)
    with Workspace.open(a) as ws:
        add_rectification(ws, CASE, measure_type="退出", measures="退养还湿", actor="inspector_a")
        transition(ws, CASE, "整改中", role="inspector", actor="inspector_a")
    assert sync(a).pushed == 3
    case = _case(client)
    [answer] = _push(client, _move(case.uuid, "整改中", "申请销号", "申请销号", "inspector", "inspector_a"))
    assert answer.status == "rejected" and "photo after rectification without a blocking flag" in answer.reason
    assert "两断三清" in answer.reason
    with Workspace.open(a) as ws:
        attach_closure_photos(ws, CASE, tmp_path / "closure", *CENTRE, actor="inspector_a")
        set_checklist(ws, CASE, items={"water_cut": True}, actor="inspector_a")
    sync(a)
    [answer] = _push(client, _move(case.uuid, "整改中", "申请销号", "申请销号", "inspector", "inspector_a"))
    assert answer.status == "rejected" and "closure checklist incomplete" in answer.reason
    assert "photo" not in answer.reason
    with Workspace.open(a) as ws:
        set_checklist(ws, CASE, items={k: True for k in ("power_cut", "materials_cleared", "products_cleared",
                                                          "equipment_cleared")}, actor="inspector_a")
        transition(ws, CASE, "申请销号", role="inspector", actor="inspector_a")
    report = sync(a)
    assert report.rejected == 0 and report.verified and _case(office).content["status"] == "申请销号"
    case = _case(office)
    [no_reason] = _push(office, _move(case.uuid, "申请销号", "退回", "整改中", "reviewer", "reviewer_r", " "))
    [not_office] = _push(client, _move(case.uuid, "申请销号", "县级验收", "县级验收", "inspector", "inspector_a"))
    assert no_reason.status == not_office.status == "rejected"
    assert "a reason" in no_reason.reason and "role reviewer/admin" in not_office.reason
    # the city's reviewer may not decide for the county (the level comes from the server's account, the place
    # from the server's attribution of the case)
    [wrong_level] = _push(office, _move(case.uuid, "申请销号", "退回", "整改中", "reviewer", "reviewer_r",
                                        "围网未拆净"))
    assert wrong_level.status == "rejected" and "county-level authority" in wrong_level.reason
    county = api(server.url, "reviewer_k")
    returned = _push(county, _move(case.uuid, "申请销号", "退回", "整改中", "reviewer", "reviewer_k", "围网未拆净"),
                     _status(case, "整改中"))
    assert [r.status for r in returned] == ["applied"] * 2 and _case(office).content["status"] == "整改中"
    for device in (client, office, county):
        device.close()


def test_the_server_runs_the_plausibility_checks_itself(server, tmp_path):  # noqa: F811
    """A device that leaves a photo's flags out does not make it clean: the server checks the photos' times and
    positions against its own records of the case before it accepts 申请销号."""
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    sync(a)
    with Workspace.open(a) as ws:
        transition(ws, CASE, "现场核查", role="inspector", actor="inspector_a")
        add_finding(ws, CASE, assessment="确认问题", activity_type="养殖", description="养殖塘", actor="inspector_a")
        transition(ws, CASE, "确认问题", role="inspector", actor="inspector_a")
        add_rectification(ws, CASE, measure_type="整治", measures="拆除", actor="inspector_a")
        transition(ws, CASE, "整改中", role="inspector", actor="inspector_a")
        for phase in ("before", "after"):  # taken in 2020, years before the case was discovered
            photo = make_geotagged_photo(tmp_path / f"{phase}.jpg", *CENTRE, taken="2020:05:01 10:00:00",
                                         gps_time="2020:05:01 02:00:00", size=(400, 300 + (phase == "after")))
            attach(ws, CASE, [photo], phase=phase, actor="inspector_a")
        ws.conn.execute("UPDATE evidence SET flags = '[]'")  # a hostile device drops the flags
    assert sync(a).rejected == 0
    client = api(server.url, "inspector_a")
    case = _case(client)
    [answer] = _push(client, _move(case.uuid, "整改中", "申请销号", "申请销号", "inspector", "inspector_a"))
    assert answer.status == "rejected", answer
    assert "1 before rectification photo(s) carry a blocking flag" in answer.reason
    assert "1 after rectification photo(s) carry a blocking flag" in answer.reason
    client.close()


@pytest.mark.parametrize("workers", [3])
def test_two_devices_moving_one_case_at_once(tmp_path, db_url, workers):  # noqa: F811
    data_dir = tmp_path / "server"
    prepare_server_data(data_dir, db_url, tmp_path / "publish")
    with ServerProcess(data_dir, db_url, workers=workers) as running:
        users = ("inspector_a", "reviewer_r", "admin", "inspector_a", "reviewer_r", "admin")
        roles = {"inspector_a": "inspector", "reviewer_r": "reviewer", "admin": "admin"}
        devices = [api(running.url, user) for user in users]
        for case_no in ("LD-001", "LD-010", "LD-011"):
            case = _case(devices[0], case_no)
            moves = [_move(case.uuid, "待核查", "现场核查", "现场核查", roles[user], user) for user in users]
            answers = together([lambda i=i: _push(devices[i], moves[i], _status(case, "现场核查"))
                                for i in range(len(devices))])
            outcomes = [answer[0].status for answer in answers]
            assert outcomes.count("applied") == 1 and outcomes.count("rejected") == len(devices) - 1, outcomes
            assert all("moved since" in answer[0].reason for answer in answers if answer[0].status == "rejected")
            stored = [r for r in devices[0].changes(0, 1000).changes
                      if r.kind == "transitions" and r.content["case_uuid"] == case.uuid]
            assert len(stored) == 1 and _case(devices[0], case_no).content["status"] == "现场核查"
        for device in devices:
            device.close()

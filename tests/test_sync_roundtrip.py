"""The office review round trip over a real loopback server, on SQLite (and PostgreSQL when configured).

Admin publishes the ledger; inspector A (盐城 320900) pulls only 盐城's cases,
records a finding with photos and requests 销号 offline, syncs; reviewer R
(盐城) pulls and returns the case with a reason; A adds evidence and
requests again; R accepts through 县级验收 / 市级验收 / 已销号. Both end with
the same case, history and a valid audit chain; inspector B (南京) never
sees any of it. Each sync reports what its pulls changed on the device (the
cases and kinds of record), outside its JSON.
"""
from __future__ import annotations

from evidence_fixtures import attach_closure_photos, make_geotagged_photo, make_recent_photo
from inspector.casework.evidence_attach import attach
from inspector.casework.findings import add_finding
from inspector.casework.publicity import add_publicity
from inspector.casework.rectification import add_rectification, set_checklist
from inspector.casework.workflow import history, transition
from inspector.store import audit
from inspector.store.changes import Changes
from inspector.store.workspace import Workspace
from tests.case_fixtures import cli_json
from tests.sync_fixtures import client_workspace, db_url, server, sync  # noqa: F401 - fixtures

CASE = "LD-001"
CENTRE = (120.5, 33.5)


def _cases(root) -> dict[str, str]:
    with Workspace.open(root) as ws:
        return {r[0]: r[1] for r in ws.conn.execute("SELECT case_no, status FROM cases WHERE deleted = 0")}


def _history(root) -> list[tuple]:
    with Workspace.open(root) as ws:
        return [(h["uuid"], h["action"], h["to_state"], h["actor"], h["reason"]) for h in history(ws, CASE)]


def test_office_review_round_trip(server, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    r = client_workspace(tmp_path / "r", server.url, "reviewer_k")  # the county's reviewer
    c = client_workspace(tmp_path / "c", server.url, "reviewer_r")  # the city's
    b = client_workspace(tmp_path / "b", server.url, "inspector_b")

    first = sync(a)
    assert set(_cases(a)) == {"LD-001", "LD-010", "LD-011"} and first.verified
    with Workspace.open(a) as ws:
        uuids = {no: uuid for no, uuid in ws.conn.execute("SELECT case_no, uuid FROM cases")}
    assert first.changes == Changes(frozenset({"cases"}), frozenset(uuids.values()))
    assert sync(b).verified and set(_cases(b)) == {"LD-002"}

    with Workspace.open(a) as ws:  # offline field work
        transition(ws, CASE, "现场核查", role="inspector", actor="inspector_a")
        finding = add_finding(ws, CASE, assessment="确认问题", activity_type="养殖", description="核心区养殖塘",
                              inspector="inspector_a")
        photos = [make_geotagged_photo(tmp_path / f"p{i}.jpg", CENTRE[0] + i * 1e-4, CENTRE[1]) for i in range(2)]
        assert all("error" not in x for x in attach(ws, CASE, photos, finding=finding["uuid"], actor="inspector_a"))
        transition(ws, CASE, "确认问题", role="inspector", actor="inspector_a")
        add_rectification(ws, CASE, measure_type="退出", measures="退养还湿", actor="inspector_a")
        set_checklist(ws, CASE, items={k: True for k in ("water_cut", "power_cut", "materials_cleared",
                                                          "products_cleared", "equipment_cleared")},
                      actor="inspector_a")
        transition(ws, CASE, "整改中", role="inspector", actor="inspector_a")
        attach_closure_photos(ws, CASE, tmp_path / "closure", *CENTRE, actor="inspector_a")
        transition(ws, CASE, "申请销号", role="inspector", actor="inspector_a")

    pushed = sync(a)
    assert pushed.conflicts == 0 and pushed.rejected == 0 and pushed.pending == 0 and pushed.verified
    assert pushed.blobs_uploaded == 4 and pushed.pushed >= 10
    assert pushed.changes.empty  # pushed, and pulled back nothing new

    pulled = sync(r)
    assert pulled.blobs_downloaded == 4 and pulled.verified
    assert _cases(r)[CASE] == "申请销号"
    with Workspace.open(r) as ws:
        transition(ws, CASE, "退回", role="reviewer", actor="reviewer_k", jurisdiction="320904", reason="围网未拆净")
    assert sync(r).pushed == 2  # the transition and the case

    back = sync(a)
    assert back.pulled == 2 and _cases(a)[CASE] == "整改中"
    assert back.changes == Changes(frozenset({"cases", "transitions"}), frozenset({uuids[CASE]}))
    assert "changes" not in back.as_dict() and back.as_dict()["pulled"] == 2
    with Workspace.open(a) as ws:
        attach(ws, CASE, [make_recent_photo(tmp_path / "after2.jpg", *CENTRE, size=(400, 302))],
               phase="after", actor="inspector_a")
        transition(ws, CASE, "申请销号", role="inspector", actor="inspector_a")
    assert sync(a).blobs_uploaded == 1

    sync(r)
    with Workspace.open(r) as ws:
        transition(ws, CASE, "县级验收", role="reviewer", actor="reviewer_k", jurisdiction="320904")
    sync(r)
    sync(c)
    with Workspace.open(c) as ws:
        add_publicity(ws, CASE, starts_on="2024-07-01", ends_on="2024-07-07", where="区政府网站", actor="reviewer_r")
        for state in ("市级验收", "已销号"):
            transition(ws, CASE, state, role="reviewer", actor="reviewer_r", jurisdiction="320900")
    sync(c)
    sync(r)
    final = sync(a)
    assert final.verified and final.pending == 0

    assert _cases(a)[CASE] == _cases(r)[CASE] == "已销号"
    assert _history(a) == _history(r)
    assert [h[2] for h in _history(a)] == ["现场核查", "确认问题", "整改中", "申请销号", "整改中", "申请销号",
                                           "县级验收", "市级验收", "已销号"]
    for root in (a, r):
        with Workspace.open(root) as ws:
            assert audit.verify(ws)["ok"], audit.verify(ws)
            assert ws.conn.execute("SELECT count(*) FROM evidence").fetchone()[0] == 5
    assert cli_json("--workspace", str(a), "verify-audit")["ok"] is True

    sync(b)  # B (南京) never sees any of it
    with Workspace.open(b) as ws:
        for table in ("findings", "evidence", "transitions", "rectifications", "closure_checklists"):
            assert ws.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
        assert not any(ws.media_dir.glob("??/*"))
    assert set(_cases(b)) == {"LD-002"}

"""Countersigns, 公示 and signatures travel like every record: pushed, checked by the server, pulled, audited.

The server closes a case (市级验收 → 已销号) only when its own records hold a
公示 whose period has ended, and refuses a signature or countersign that names
a record of another case.
"""
from __future__ import annotations

import uuid as uuid_lib

from evidence_fixtures import attach_closure_photos
from inspector.casework.countersigns import add_countersign
from inspector.casework.publicity import add_publicity
from inspector.casework.rectification import add_rectification, set_checklist
from inspector.casework.signatures import Signature
from inspector.casework.workflow import transition
from inspector.store import audit
from inspector.store.workspace import Workspace
from sync.protocol import RECORD_MODELS, PushBatch, RecordChange
from tests.signature_fixtures import signature_png, write_scanned_pdf
from tests.sync_fixtures import CASE, CENTRE, api, client_workspace, db_url, field_work, server, sync  # noqa: F401

STAMP = "2026-01-01T00:00:00Z"


def _case(client, case_no: str = CASE):
    return next(r for r in client.changes(0, 1000).changes if r.content.get("case_no") == case_no)


def _push(client, *changes: RecordChange) -> list:
    return client.push(PushBatch(operation_id=str(uuid_lib.uuid4()), records=list(changes))).results


def _closing(case_uuid: str) -> RecordChange:
    return RecordChange(kind="transitions", uuid=str(uuid_lib.uuid4()), content={
        "case_uuid": case_uuid, "action": "已销号", "from_state": "市级验收", "to_state": "已销号",
        "actor": "reviewer_r", "role": "reviewer", "reason": None, "at_utc": STAMP, "revision": 1,
        "created_at": STAMP, "updated_at": STAMP})


def _publicity(case_uuid: str, recorded_by: str) -> RecordChange:
    return RecordChange(kind="publicity", uuid=str(uuid_lib.uuid4()), content={
        "case_uuid": case_uuid, "starts_on": "2026-01-01", "ends_on": "2026-01-07", "published_where": "公告栏",
        "recorded_by": recorded_by, "revision": 1, "created_at": STAMP, "updated_at": STAMP})


def _signature_of(case_uuid: str, signs_uuid: str, sha256: str) -> RecordChange:
    defaults = {name: info.default for name, info in RECORD_MODELS["evidence"].model_fields.items()
                if not info.is_required()}
    return RecordChange(kind="evidence", uuid=str(uuid_lib.uuid4()), content={
        **defaults, "case_uuid": case_uuid, "sha256": sha256, "kind": "signature", "phase": "after",
        "signs_uuid": signs_uuid, "signer_role": "city", "signer_name": "冒名", "created_at": STAMP,
        "updated_at": STAMP})


def test_records_sync_and_the_server_closes_only_after_publicity(server, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    k = client_workspace(tmp_path / "k", server.url, "reviewer_k")
    r = client_workspace(tmp_path / "r", server.url, "reviewer_r")
    sync(a)
    field_work(a, tmp_path, photos=1)
    with Workspace.open(a) as ws:
        add_rectification(ws, CASE, measure_type="整治", measures="拆除围网", actor="inspector_a")
        transition(ws, CASE, "整改中", role="inspector", actor="inspector_a")
        attach_closure_photos(ws, CASE, tmp_path / "closure", *CENTRE, actor="inspector_a")
        set_checklist(ws, CASE, items={"water_cut": True}, actor="inspector_a")
        transition(ws, CASE, "申请销号", role="inspector", actor="inspector_a")
    assert sync(a).rejected == 0
    sync(k)
    with Workspace.open(k) as ws:
        transition(ws, CASE, "县级验收", role="reviewer", actor="reviewer_k", jurisdiction="320904",
                   reason="县级同意", signatures=[Signature(signature_png(), "county", "县局王五")])
    report = sync(k)
    assert report.rejected == 0 and report.blobs_uploaded == 1  # the signature's PNG went up with its record
    sync(r)
    with Workspace.open(r) as ws:
        add_countersign(ws, CASE, department="林业", signer="林业站赵六", opinion="同意销号", signed_on="2026-01-05",
                        document=write_scanned_pdf(tmp_path / "scan.pdf"), signature=signature_png(),
                        actor="reviewer_r")
        transition(ws, CASE, "市级验收", role="reviewer", actor="reviewer_r", jurisdiction="320900", reason="市级同意")
    report = sync(r)
    assert report.rejected == 0 and report.blobs_uploaded == 2 and report.verified

    office = api(server.url, "reviewer_r")
    case = _case(office)
    [refused] = _push(office, _closing(case.uuid))
    assert refused.status == "rejected" and "a 公示 record whose period has ended" in refused.reason
    assert "公示记录" in refused.reason_zh
    # a signature that claims to sign a record of another case is refused
    other = next(t for t in office.changes(0, 1000).changes if t.kind == "transitions")
    foreign_case = next(c for c in office.changes(0, 1000).changes if c.kind == "cases" and c.uuid != case.uuid)
    sha = next(e.content["sha256"] for e in office.changes(0, 1000).changes if e.kind == "evidence"
               and e.content["kind"] == "signature")
    [lying] = _push(office, _signature_of(foreign_case.uuid, other.uuid, sha))
    assert lying.status == "rejected" and "signs_uuid" in lying.reason
    # a 公示 is the office's: an inspector cannot record one, nor an office account in another's name
    field = api(server.url, "inspector_a")
    [not_office] = _push(field, _publicity(case.uuid, "inspector_a"))
    [other_name] = _push(office, _publicity(case.uuid, "reviewer_k"))
    assert not_office.status == other_name.status == "rejected"
    assert "recorded by a reviewer or admin" in not_office.reason and "not the account pushing" in other_name.reason
    field.close()
    office.close()

    with Workspace.open(r) as ws:
        add_publicity(ws, CASE, starts_on="2026-01-01", ends_on="2026-01-07", where="区政府网站", actor="reviewer_r")
        transition(ws, CASE, "已销号", role="reviewer", actor="reviewer_r", jurisdiction="320900")
    report = sync(r)
    assert report.rejected == 0 and report.verified

    final = sync(a)
    assert final.verified and final.pending == 0 and final.quarantined_new == 0
    with Workspace.open(a) as ws:
        conn = ws.conn
        assert conn.execute("SELECT status FROM cases WHERE case_no = ?", (CASE,)).fetchone()[0] == "已销号"
        assert [tuple(row) for row in conn.execute("SELECT department, signer, opinion FROM countersigns")] == [
            ("林业", "林业站赵六", "同意销号")]
        assert [tuple(row) for row in conn.execute("SELECT published_where FROM publicity")] == [("区政府网站",)]
        signers = {tuple(row) for row in conn.execute(
            "SELECT e.signer_role, e.signer_name, coalesce(t.to_state, c.department) FROM evidence e "
            "LEFT JOIN transitions t ON t.uuid = e.signs_uuid LEFT JOIN countersigns c ON c.uuid = e.signs_uuid "
            "WHERE e.kind = 'signature'")}
        assert signers == {("county", "县局王五", "县级验收"), ("countersign", "林业站赵六", "林业")}
        document = conn.execute("SELECT e.kind FROM countersigns c JOIN evidence e ON e.uuid = c.document_uuid"
                                ).fetchone()
        assert document[0] == "document"
        assert audit.verify(ws)["ok"]  # every pulled blob and record is in the chain

    # 省级抽查: the city may not spot-check (refused by the server too), the province reopens the closed case
    office = api(server.url, "reviewer_r")
    case = _case(office)
    [city_spot] = _push(office, RecordChange(kind="transitions", uuid=str(uuid_lib.uuid4()), content={
        "case_uuid": case.uuid, "action": "抽查", "from_state": "已销号", "to_state": "已销号", "actor": "reviewer_r",
        "role": "reviewer", "reason": None, "at_utc": STAMP, "revision": 1, "created_at": STAMP,
        "updated_at": STAMP}))
    assert city_spot.status == "rejected" and "provincial-level authority" in city_spot.reason
    office.close()
    p = client_workspace(tmp_path / "p", server.url, "reviewer_p")
    sync(p)
    with Workspace.open(p) as ws:
        transition(ws, CASE, "抽查", role="reviewer", actor="reviewer_p", jurisdiction="320000",
                   reason="抽查发现养殖复发", recurred=True)
    assert sync(p).rejected == 0
    sync(a)
    with Workspace.open(a) as ws:
        assert ws.conn.execute("SELECT status FROM cases WHERE case_no = ?", (CASE,)).fetchone()[0] == "整改中"
        last = ws.conn.execute("SELECT action, actor, reason FROM transitions ORDER BY id DESC LIMIT 1").fetchone()
        assert tuple(last) == ("抽查", "reviewer_p", "抽查发现养殖复发")
